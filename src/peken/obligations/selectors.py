"""What each ASN owes in a month and what they spent: the one computation of month compliance.
The ASN's own bar, the OPD list and its spreadsheet, the city report and the month close all read
`month_compliance`, so they cannot disagree.

An open month is computed from the rule table, the overrides and exemptions in force and each
ASN's spending as the buyer roll-up holds it (peken.reports.models.BuyerMonth, written by the money
path in the payment's own transaction): 16,000 ASN cost a handful of queries, and whether a shop
lies in the buyer's home kecamatan is decided once, when the order is paid (a roll-up rebuild,
as the month close does, decides it again from the profiles of that moment). A closed month reads
the results the month close froze. Every reader costs a fixed number of queries."""

from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.accounts import permissions
from peken.accounts.models import OPD, AsnProfile, User
from peken.core.cache import OBLIGATION_RULES, cached, generation, orders_of
from peken.core.errors import NotFound, PermissionDenied
from peken.core.months import Month
from peken.obligations import rules
from peken.obligations.models import (
    MonthClose,
    ObligationExemption,
    ObligationOverride,
    ObligationResult,
    ObligationRule,
)
from peken.policy.selectors import policy_current
from peken.reports.models import BuyerMonth

# Orders whose money has arrived; what a complaint refunded of their goods is taken off.
PAID_STATUSES = ("paid", "accepted", "delivering", "ready_for_pickup", "completed")


class NotAnAsn(PermissionDenied):
    code = "not_an_asn"
    default_message = gettext_lazy("Kewajiban belanja hanya untuk ASN aktif.")


class AsnMonth(NamedTuple):
    """One ASN's figures for a month (a tuple: the city report makes 16,000 of them). `opd_id`
    is the OPD at closing time for a closed month, today's for an open one."""

    asn_id: int
    opd_id: int
    nip: str
    golongan: str
    figures: rules.ObligationFigures


@dataclass(frozen=True)
class MonthCompliance:
    is_closed: bool
    people: list[AsnMonth]


@dataclass(frozen=True)
class PersonResult:
    asn: AsnProfile
    figures: rules.ObligationFigures


@dataclass(frozen=True)
class OpdCompliance:
    opd: OPD
    is_closed: bool
    results: list[PersonResult]  # the largest shortfall first


def rule_table() -> list[rules.RuleLine]:
    return [
        rules.RuleLine(golongan, eselon, amount)
        for golongan, eselon, amount in ObligationRule.objects.values_list(
            "golongan", "eselon", "amount"
        )
    ]


def home_kecamatan_id(asn: AsnProfile) -> int | None:
    if asn.domicile_kelurahan_id is not None:
        return asn.domicile_kelurahan.kecamatan_id
    return asn.workplace_kecamatan_id


def is_closed(month: Month) -> bool:
    return MonthClose.objects.filter(month=month.first_day()).exists()


def month_compliance(
    month: Month, *, asn_ids: list[int] | None = None, opd_id: int | None = None
) -> MonthCompliance:
    """Every ASN's figures for the month — or only those of `asn_ids`, or of one OPD: the frozen
    results of a closed month, else every active ASN's live figures. Six queries at most,
    whatever the number of people."""
    if is_closed(month):
        return MonthCompliance(True, _frozen(month, asn_ids, opd_id))
    return MonthCompliance(False, _live(month, asn_ids, opd_id))


def _frozen(month: Month, asn_ids: list[int] | None, opd_id: int | None) -> list[AsnMonth]:
    stored = ObligationResult.objects.filter(month=month.first_day()).order_by()
    if asn_ids is not None:
        stored = stored.filter(asn_id__in=asn_ids)
    if opd_id is not None:
        stored = stored.filter(opd_id=opd_id)
    rows = stored.values_list(
        "asn_id", "opd_id", "asn__nip", "asn__golongan", "required", "spent", "is_exempt"
    )
    return [
        AsnMonth(
            asn_id,
            opd,
            nip,
            golongan,
            rules.figures(required=required, spent=spent, is_exempt=is_exempt),
        )
        for asn_id, opd, nip, golongan, required, spent, is_exempt in rows
    ]


def _live(month: Month, asn_ids: list[int] | None, opd_id: int | None) -> list[AsnMonth]:
    profiles = AsnProfile.objects.filter(is_active=True).order_by()
    if asn_ids is not None:
        profiles = profiles.filter(pk__in=asn_ids)
    if opd_id is not None:
        profiles = profiles.filter(opd_id=opd_id)
    # The whole city reads every row of the month rather than a list of 16,000 ids.
    scope = None if asn_ids is None and opd_id is None else profiles
    table = rule_table()
    overrides, exempt = _adjustments(month, scope)
    spent = _spent(month, scope)
    required_by_grade: dict[tuple[str, str], int] = {}
    people = []
    rows = profiles.values_list("pk", "user_id", "opd_id", "golongan", "eselon", "nip")
    for pk, user_id, opd, golongan, eselon, nip in rows:
        required = overrides.get(pk)
        if required is None:
            grade = (golongan, eselon)
            if grade not in required_by_grade:
                required_by_grade[grade] = rules.required_amount(
                    golongan=golongan, eselon=eselon, table=table
                )
            required = required_by_grade[grade]
        figures = rules.figures(
            required=required, spent=spent.get(user_id, 0), is_exempt=pk in exempt
        )
        people.append(AsnMonth(pk, opd, nip, golongan, figures))
    return people


def _adjustments(
    month: Month, scope: QuerySet[AsnProfile] | None
) -> tuple[dict[int, int], set[int]]:
    """Overrides and exemptions in force in the month (the latest override wins)."""
    key = month.first_day()
    in_month = Q(from_month__lte=key) & (Q(until_month__isnull=True) | Q(until_month__gte=key))
    overrides = ObligationOverride.objects.filter(in_month).order_by("from_month")
    exemptions = ObligationExemption.objects.filter(from_month__lte=key, until_month__gte=key)
    if scope is not None:
        overrides = overrides.filter(asn_id__in=scope.values("pk"))
        exemptions = exemptions.filter(asn_id__in=scope.values("pk"))
    return (
        dict(overrides.values_list("asn_id", "amount")),
        set(exemptions.values_list("asn_id", flat=True)),
    )


def _spent(month: Month, scope: QuerySet[AsnProfile] | None) -> dict[int, int]:
    """Each ASN user's spending of the month — goods kept, delivery fees are not spending at the
    shop — all of it, or under the city's switch only what they spent in their home kecamatan."""
    home_only = policy_current().obligation_home_kecamatan_only
    rows = BuyerMonth.objects.filter(month=month.first_day(), buyer_kind="asn").order_by()
    if scope is not None:
        rows = rows.filter(buyer_id__in=scope.values("user_id"))
    return {
        buyer: home if home_only else goods
        for buyer, goods, home in rows.values_list("buyer_id", "goods", "home_goods")
    }


# Read on every page an ASN opens (the obligation bar); exact after each of their own orders
# (a generation per buyer), and a rule change reaches them within this time at the latest.
OBLIGATION_CACHE_SECONDS = 300


def obligation_of(*, user: User, month: Month) -> rules.ObligationFigures:
    """The signed-in ASN's own figures for a month, kept until their next order step."""
    parts = (str(month), generation(OBLIGATION_RULES))
    return cached(
        orders_of(user.pk), parts, OBLIGATION_CACHE_SECONDS, lambda: _obligation_of(user, month)
    )


def _obligation_of(user: User, month: Month) -> rules.ObligationFigures:
    asn_id = AsnProfile.objects.filter(user=user, is_active=True).values_list("pk", flat=True)
    found = asn_id.first()
    if found is None:
        raise NotAnAsn()
    people = month_compliance(month, asn_ids=[found]).people
    if not people:  # closed before this person was on the roster: nothing was owed
        return rules.figures(required=0, spent=0)
    return people[0].figures


def opd_compliance(*, viewer: User, opd_code: str, month: Month) -> OpdCompliance:
    """Every ASN of an OPD with their figures, the largest shortfall first. For that OPD's
    admins, city admins and auditors."""
    opd = OPD.objects.filter(code=opd_code).first()
    if opd is None:
        raise NotFound(_("OPD '%(code)s' tidak dikenal.") % {"code": opd_code})
    allowed = permissions.opd_ids_of(viewer)
    if allowed is not None and opd.pk not in allowed:
        raise PermissionDenied(_("Anda hanya dapat melihat OPD Anda sendiri."))
    compliance = month_compliance(month, opd_id=opd.pk)
    people = compliance.people
    profiles = AsnProfile.objects.select_related("user").in_bulk([row.asn_id for row in people])
    results = [PersonResult(profiles[row.asn_id], row.figures) for row in people]
    results.sort(key=lambda result: (-result.figures.remaining, result.asn.nip))
    return OpdCompliance(opd, compliance.is_closed, results)
