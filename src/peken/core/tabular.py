"""Reading the tables people hand over: CSV (UTF-8, UTF-8 with BOM, Windows-1252; comma or
semicolon, as Indonesian Excel writes it) and Excel .xlsx, into rows of strings keyed by
normalised header names. Importers validate the rows; this module only refuses what is not a
table at all.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peken.core.errors import InvalidInput

XLSX_MAGIC = b"PK\x03\x04"
OLD_OFFICE_MAGIC = b"\xd0\xcf\x11\xe0"
# Excel keeps 15 significant digits: an 18-digit NIP typed as a number is already damaged.
LARGEST_EXACT_EXCEL_NUMBER = 10**15


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


class FileRejected(InvalidInput):
    """The file as a whole cannot be read as a table."""

    code = "file_invalid"
    default_message = gettext_lazy("Berkas tidak dapat dibaca sebagai tabel.")


class ImportRejected(InvalidInput):
    """Some rows are bad; nothing was written. `problems` lists every one of them."""

    code = "import_invalid"
    default_message = gettext_lazy("Berkas berisi data yang tidak valid; tidak ada yang disimpan.")

    def __init__(self, problems: list[ImportProblem], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(
            message
            or ngettext(
                "%(count)s kesalahan ditemukan; tidak ada data yang disimpan.",
                "%(count)s kesalahan ditemukan; tidak ada data yang disimpan.",
                len(problems),
            )
            % {"count": len(problems)},
            errors=[problem.as_dict() for problem in problems],
        )


@dataclass
class Table:
    """Rows of a table; `line` is the line or row number a person sees in their editor."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[ImportProblem] = field(default_factory=list)


def normalize_header(name: object) -> str:
    """`" Kode OPD "`, `"kode-opd"` and `"KODE_OPD"` all become `kode_opd`."""
    return re.sub(r"[\s\-_./]+", "_", str(name or "").strip().lower()).strip("_")


def read_table(data: bytes, *, max_bytes: int) -> Table:
    if len(data) == 0:
        raise FileRejected(_("Berkas kosong."))
    if len(data) > max_bytes:
        raise _too_large(len(data), max_bytes)
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith(OLD_OFFICE_MAGIC):
        raise FileRejected(
            _("Format Excel lama (.xls) tidak didukung; simpan ulang sebagai .xlsx atau CSV.")
        )
    if b"\x00" in data[:8192]:
        raise FileRejected(_("Berkas bukan spreadsheet (CSV atau Excel .xlsx)."))
    return _read_csv(_decode(data))


def read_upload(upload, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file, refusing one over the limit before reading it."""
    if upload.size > max_bytes:
        raise _too_large(upload.size, max_bytes)
    return upload.read()


def _too_large(size: int, max_bytes: int) -> FileRejected:
    megabyte = 1024 * 1024
    return FileRejected(
        _("Berkas terlalu besar (%(size).1f MB); batasnya %(limit)s MB.")
        % {"size": size / megabyte, "limit": max_bytes // megabyte},
        max_bytes=max_bytes,
    )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        _("Berkas bukan teks UTF-8 atau Windows-1252; simpan ulang sebagai CSV UTF-8.")
    )


def _read_csv(text: str) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise FileRejected(_("Berkas tidak berisi baris judul kolom.")) from error
    columns = [normalize_header(name) for name in header]
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((reader.line_num, _row(columns, cells)))
    except csv.Error as error:
        raise FileRejected(
            _("CSV rusak di baris %(line)s: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    return Table(columns=columns, rows=rows)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl  # imported here: loading it costs time every import otherwise

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRejected(_("Berkas bukan Excel .xlsx yang utuh.")) from error
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise FileRejected(_("Lembar kerja pertama kosong."))
        columns = [normalize_header(name) for name in header]
        table = Table(columns=columns, rows=[])
        for line, cells in enumerate(values, start=2):
            if any(cell not in (None, "") for cell in cells):
                texts = [
                    _cell_text(cell, line, column, table)
                    for cell, column in zip(cells, columns, strict=False)
                ]
                table.rows.append((line, _row(columns, texts)))
        return table
    finally:
        workbook.close()


def _cell_text(value: object, line: int, column: str, table: Table) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        if abs(value) >= LARGEST_EXACT_EXCEL_NUMBER:
            table.problems.append(
                ImportProblem(
                    line,
                    column,
                    _(
                        "Angka panjang tersimpan sebagai angka di Excel sehingga digit "
                        "terakhirnya hilang; format kolom ini sebagai Teks lalu isi ulang."
                    ),
                )
            )
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row(columns: list[str], cells: Iterable[str]) -> dict[str, str]:
    row = dict.fromkeys(columns, "")
    for column, cell in zip(columns, cells, strict=False):
        if column:
            row[column] = cell.strip()
    return row


def require_columns(table: Table, required: Iterable[str], aliases: dict[str, str]) -> None:
    """Renames alias columns to their canonical names; refuses a table missing any required one."""
    renamed = [aliases.get(column, column) for column in table.columns]
    if renamed != table.columns:
        table.columns = renamed
        table.rows = [
            (line, {aliases.get(key, key): value for key, value in row.items()})
            for line, row in table.rows
        ]
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise FileRejected(
            _("Kolom wajib tidak ada: %(columns)s.") % {"columns": ", ".join(missing)},
            missing_columns=missing,
        )
    if not table.rows:
        raise FileRejected(_("Berkas tidak berisi baris data."))
