"""One rule for every cell Peken writes to a CSV or XLSX file: text a spreadsheet would run as a
formula (a shop or ASN name like `=HYPERLINK(...)`, `+1`, `-1`, `@SUM(...)`, or one starting with a
tab or carriage return) is written as text with a leading apostrophe (OWASP "CSV injection").
Numbers, dates and empty cells pass unchanged. Pure: no Django."""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet may show it: never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]
