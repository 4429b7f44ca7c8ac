"""The OPD compliance list as an Excel workbook: a title row, a header row, one row per person.

NIP is written as text (18 digits would lose their last three as an Excel number) and amounts as
whole-rupiah integers with a rupiah number format, so sums and filters work in the sheet."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from peken.accounts.models import OPD
from peken.core.months import Month
from peken.core.spreadsheet import safe_row
from peken.web.opd.compliance import ComplianceRow

RUPIAH_FORMAT = '"Rp" #,##0'
TEXT_FORMAT = "@"
COLUMN_WIDTHS = [22, 32, 10, 10, 16, 16, 16, 18]


def compliance_workbook(*, opd: OPD, month: Month, rows: list[ComplianceRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Kepatuhan")[:31]
    headers = [
        _("NIP"),
        _("Nama"),
        _("Golongan"),
        _("Eselon"),
        _("Kewajiban (Rp)"),
        _("Belanja (Rp)"),
        _("Kekurangan (Rp)"),
        _("Status"),
    ]
    title = _("Kepatuhan belanja ASN — %(opd)s (%(code)s) — %(month)s") % {
        "opd": opd.name,
        "code": opd.code,
        "month": month.label(),
    }
    sheet.append(safe_row([title]))
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(safe_row(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(_cells(row)))
        _format_row(sheet, sheet.max_row)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{sheet.max_row}"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _cells(row: ComplianceRow) -> list:
    return [
        row.nip,
        row.full_name,
        row.golongan,
        row.eselon or _("Non-eselon"),
        int(row.required),
        int(row.spent),
        int(row.shortfall),
        row.status_label,
    ]


def _format_row(sheet, number: int) -> None:
    sheet.cell(row=number, column=1).number_format = TEXT_FORMAT
    for column in (5, 6, 7):
        sheet.cell(row=number, column=column).number_format = RUPIAH_FORMAT


def export_filename(opd: OPD, month: Month) -> str:
    """`kepatuhan-DINKOPDAG-2026-11.xlsx`."""
    safe_code = "".join(char for char in opd.code if char.isalnum() or char in "-_") or "opd"
    return f"kepatuhan-{safe_code}-{month}.xlsx"
