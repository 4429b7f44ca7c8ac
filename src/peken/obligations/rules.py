"""The obligation arithmetic. Pure: no Django."""

from dataclasses import dataclass

ANY_ESELON = "*"


@dataclass(frozen=True)
class RuleLine:
    golongan: str  # "" matches any
    eselon: str  # "*" matches any; "" is non-eselon
    amount: int


@dataclass(frozen=True)
class ObligationFigures:
    required: int
    spent: int
    remaining: int
    is_met: bool
    is_exempt: bool

    @property
    def status(self) -> str:
        """`exempt` (owed nothing this month), `met` or `unmet`, as every page and file counts."""
        if self.is_exempt:
            return "exempt"
        return "met" if self.is_met else "unmet"


def required_amount(*, golongan: str, eselon: str, table: list[RuleLine]) -> int:
    """The most specific matching line: golongan and eselon, then either, then the default.
    Two lines as specific as each other: the higher amount (the stricter reading)."""
    matches = [
        line
        for line in table
        if line.golongan in ("", golongan) and line.eselon in (ANY_ESELON, eselon)
    ]
    if not matches:
        return 0
    best = max(
        matches,
        key=lambda line: (bool(line.golongan) + (line.eselon != ANY_ESELON), line.amount),
    )
    return best.amount


def figures(*, required: int, spent: int, is_exempt: bool = False) -> ObligationFigures:
    """Met when spending reaches the minimum; short by Rp 1 is not met. Exempt: nothing owed."""
    if is_exempt:
        required = 0
    return ObligationFigures(
        required=required,
        spent=spent,
        remaining=max(0, required - spent),
        is_met=spent >= required,
        is_exempt=is_exempt,
    )
