"""WIB calendar months: every month boundary in Peken is a month in Asia/Jakarta."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from peken.core.errors import InvalidInput

WIB = ZoneInfo("Asia/Jakarta")
YEARS = range(1900, 3000)  # the months a person may ask for


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")

    @classmethod
    def parse(cls, text: str) -> "Month":
        """`YYYY-MM` with a year of YEARS → Month; ValueError for anything else (9999-12 would
        end past the last date Python knows)."""
        year_text, _, month_text = text.strip().partition("-")
        if len(year_text) != 4 or len(month_text) != 2:
            raise ValueError(f"not a YYYY-MM month: {text!r}")
        month = cls(int(year_text), int(month_text))
        if month.year not in YEARS:
            raise ValueError(f"year outside {YEARS.start}..{YEARS.stop - 1}: {text!r}")
        return month

    @classmethod
    def of(cls, moment: dt.datetime) -> "Month":
        """The WIB month a moment belongs to; naive datetimes are refused."""
        if moment.tzinfo is None:
            raise ValueError("a naive datetime has no month")
        local = moment.astimezone(WIB)
        return cls(local.year, local.month)

    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.month, 1, tzinfo=WIB)

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def first_day(self) -> dt.date:
        """How a month is stored in a DateField: its first day."""
        return dt.date(self.year, self.month, 1)

    def label(self) -> str:
        """`November 2026`, in the active language."""
        return date_format(self.first_day(), "F Y")

    def end(self) -> dt.datetime:
        """Exclusive end: the first instant of the next month."""
        return self.next().start()

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def month_or_current(text: str | None, *, now: dt.datetime) -> Month:
    """A `?month=YYYY-MM` parameter, or the current WIB month when it is absent."""
    if not text:
        return Month.of(now)
    try:
        return Month.parse(text)
    except ValueError as error:
        raise InvalidInput(
            _("Bulan harus berbentuk YYYY-MM dengan tahun 1900 sampai 2999, misalnya 2026-03."),
            field="month",
        ) from error
