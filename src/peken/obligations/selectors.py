"""What each ASN owes in a month and what they spent. Computed from orders for an open month,
read from the frozen results for a closed one. Lists cost a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
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
from peken.ordering.models import Order
from peken.policy.selectors import policy_current
from peken.quotas.rules import month_key

# Orders whose money has arrived; what a complaint refunded of their goods is taken off.
PAID_STATUSES = ("paid", "accepted", "delivering", "ready_for_pickup", "completed")


class NotAnAsn(PermissionDenied):
    code = "not_an_asn"
    default_message = gettext_lazy("Kewajiban belanja hanya untuk ASN aktif.")


@dataclass(frozen=True)
class PersonResult:
    asn: AsnProfile
    figures: rules.ObligationFigures


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


def _spent(month: dt.date, asns: list[AsnProfile]) -> dict[int, int]:
    """Goods bought per ASN user in the month; with the city's switch, only in their home
    kecamatan. Delivery fees are not spending at the shop and do not count."""
    orders = Order.objects.filter(
        month=month,
        buyer_kind=Order.BuyerKind.ASN,
        status__in=PAID_STATUSES,
        buyer_id__in=[asn.user_id for asn in asns],
    )
    rows = orders.values("buyer_id", "merchant__kelurahan__kecamatan_id").annotate(
        total=Sum(F("goods_total") - F("refunded_goods"))
    )
    home_only = policy_current().obligation_home_kecamatan_only
    home = {asn.user_id: home_kecamatan_id(asn) for asn in asns}
    spent: dict[int, int] = defaultdict(int)
    for row in rows:
        if home_only and row["merchant__kelurahan__kecamatan_id"] != home[row["buyer_id"]]:
            continue
        spent[row["buyer_id"]] += row["total"]
    return spent


def _adjustments(month: dt.date, asns: list[AsnProfile]) -> tuple[dict[int, int], set[int]]:
    ids = [asn.pk for asn in asns]
    in_month = Q(from_month__lte=month) & (Q(until_month__isnull=True) | Q(until_month__gte=month))
    overrides = dict(
        ObligationOverride.objects.filter(in_month, asn_id__in=ids)
        .order_by("from_month")
        .values_list("asn_id", "amount")
    )
    exempt = set(
        ObligationExemption.objects.filter(
            asn_id__in=ids, from_month__lte=month, until_month__gte=month
        ).values_list("asn_id", flat=True)
    )
    return overrides, exempt


def results_for(asns: list[AsnProfile], month: Month) -> list[PersonResult]:
    """Live figures for these ASN in an open month (four queries whatever their number)."""
    key = month_key(month)
    table = rule_table()
    spent = _spent(key, asns)
    overrides, exempt = _adjustments(key, asns)
    results = []
    for asn in asns:
        required = overrides.get(asn.pk)
        if required is None:
            required = rules.required_amount(golongan=asn.golongan, eselon=asn.eselon, table=table)
        figures = rules.figures(
            required=required, spent=spent.get(asn.user_id, 0), is_exempt=asn.pk in exempt
        )
        results.append(PersonResult(asn, figures))
    return results


def is_closed(month: Month) -> bool:
    return MonthClose.objects.filter(month=month_key(month)).exists()


def _frozen(asns: list[AsnProfile], month: Month) -> list[PersonResult]:
    stored = {
        result.asn_id: result
        for result in ObligationResult.objects.filter(
            month=month_key(month), asn_id__in=[asn.pk for asn in asns]
        )
    }
    return [PersonResult(asn, _figures_of(stored[asn.pk])) for asn in asns if asn.pk in stored]


def _figures_of(result: ObligationResult) -> rules.ObligationFigures:
    return rules.figures(required=result.required, spent=result.spent, is_exempt=result.is_exempt)


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
    asn = (
        AsnProfile.objects.select_related("domicile_kelurahan")
        .filter(user=user, is_active=True)
        .first()
    )
    if asn is None:
        raise NotAnAsn()
    results = _frozen([asn], month) if is_closed(month) else results_for([asn], month)
    if not results:  # closed before this person was on the roster: nothing was owed
        return rules.figures(required=0, spent=0)
    return results[0].figures


def _opd_members(opd: OPD) -> QuerySet[AsnProfile]:
    return (
        AsnProfile.objects.filter(opd=opd, is_active=True)
        .select_related("user", "domicile_kelurahan")
        .order_by("nip")
    )


def opd_compliance(*, viewer: User, opd_code: str, month: Month) -> tuple[OPD, list[PersonResult]]:
    """Every ASN of an OPD with their figures, the largest shortfall first. For that OPD's
    admins, city admins and auditors."""
    opd = OPD.objects.filter(code=opd_code).first()
    if opd is None:
        raise NotFound(_("OPD '%(code)s' tidak dikenal.") % {"code": opd_code})
    allowed = permissions.opd_ids_of(viewer)
    if allowed is not None and opd.pk not in allowed:
        raise PermissionDenied(_("Anda hanya dapat melihat OPD Anda sendiri."))
    if is_closed(month):
        stored = ObligationResult.objects.filter(month=month_key(month), opd_id=opd.pk)
        asns = list(
            AsnProfile.objects.filter(pk__in=stored.values("asn_id"))
            .select_related("user", "domicile_kelurahan")
            .order_by("nip")
        )
        results = _frozen(asns, month)
    else:
        results = results_for(list(_opd_members(opd)), month)
    results.sort(key=lambda result: (-result.figures.remaining, result.asn.nip))
    return opd, results
