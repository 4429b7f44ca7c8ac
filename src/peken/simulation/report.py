"""The summary as a readable table: one column per policy."""

ROWS = (
    ("orders", "Pesanan (dibayar)", "{:,}"),
    ("turnover", "Omzet (Rp)", "{:,}"),
    ("cap_refusals", "Ditolak karena batas toko", "{:,}"),
    ("merchants_at_cap", "Toko mencapai batas", "{:,}"),
    ("gini", "Gini omzet ASN per toko", "{:.3f}"),
    ("merchants_with_orders_share", "Toko terverifikasi dengan pesanan", "{:.1%}"),
    ("home_kecamatan_share", "Belanja di kecamatan rumah", "{:.1%}"),
    ("compliance_rate", "ASN memenuhi kewajiban", "{:.1%}"),
    ("elapsed_s", "Waktu (detik)", "{:,.1f}"),
    ("orders_per_s", "Pesanan per detik", "{:,.1f}"),
)


def summary_table(runs: list[dict]) -> str:
    header = ["", *(run["policy"] for run in runs)]
    lines = [header]
    for key, label, style in ROWS:
        lines.append([label, *(style.format(run[key]).replace(",", ".") for run in runs)])
    for check in runs[0]["invariants"]:
        lines.append([check, *("ok" if run["invariants"][check] else "GAGAL" for run in runs)])
    widths = [max(len(row[column]) for row in lines) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in lines
    )
