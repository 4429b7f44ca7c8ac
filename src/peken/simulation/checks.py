"""After the month: the invariants that must hold, recounted from the rows, and the figures a
city compares policies by."""

from django.db.models import F, Sum

from peken.accounts.models import AsnProfile
from peken.integrity.invariants import invariants_check
from peken.merchants.models import Merchant
from peken.obligations.models import ObligationResult
from peken.obligations.selectors import home_kecamatan_id
from peken.ordering.models import Order
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key
from peken.reports.rules import gini

LIVE = ["paid", "accepted", "delivering", "ready_for_pickup", "completed"]
# "At its cap": less left than a typical basket, so an ASN can no longer buy there.
AT_CAP_MARGIN = 100_000


def invariants(month, initial_stock: dict[int, int]) -> dict[str, bool]:
    """Every rule of peken.integrity (stock against the city's starting stock too), and the
    month close's frozen results against a recount."""
    held = {result.name: result.holds for result in invariants_check(stock_baseline=initial_stock)}
    return {**held, "obligations_recounted": _obligations_match(month_key(month))}


def _goods_left():
    return F("goods_total") - F("refunded_goods")


def _obligations_match(key) -> bool:
    spent = dict(
        Order.objects.filter(month=key, buyer_kind="asn", status__in=LIVE)
        .values("buyer_id")
        .annotate(goods=Sum(_goods_left()))
        .values_list("buyer_id", "goods")
    )
    frozen = ObligationResult.objects.filter(month=key).values_list("asn__user_id", "spent")
    return all(spent.get(user_id, 0) == amount for user_id, amount in frozen) and frozen.exists()


def figures(month) -> dict:
    key = month_key(month)
    paid = Order.objects.filter(month=key, status__in=LIVE)
    asn_turnover = dict(
        paid.filter(buyer_kind="asn")
        .values("merchant_id")
        .annotate(goods=Sum(_goods_left()))
        .values_list("merchant_id", "goods")
    )
    verified = list(Merchant.objects.filter(status="verified").values_list("pk", flat=True))
    results = ObligationResult.objects.filter(month=key)
    obligated = results.filter(required__gt=0, is_exempt=False)
    return {
        "orders": paid.count(),
        "turnover": paid.aggregate(t=Sum(_goods_left()))["t"] or 0,
        "merchants_at_cap": MerchantMonthQuota.objects.filter(
            month=key, used__gte=F("cap") - AT_CAP_MARGIN
        ).count(),
        "gini": round(gini([asn_turnover.get(pk, 0) for pk in verified]) or 0.0, 4),
        "merchants_with_orders_share": round(
            sum(1 for pk in verified if asn_turnover.get(pk)) / max(1, len(verified)), 4
        ),
        "home_kecamatan_share": round(_home_share(key), 4),
        "compliance_rate": round(
            obligated.filter(is_met=True).count() / max(1, obligated.count()), 4
        ),
    }


def _home_share(key) -> float:
    homes = {
        profile.user_id: home_kecamatan_id(profile)
        for profile in AsnProfile.objects.select_related("domicile_kelurahan")
    }
    rows = (
        Order.objects.filter(month=key, buyer_kind="asn", status__in=LIVE)
        .values("buyer_id", "merchant__kelurahan__kecamatan_id")
        .annotate(goods=Sum(_goods_left()))
    )
    total = home = 0
    for row in rows:
        total += row["goods"]
        if homes.get(row["buyer_id"]) == row["merchant__kelurahan__kecamatan_id"]:
            home += row["goods"]
    return home / total if total else 0.0
