"""The cap arithmetic. Pure: no Django."""

import datetime as dt

from peken.core.months import Month


def month_key(month: Month) -> dt.date:
    """How a WIB month is stored: its first day."""
    return dt.date(month.year, month.month, 1)


def remaining(*, cap: int, used: int) -> int:
    return max(0, cap - used)


def lowered_cap(*, new_cap: int, used: int) -> int:
    """A cap lowered below what is already reserved stops at the reserved amount: orders already
    placed stand, and the shop simply takes no more this month."""
    return max(new_cap, used)
