"""What the OPD compliance page and its spreadsheet show: the list from
peken.obligations.selectors.opd_compliance, sorted and filtered as the admin asked. Only
presentation: required, spent, shortfall and met come from the selector untouched."""

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from peken.accounts import permissions
from peken.accounts.models import OPD, User
from peken.core.months import Month
from peken.obligations.selectors import PersonResult

STATUS_LABELS = {
    "met": _("Memenuhi"),
    "unmet": _("Belum memenuhi"),
    "exempt": _("Dibebaskan"),
}
# Column → its natural first direction: names A–Z, amounts largest first.
SORT_COLUMNS = {"name": "", "spent": "-", "shortfall": "-"}
DEFAULT_SORT = "-shortfall"  # the selector's own order: who is furthest behind first


@dataclass(frozen=True)
class ComplianceRow:
    nip: str
    full_name: str
    golongan: str
    eselon: str
    required: int
    spent: int
    shortfall: int
    status: str  # met, unmet or exempt

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass(frozen=True)
class ComplianceQuery:
    """What the admin asked to see: `?opd=&month=&sort=&unmet=1`."""

    opd_code: str
    month: Month
    sort: str = DEFAULT_SORT
    unmet_only: bool = False

    @property
    def sort_column(self) -> str:
        return self.sort.lstrip("-")

    @property
    def is_descending(self) -> bool:
        return self.sort.startswith("-")

    def params(self, **changes) -> str:
        """This query as a URL's query string, with some parts changed."""
        query = replace(self, **changes)
        values = {"opd": query.opd_code, "month": str(query.month), "sort": query.sort}
        if query.unmet_only:
            values["unmet"] = "1"
        return urlencode(values)

    def sorted_by(self, column: str) -> str:
        """The query string a column heading links to: that column, or the other direction."""
        if column == self.sort_column:
            flipped = column if self.is_descending else f"-{column}"
            return self.params(sort=flipped)
        return self.params(sort=SORT_COLUMNS[column] + column)


def sort_or_default(text: str | None) -> str:
    return text if text and text.lstrip("-") in SORT_COLUMNS else DEFAULT_SORT


def opd_choices(viewer: User) -> list[OPD]:
    """The OPDs this person may look at: their own, or every active one for city-wide roles."""
    ids = permissions.opd_ids_of(viewer)
    if ids is None:
        return list(OPD.objects.filter(is_active=True).order_by("code"))
    return list(OPD.objects.filter(pk__in=ids).order_by("code"))


def rows_of(results: list[PersonResult]) -> list[ComplianceRow]:
    return [
        ComplianceRow(
            nip=result.asn.nip,
            full_name=result.asn.user.full_name,
            golongan=result.asn.golongan,
            eselon=result.asn.eselon,
            required=result.figures.required,
            spent=result.figures.spent,
            shortfall=result.figures.remaining,
            status=result.figures.status,
        )
        for result in results
    ]


def rows_shown(rows: list[ComplianceRow], query: ComplianceQuery) -> list[ComplianceRow]:
    """Filtered and sorted as asked; ties keep NIP order so the list never shuffles."""
    shown = [row for row in rows if row.status == "unmet" or not query.unmet_only]
    shown.sort(key=lambda row: row.nip)
    column = query.sort_column
    if column == "name":
        shown.sort(key=lambda row: row.full_name.casefold(), reverse=query.is_descending)
    else:
        shown.sort(key=lambda row: getattr(row, column), reverse=query.is_descending)
    return shown


def totals(rows: list[ComplianceRow]) -> dict[str, int]:
    """Counts over the whole OPD, whatever the filter shows."""
    return {
        "people": len(rows),
        "met": sum(row.status == "met" for row in rows),
        "unmet": sum(row.status == "unmet" for row in rows),
        "exempt": sum(row.status == "exempt" for row in rows),
        "shortfall": sum(row.shortfall for row in rows),
    }
