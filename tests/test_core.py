"""Money, WIB months, masking and table reading: the shared pieces every app leans on."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import translation

from peken.core.masking import mask_nik, mask_phone
from peken.core.money import format_rupiah, format_thousands
from peken.core.months import WIB, Month
from peken.core.tabular import FileRejected, normalize_header, read_table

LIMIT = 1024 * 1024


def test_rupiah_is_shown_with_dot_thousands():
    assert format_rupiah(30_000_000) == "Rp 30.000.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(-1500) == "-Rp 1.500"
    assert format_thousands(1_234_567) == "1.234.567" and format_thousands(999) == "999"


def test_a_month_knows_the_one_before_its_first_day_and_its_name():
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 3).previous() == Month(2026, 2)
    assert Month(2026, 3).first_day() == dt.date(2026, 3, 1)
    with translation.override("id"):
        assert Month(2026, 11).label() == "November 2026"
        assert Month(2026, 8).label() == "Agustus 2026"


@pytest.mark.parametrize("amount", [1.5, "1000", True])
def test_rupiah_refuses_anything_but_integers(amount):
    with pytest.raises(TypeError):
        format_rupiah(amount)


def test_month_boundaries_are_wib():
    last_second = dt.datetime(2026, 1, 31, 23, 59, 59, tzinfo=WIB)
    assert Month.of(last_second) == Month(2026, 1)
    assert Month.of(last_second + dt.timedelta(seconds=1)) == Month(2026, 2)
    # 17:00 UTC on the 31st is already midnight of the 1st in Surabaya.
    assert Month.of(dt.datetime(2026, 1, 31, 17, 0, tzinfo=dt.UTC)) == Month(2026, 2)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 12).end() == dt.datetime(2027, 1, 1, tzinfo=WIB)
    assert str(Month.parse("2026-03")) == "2026-03"


@pytest.mark.parametrize("text", ["2026-13", "26-01", "2026/01", "maret"])
def test_month_parse_refuses_nonsense(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_naive_datetimes_have_no_month():
    with pytest.raises(ValueError):
        Month.of(dt.datetime(2026, 1, 1))


def test_nik_and_phone_masks_keep_only_the_ends():
    assert mask_nik("3578011203900001") == "3578********0001"
    assert mask_phone("081234567890") == "0812****7890"
    assert mask_nik(None) == "" and mask_nik("123") == "***"


def test_headers_match_whatever_case_and_spacing():
    assert normalize_header(" Kode OPD ") == "kode_opd"
    assert normalize_header("KODE-OPD") == "kode_opd"
    assert normalize_header("kode__opd") == "kode_opd"


@pytest.mark.parametrize(
    "data",
    [
        "NIP,Nama\n1,José Ñandú\n".encode(),
        "\ufeffNIP,Nama\n1,José Ñandú\n".encode(),
        "NIP;Nama\r\n1;José Ñandú\r\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252-semicolon"],
)
def test_csv_in_the_encodings_offices_use(data):
    table = read_table(data, max_bytes=LIMIT)
    assert table.columns == ["nip", "nama"]
    assert table.rows == [(2, {"nip": "1", "nama": "José Ñandú"})]


def test_xlsx_is_read_and_long_numbers_are_flagged():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["NIP", "Nama", "Lahir"])
    sheet.append(["199003122015031001", "Siti", dt.datetime(1990, 3, 12)])
    sheet.append([199003122015031001, "Budi", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), max_bytes=LIMIT)
    assert table.rows[0] == (
        2,
        {"nip": "199003122015031001", "nama": "Siti", "lahir": "1990-03-12"},
    )
    assert [(p.line, p.column) for p in table.problems] == [(3, "nip")]
    assert "Teks" in table.problems[0].message


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "kosong"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bukan spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04this is not a zip", "bukan Excel"),
        (b"x" * (LIMIT + 1), "terlalu besar"),
        (b"\x81\x8d\x8f\x90\x9d", "bukan teks"),
    ],
    ids=["empty", "png", "old-xls", "broken-xlsx", "too-large", "binary-garbage"],
)
def test_what_is_not_a_table_is_refused_clearly(data, fragment):
    with pytest.raises(FileRejected) as caught:
        read_table(data, max_bytes=LIMIT)
    assert fragment in caught.value.message
    assert caught.value.code == "file_invalid"
