"""Every table of the dashboard as rows and columns, and as a file: Excel (.xlsx, amounts as
whole-rupiah numbers with a rupiah format, shares as percentages) or CSV (UTF-8 with a byte-order
mark so Excel reads it right; amounts as plain integers, shares in percent with two decimals).
The API serves the same tables as JSON (GET /api/v1/reports/tables/{table})."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from peken.core.errors import NotFound
from peken.core.spreadsheet import safe_row
from peken.merchants.models import Merchant
from peken.reports.compliance import named
from peken.reports.selectors import Dashboard

RUPIAH_FORMAT = '"Rp" #,##0'
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, count, rupiah, percent, number, date


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list]


TITLES = {
    "ringkasan": gettext_lazy("Ringkasan"),
    "bulanan": gettext_lazy("Omzet 13 bulan"),
    "harian": gettext_lazy("Omzet harian"),
    "kategori": gettext_lazy("Omzet per kategori"),
    "jenis-toko": gettext_lazy("Omzet per jenis toko"),
    "kecamatan": gettext_lazy("Omzet dan toko per kecamatan"),
    "lorenz": gettext_lazy("Kurva Lorenz omzet ASN"),
    "toko-di-batas": gettext_lazy("Toko di batas omzet ASN"),
    "toko-tanpa-pesanan": gettext_lazy("Toko terverifikasi tanpa pesanan"),
    "kepatuhan-opd": gettext_lazy("Kepatuhan ASN per OPD"),
    "asn-belum-memenuhi": gettext_lazy("ASN yang belum memenuhi kewajiban"),
}


def _table(slug: str, columns: list[Column], rows: list[list]) -> Table:
    return Table(slug, str(TITLES[slug]), columns, rows)


def _text(key, label):
    return Column(key, label)


def _count(key, label):
    return Column(key, label, "count")


def _money(key, label):
    return Column(key, label, "rupiah")


def _percent(key, label):
    return Column(key, label, "percent")


# --- the tables -------------------------------------------------------------------------------


def summary(board: Dashboard) -> Table:
    headline, previous, changes = board.headline, board.previous, board.changes
    equity, compliance = board.equity, board.compliance
    named = [
        (_("Omzet"), "Rp", "turnover"),
        (_("Omzet ASN"), "Rp", "asn_turnover"),
        (_("Pesanan dibayar"), _("pesanan"), "orders"),
        (_("Rata-rata pesanan"), "Rp", "average_order"),
        (_("Pembeli aktif"), _("orang"), "buyers"),
        (_("Pembeli aktif ASN"), _("orang"), "asn_buyers"),
        (_("Pembeli aktif warga"), _("orang"), "warga_buyers"),
        (_("Toko aktif"), _("toko"), "merchants"),
    ]
    rows = [
        [label, unit, getattr(headline, key), getattr(previous, key), _percent_value(changes[key])]
        for label, unit, key in named
    ]
    rows += [
        [_("Koefisien Gini omzet ASN"), _("indeks"), _rounded(equity.gini, 4), None, None],
        [_("Pangsa 10% toko teratas"), "%", _percent_value(equity.top_decile_share), None, None],
        [_("Toko di batas omzet"), _("toko"), len(equity.capped), None, None],
        [_("Toko terverifikasi tanpa pesanan"), _("toko"), len(equity.idle), None, None],
        [_("Pangsa omzet toko MBR"), "%", _percent_value(equity.mbr_share), None, None],
        [
            _("Belanja ASN di kecamatan domisili"),
            "%",
            _percent_value(equity.home_share),
            None,
            None,
        ],
        [_("ASN memenuhi kewajiban"), "%", _percent_value(compliance.share), None, None],
        [_("ASN belum memenuhi"), _("orang"), compliance.unmet, None, None],
        [_("Total kekurangan belanja ASN"), "Rp", compliance.shortfall, None, None],
    ]
    columns = [
        _text("figure", _("Ukuran")),
        _text("unit", _("Satuan")),
        Column("value", _("Nilai"), "number"),
        Column("previous", _("Bulan sebelumnya"), "number"),
        Column("change", _("Perubahan (%)"), "number"),
    ]
    return _table("ringkasan", columns, rows)


def _percent_value(fraction: float | None) -> float | None:
    """A share as a percentage with two decimals (12.34), for a column of mixed units."""
    return None if fraction is None else round(fraction * 100, 2)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def months(board: Dashboard) -> Table:
    columns = [
        _text("month", _("Bulan")),
        _money("turnover", _("Omzet")),
        _money("asn_turnover", _("Omzet ASN")),
        _count("orders", _("Pesanan")),
        _count("merchants", _("Toko aktif")),
    ]
    rows = [
        [point.month, point.turnover, point.asn_turnover, point.orders, point.merchants]
        for point in board.months
    ]
    return _table("bulanan", columns, rows)


def days(board: Dashboard) -> Table:
    columns = [
        Column("day", _("Tanggal"), "date"),
        _money("turnover", _("Omzet")),
        _money("asn_turnover", _("Omzet ASN")),
        _count("orders", _("Pesanan")),
    ]
    rows = [[point.day, point.turnover, point.asn_turnover, point.orders] for point in board.days]
    return _table("harian", columns, rows)


def categories(board: Dashboard) -> Table:
    columns = [
        _text("category", _("Kategori")),
        _count("orders", _("Pesanan")),
        _money("turnover", _("Omzet")),
        _percent("share", _("Pangsa")),
    ]
    rows = [[row.name, row.orders, row.turnover, row.share] for row in board.categories]
    return _table("kategori", columns, rows)


def kinds(board: Dashboard) -> Table:
    columns = [
        _text("kind", _("Jenis toko")),
        _count("merchants", _("Toko terverifikasi")),
        _count("active_merchants", _("Toko aktif")),
        _count("orders", _("Pesanan")),
        _money("turnover", _("Omzet")),
        _percent("share", _("Pangsa")),
    ]
    rows = [
        [row.label, row.merchants, row.active_merchants, row.orders, row.turnover, row.share]
        for row in board.kinds
    ]
    return _table("jenis-toko", columns, rows)


def kecamatan(board: Dashboard) -> Table:
    columns = [
        _text("code", _("Kode")),
        _text("kecamatan", _("Kecamatan")),
        _count("merchants", _("Toko terverifikasi")),
        _count("active_merchants", _("Toko aktif")),
        _count("idle_merchants", _("Toko tanpa pesanan")),
        _percent("idle_share", _("Pangsa toko tanpa pesanan")),
        _count("orders", _("Pesanan")),
        _money("turnover", _("Omzet")),
        _money("asn_turnover", _("Omzet ASN")),
        _percent("asn_home_share", _("Omzet ASN dari warga kecamatan sendiri")),
        _percent("share", _("Pangsa omzet kota")),
    ]
    rows = [
        [
            row.code,
            row.name,
            row.merchants,
            row.active_merchants,
            row.idle_merchants,
            row.idle_share,
            row.orders,
            row.turnover,
            row.asn_turnover,
            row.asn_home_share,
            row.share,
        ]
        for row in board.kecamatan
    ]
    return _table("kecamatan", columns, rows)


def lorenz(board: Dashboard) -> Table:
    columns = [_percent("shops", _("Pangsa toko")), _percent("turnover", _("Pangsa omzet ASN"))]
    rows = [[shops, money] for shops, money in board.equity.lorenz]
    return _table("lorenz", columns, rows)


def _shop_columns() -> list[Column]:
    return [
        _text("merchant", _("Toko")),
        _text("kind", _("Jenis")),
        _text("kelurahan", _("Kelurahan")),
        _text("kecamatan", _("Kecamatan")),
        _text("phone", _("Telepon toko")),
    ]


def _kind_label(kind: str, line: str) -> str:
    if kind == Merchant.Kind.UMKM and line:
        return f"UMKM {str(Merchant.Line(line).label).lower()}"
    return str(Merchant.Kind(kind).label) if kind in Merchant.Kind.values else kind


def _shop_cells(shop) -> list:
    return [
        shop.name,
        _kind_label(shop.kind, shop.line),
        shop.kelurahan,
        shop.kecamatan,
        shop.phone,
    ]


def capped(board: Dashboard) -> Table:
    columns = [*_shop_columns(), _money("used", _("Terpakai")), _money("cap", _("Batas"))]
    rows = [[*_shop_cells(row.shop), row.used, row.cap] for row in board.equity.capped]
    return _table("toko-di-batas", columns, rows)


def idle(board: Dashboard) -> Table:
    rows = [_shop_cells(shop) for shop in board.equity.idle]
    return _table("toko-tanpa-pesanan", _shop_columns(), rows)


def opd_compliance(board: Dashboard) -> Table:
    columns = [
        _text("rank", _("Peringkat")),
        _text("code", _("Kode OPD")),
        _text("opd", _("OPD")),
        _count("asn", _("ASN")),
        _count("met", _("Memenuhi")),
        _count("exempt", _("Dibebaskan")),
        _count("unmet", _("Belum memenuhi")),
        _percent("share", _("Kepatuhan")),
        _money("shortfall", _("Total kekurangan")),
    ]
    rows = [
        [rank, line.code, line.name, line.asn, line.met, line.exempt, line.unmet, line.share]
        + [line.shortfall]
        for rank, line in enumerate(board.compliance.by_opd, start=1)
    ]
    return _table("kepatuhan-opd", columns, rows)


def unmet(board: Dashboard) -> Table:
    columns = [
        _text("nip", _("NIP")),
        _text("name", _("Nama")),
        _text("opd_code", _("Kode OPD")),
        _text("opd", _("OPD")),
        _text("golongan", _("Golongan")),
        _money("required", _("Kewajiban")),
        _money("spent", _("Belanja")),
        _money("shortfall", _("Kekurangan")),
    ]
    rows = [
        [row.nip, row.full_name, row.opd_code, row.opd_name, row.golongan]
        + [row.required, row.spent, row.shortfall]
        for row in named(board.compliance.unmet_people)
    ]
    return _table("asn-belum-memenuhi", columns, rows)


TABLES: dict[str, Callable[[Dashboard], Table]] = {
    "ringkasan": summary,
    "bulanan": months,
    "harian": days,
    "kategori": categories,
    "jenis-toko": kinds,
    "kecamatan": kecamatan,
    "lorenz": lorenz,
    "toko-di-batas": capped,
    "toko-tanpa-pesanan": idle,
    "kepatuhan-opd": opd_compliance,
    "asn-belum-memenuhi": unmet,
}


def table_of(board: Dashboard, slug: str) -> Table:
    if slug not in TABLES:
        raise NotFound(_("Tabel '%(slug)s' tidak ada.") % {"slug": slug})
    return TABLES[slug](board)


# --- files ------------------------------------------------------------------------------------


def xlsx_bytes(table: Table, heading: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    sheet.append(safe_row([heading]))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(safe_row(column.label for column in table.columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(safe_row(row))
        for index, column in enumerate(table.columns, start=1):
            _format(sheet.cell(row=sheet.max_row, column=index), column.kind)
    for index, column in enumerate(table.columns, start=1):
        width = max(12, min(40, len(column.label) + 4))
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _format(cell, kind: str) -> None:
    if kind == "rupiah":
        cell.number_format = RUPIAH_FORMAT
    elif kind == "percent":
        cell.number_format = PERCENT_FORMAT
    elif kind == "count":
        cell.number_format = COUNT_FORMAT
    elif kind == "date":
        cell.number_format = "yyyy-mm-dd"


def csv_bytes(table: Table) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(
        safe_row(
            f"{column.label} (%)" if column.kind == "percent" else column.label
            for column in table.columns
        )
    )
    for row in table.rows:
        writer.writerow(
            safe_row(
                _csv_value(value, column.kind)
                for value, column in zip(row, table.columns, strict=True)
            )
        )
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def _csv_value(value, kind: str):
    if value is None:
        return ""
    if kind == "percent":
        return f"{value * 100:.2f}"
    if kind == "date":
        return value.isoformat()
    return value
