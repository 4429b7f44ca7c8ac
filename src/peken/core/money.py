"""Rupiah: whole integers, never floats, shown as `Rp 30.000.000`."""


def format_rupiah(amount: int) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Rupiah amounts are whole integers.")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")
