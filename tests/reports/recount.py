"""The dashboard's figures counted the slow, obvious way: every order of the month loaded and
summed in Python. Independent of the roll-ups and of peken.reports.selectors; the tests hold the
dashboard to these numbers."""

import datetime as dt
from collections import Counter, defaultdict
from fractions import Fraction

from peken.accounts.models import AsnProfile
from peken.core.months import WIB, Month
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key
from peken.reports.rules import refund_allocation

PAID = {"paid", "accepted", "delivering", "ready_for_pickup", "completed"}


def paid_orders(month: Month) -> list[Order]:
    orders = Order.objects.filter(month=month_key(month)).select_related(
        "merchant__kelurahan__kecamatan"
    )
    return [order for order in orders.prefetch_related("items__product") if order.status in PAID]


def kept(order: Order) -> int:
    return order.goods_total - order.refunded_goods


def headline(month: Month) -> dict:
    paid = paid_orders(month)
    turnover = sum(kept(order) for order in paid)
    return {
        "turnover": turnover,
        "asn_turnover": sum(kept(order) for order in paid if order.buyer_kind == "asn"),
        "orders": len(paid),
        "average_order": round(Fraction(turnover, len(paid))) if paid else 0,
        "buyers": len({order.buyer_id for order in paid}),
        "asn_buyers": len({order.buyer_id for order in paid if order.buyer_kind == "asn"}),
        "warga_buyers": len({order.buyer_id for order in paid if order.buyer_kind == "warga"}),
        "merchants": len({order.merchant_id for order in paid}),
    }


def days(month: Month) -> dict[dt.date, tuple[int, int, int]]:
    """(turnover, ASN turnover, orders) per WIB day of placement, days with orders only."""
    figures: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for order in paid_orders(month):
        day = figures[order.placed_at.astimezone(WIB).date()]
        day[0] += kept(order)
        day[1] += kept(order) if order.buyer_kind == "asn" else 0
        day[2] += 1
    return {day: tuple(values) for day, values in figures.items()}


def categories(month: Month) -> dict[str, tuple[int, int]]:
    """(orders, turnover) per category slug, refunds split over an order's categories."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for order in paid_orders(month):
        lines: Counter = Counter()
        slugs = {}
        for item in order.items.all():
            lines[item.product.category_id] += item.line_total
            slugs[item.product.category_id] = item.product.category.slug
        taken = refund_allocation(order.refunded_goods, lines)
        for category, total in lines.items():
            figures[slugs[category]][0] += 1
            figures[slugs[category]][1] += total - taken[category]
    return {slug: tuple(values) for slug, values in figures.items()}


def verified(month: Month) -> list[Merchant]:
    return [
        shop
        for shop in Merchant.objects.select_related("kelurahan__kecamatan")
        if shop.status == "verified" and shop.created_at < month.end()
    ]


def by_merchant(month: Month) -> dict[int, dict]:
    figures: dict[int, dict] = defaultdict(Counter)
    for order in paid_orders(month):
        shop = figures[order.merchant_id]
        shop["orders"] += 1
        shop["goods"] += kept(order)
        if order.buyer_kind == "asn":
            shop["asn_goods"] += kept(order)
            if order.merchant.kelurahan.kecamatan_id == home_kecamatan(order.buyer_id):
                shop["asn_home_goods"] += kept(order)
    return figures


def home_kecamatan(user_id: int) -> int | None:
    asn = AsnProfile.objects.select_related("domicile_kelurahan").get(user_id=user_id)
    if asn.domicile_kelurahan_id is not None:
        return asn.domicile_kelurahan.kecamatan_id
    return asn.workplace_kecamatan_id


def by_kind(month: Month) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(active merchants, orders, turnover) per shop kind and UMKM line."""
    shops = {shop.pk: shop for shop in Merchant.objects.all()}
    figures: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for merchant_id, shop in by_merchant(month).items():
        group = figures[(shops[merchant_id].kind, shops[merchant_id].line)]
        group[0] += 1
        group[1] += shop["orders"]
        group[2] += shop["goods"]
    return {key: tuple(values) for key, values in figures.items()}


def by_kecamatan(month: Month) -> dict[str, dict]:
    shops = {shop.pk: shop for shop in Merchant.objects.select_related("kelurahan__kecamatan")}
    taken = by_merchant(month)
    figures: dict[str, Counter] = defaultdict(Counter)
    for shop in verified(month):
        area = figures[shop.kelurahan.kecamatan.code]
        area["merchants"] += 1
        area["idle_merchants"] += shop.pk not in taken
    for merchant_id, shop in taken.items():
        area = figures[shops[merchant_id].kelurahan.kecamatan.code]
        area["active_merchants"] += 1
        for name in ("orders", "goods", "asn_goods", "asn_home_goods"):
            area[name] += shop[name]
    return figures


def asn_distribution(month: Month) -> list[int]:
    """Every verified shop's ASN turnover (0 for none), and any other shop that took some."""
    taken = by_merchant(month)
    shops = {shop.pk for shop in verified(month)}
    shops |= {merchant for merchant, figures in taken.items() if figures["asn_goods"] > 0}
    return [taken.get(merchant, Counter())["asn_goods"] for merchant in shops]


def gini_by_mean_difference(values: list[int]) -> float:
    """G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄): another route to the same number than the rules take."""
    count, total = len(values), sum(values)
    differences = sum(abs(a - b) for a in values for b in values)
    return float(Fraction(differences, 2 * count * total))


def idle(month: Month) -> set[int]:
    taken = by_merchant(month)
    return {shop.pk for shop in verified(month) if shop.pk not in taken}


def at_cap(month: Month) -> set[int]:
    """Shops whose cap-counting orders of the month, not cancelled, fill their cap."""
    held: Counter = Counter()
    for order in Order.objects.filter(month=month_key(month), counts_toward_cap=True):
        if order.status != "cancelled":
            held[order.merchant_id] += kept(order)
    caps = {
        quota.merchant_id: quota.cap
        for quota in MerchantMonthQuota.objects.filter(month=month_key(month))
    }
    return {merchant for merchant, amount in held.items() if amount >= caps[merchant]}


def obligations(month: Month, *, home_only: bool = False) -> dict[str, tuple[int, int, str]]:
    """Every active ASN's (required, spent, status) by NIP, from the rule table, their override
    and exemption rows and their orders, read one by one."""
    from peken.obligations import rules
    from peken.obligations.models import ObligationExemption, ObligationOverride, ObligationRule

    key = month_key(month)
    table = [
        rules.RuleLine(line.golongan, line.eselon, line.amount)
        for line in ObligationRule.objects.all()
    ]
    spent: Counter = Counter()
    for order in paid_orders(month):
        if order.buyer_kind != "asn":
            continue
        if home_only and order.merchant.kelurahan.kecamatan_id != home_kecamatan(order.buyer_id):
            continue
        spent[order.buyer_id] += kept(order)
    figures = {}
    for asn in AsnProfile.objects.filter(is_active=True):
        overrides = [
            override
            for override in ObligationOverride.objects.filter(asn=asn).order_by("from_month")
            if override.from_month <= key
            and (override.until_month is None or override.until_month >= key)
        ]
        exempt = any(
            exemption.from_month <= key <= exemption.until_month
            for exemption in ObligationExemption.objects.filter(asn=asn)
        )
        if exempt:
            required = 0
        elif overrides:
            required = overrides[-1].amount
        else:
            required = rules.required_amount(golongan=asn.golongan, eselon=asn.eselon, table=table)
        used = spent[asn.user_id]
        status = "exempt" if exempt else ("met" if used >= required else "unmet")
        figures[asn.nip] = (required, used, status)
    return figures
