"""Rupiah: whole integers, never floats, shown as `Rp 30.000.000`. The one place Peken writes
money and whole counts for people (the `rupiah` template filter, messages, mails, checks)."""


def format_thousands(number: int) -> str:
    """30000000 → `30.000.000`: whole numbers grouped in threes with a dot, as Indonesian does."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError("Only whole numbers are grouped.")
    return f"{number:,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """30000000 → `Rp 30.000.000`; −5000 → `-Rp 5.000`."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("Rupiah amounts are whole integers.")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {format_thousands(abs(amount))}"
