"""Pemerataan: how evenly the month's ASN money reached the shops.

The distribution is every verified shop's ASN turnover, *including the shops that got nothing*
(they are the point), plus any other shop that took ASN money (suspended since, say). From it:
the Gini coefficient and its Lorenz curve, and the share taken by the top 10 % of shops. Beside
it: the shops at their cap (the quota rows, which also hide them from ASN listings), the verified
shops without a single paid order, the MBR shops' share, and how much ASN money stayed in the
buyer's home kecamatan.
"""

from dataclasses import dataclass

from django.db.models import F

from peken.core.months import Month
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key
from peken.reports import rules
from peken.reports.shops import MonthTakings, Shop


@dataclass(frozen=True)
class ShopLine:
    """A shop in a list of the equity block."""

    id: int
    name: str
    kind: str
    line: str
    kelurahan: str
    kecamatan: str
    phone: str


@dataclass(frozen=True)
class CappedShop:
    shop: ShopLine
    used: int
    cap: int


@dataclass(frozen=True)
class Equity:
    merchants_counted: int
    asn_turnover: int
    gini: float | None
    lorenz: list[tuple[float, float]]
    top_decile_share: float | None
    capped: list[CappedShop]
    idle: list[ShopLine]  # verified, no paid order in the month; by kecamatan, then name
    mbr_merchants: int  # verified MBR shops
    mbr_active_merchants: int
    mbr_turnover: int
    mbr_share: float | None  # of all turnover
    mbr_asn_share: float | None  # of ASN turnover
    home_share: float | None  # of ASN turnover, spent in the buyer's home kecamatan


def equity_of(month: Month, shops: dict[int, Shop], takings: dict[int, MonthTakings]) -> Equity:
    counted = [
        (takings.get(shop.id) or MonthTakings.NONE).asn_goods
        for shop in shops.values()
        if shop.is_verified or (takings.get(shop.id) or MonthTakings.NONE).asn_goods > 0
    ]
    totals = _totals(shops, takings)
    return Equity(
        merchants_counted=len(counted),
        asn_turnover=totals["asn_goods"],
        gini=rules.gini(counted),
        lorenz=rules.lorenz_points(counted),
        top_decile_share=rules.top_share(counted),
        capped=_capped(month, shops),
        idle=_idle(shops, takings),
        mbr_merchants=totals["mbr_verified"],
        mbr_active_merchants=totals["mbr_active"],
        mbr_turnover=totals["mbr_goods"],
        mbr_share=rules.share(totals["mbr_goods"], totals["goods"]),
        mbr_asn_share=rules.share(totals["mbr_asn_goods"], totals["asn_goods"]),
        home_share=rules.share(totals["asn_home_goods"], totals["asn_goods"]),
    )


def _totals(shops: dict[int, Shop], takings: dict[int, MonthTakings]) -> dict[str, int]:
    totals = dict.fromkeys(
        (
            "goods",
            "asn_goods",
            "asn_home_goods",
            "mbr_goods",
            "mbr_asn_goods",
            "mbr_verified",
            "mbr_active",
        ),
        0,
    )
    for merchant_id, figures in takings.items():
        totals["goods"] += figures.goods
        totals["asn_goods"] += figures.asn_goods
        totals["asn_home_goods"] += figures.asn_home_goods
        if shops[merchant_id].is_mbr:
            totals["mbr_goods"] += figures.goods
            totals["mbr_asn_goods"] += figures.asn_goods
            totals["mbr_active"] += figures.orders > 0
    totals["mbr_verified"] = sum(shop.is_mbr and shop.is_verified for shop in shops.values())
    return totals


def shop_line(shop: Shop) -> ShopLine:
    return ShopLine(
        shop.id, shop.name, shop.kind, shop.line, shop.kelurahan, shop.kecamatan, shop.phone
    )


def _capped(month: Month, shops: dict[int, Shop]) -> list[CappedShop]:
    rows = (
        MerchantMonthQuota.objects.filter(month=month_key(month), used__gte=F("cap"))
        .order_by()
        .values_list("merchant_id", "used", "cap")
    )
    capped = [CappedShop(shop_line(shops[merchant]), used, cap) for merchant, used, cap in rows]
    return sorted(capped, key=lambda row: (row.shop.name, row.shop.id))


def _idle(shops: dict[int, Shop], takings: dict[int, MonthTakings]) -> list[ShopLine]:
    idle = [
        shop_line(shop)
        for shop in shops.values()
        if shop.is_verified and (takings.get(shop.id) or MonthTakings.NONE).orders == 0
    ]
    return sorted(idle, key=lambda line: (line.kecamatan, line.kelurahan, line.name, line.id))
