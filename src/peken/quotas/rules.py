"""The cap arithmetic. Pure: no Django."""

import datetime as dt

from peken.core.money import format_thousands
from peken.core.months import Month
from peken.core.rule_errors import RuleError, gettext_noop

# A cap is whole rupiah from Rp 1 to Rp 10^12: far above any shop's month of ASN turnover, far
# below what a 64-bit database integer holds (a larger number was a 500).
CAP_MIN = 1
CAP_MAX = 10**12


def cap_check(cap: int) -> None:
    """Raises RuleError for a cap outside Rp 1 .. Rp 10^12."""
    if not CAP_MIN <= cap <= CAP_MAX:
        raise RuleError(
            gettext_noop("Batas omzet harus antara Rp 1 dan Rp %(maximum)s."),
            maximum=format_thousands(CAP_MAX),
        )


def month_key(month: Month) -> dt.date:
    """How a WIB month is stored: its first day (Month.first_day, kept for the callers in
    peken.ordering)."""
    return month.first_day()


def remaining(*, cap: int, used: int) -> int:
    return max(0, cap - used)


def lowered_cap(*, new_cap: int, used: int) -> int:
    """A cap lowered below what is already reserved stops at the reserved amount: orders already
    placed stand, and the shop simply takes no more this month."""
    return max(new_cap, used)
