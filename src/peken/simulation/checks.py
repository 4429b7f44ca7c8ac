"""After the month: the invariants that must hold, recounted from the rows, and the figures a
city compares policies by."""

from collections import defaultdict

from django.db.models import F, Min, Sum

from peken.accounts.models import AsnProfile
from peken.catalog.models import Product
from peken.ledger.selectors import account_balances, ledger_is_balanced
from peken.merchants.models import Merchant
from peken.obligations.models import ObligationResult
from peken.obligations.selectors import home_kecamatan_id
from peken.ordering.models import Order
from peken.payments.models import Payment, Refund
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key
from peken.reports.rules import gini

LIVE = ["paid", "accepted", "delivering", "ready_for_pickup", "completed"]
# "At its cap": less left than a typical basket, so an ASN can no longer buy there.
AT_CAP_MARGIN = 100_000


def invariants(month, initial_stock: dict[int, int]) -> dict[str, bool]:
    key = month_key(month)
    return {
        "cap_never_exceeded": not MerchantMonthQuota.objects.filter(used__gt=F("cap")).exists(),
        "cap_ledger_equals_orders": _cap_ledger_matches(key),
        "stock_never_negative": (Product.objects.aggregate(low=Min("stock"))["low"] or 0) >= 0,
        "stock_equals_initial_minus_sold": _stock_matches(initial_stock),
        "ledger_balanced": ledger_is_balanced(),
        "ledger_equals_payments": _ledger_matches_payments(),
        "obligations_recounted": _obligations_match(key),
    }


def _goods_left():
    return F("goods_total") - F("refunded_goods")


def _cap_ledger_matches(key) -> bool:
    live = (
        Order.objects.filter(month=key, counts_toward_cap=True, status__in=LIVE)
        .values("merchant_id")
        .annotate(goods=Sum(_goods_left()))
    )
    expected = {row["merchant_id"]: row["goods"] for row in live}
    used = dict(
        MerchantMonthQuota.objects.filter(month=key, used__gt=0).values_list("merchant_id", "used")
    )
    return used == {merchant: goods for merchant, goods in expected.items() if goods}


def _stock_matches(initial: dict[int, int]) -> bool:
    sold = defaultdict(int)
    live_items = Order.objects.filter(status__in=LIVE).values_list(
        "items__product_id", "items__quantity", "items__reserved_stock"
    )
    for product_id, quantity, reserved in live_items:
        if reserved:
            sold[product_id] += quantity
    now = dict(Product.objects.filter(is_made_to_order=False).values_list("pk", "stock"))
    return all(now[pk] == initial[pk] - sold.get(pk, 0) for pk in now)


def _ledger_matches_payments() -> bool:
    received = Payment.objects.filter(status="paid").aggregate(t=Sum("amount"))["t"] or 0
    refunded = Refund.objects.aggregate(t=Sum("amount"))["t"] or 0
    return account_balances()["gateway_clearing"] == received - refunded


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
