"""The city dashboard's figures for one WIB month, read from the roll-ups and a few small tables
(shops, kecamatan, categories, OPDs, the month's cap rows) — never from the month's orders, so
a month of a million orders costs what a month of a hundred does. Definitions:
peken.reports.models. About twenty queries whatever the month's size.

`dashboard(month)` gathers everything; the turnover part lives here, equity and compliance in
their own modules, and every exported table is built from the same `Dashboard`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from peken.catalog.models import Category
from peken.core.db_router import reads_may_lag
from peken.core.months import Month
from peken.merchants.models import Merchant
from peken.quotas.rules import month_key
from peken.regions.models import Kecamatan
from peken.reports import rules
from peken.reports.compliance import Compliance, compliance_of
from peken.reports.equity import Equity, equity_of
from peken.reports.models import BuyerMonth, CategoryMonth, MerchantDay, MerchantMonth
from peken.reports.shops import MonthTakings, Shop, shops_of, takings_of

MONTHS_SHOWN = 13  # the chosen month and the twelve before it


@dataclass(frozen=True)
class Headline:
    turnover: int
    asn_turnover: int
    orders: int
    average_order: int
    buyers: int
    asn_buyers: int
    warga_buyers: int
    merchants: int


HEADLINE_FIELDS = tuple(Headline.__dataclass_fields__)


@dataclass(frozen=True)
class MonthPoint:
    month: str
    turnover: int
    asn_turnover: int
    orders: int
    merchants: int


@dataclass(frozen=True)
class DayPoint:
    day: dt.date
    turnover: int
    asn_turnover: int
    orders: int


@dataclass(frozen=True)
class CategoryRow:
    slug: str
    name: str
    orders: int
    turnover: int
    share: float | None


@dataclass(frozen=True)
class KindRow:
    kind: str
    line: str
    label: str
    merchants: int  # verified
    active_merchants: int
    orders: int
    turnover: int
    share: float | None


@dataclass(frozen=True)
class KecamatanRow:
    code: str
    name: str
    lat: float
    lon: float
    merchants: int  # verified
    active_merchants: int
    idle_merchants: int  # verified, no paid order this month
    idle_share: float | None
    orders: int
    turnover: int
    asn_turnover: int
    asn_home_share: float | None  # of the ASN money spent here, the part from its own residents
    share: float | None  # of the city's turnover


@dataclass(frozen=True)
class Dashboard:
    month: Month
    headline: Headline
    previous: Headline
    changes: dict[str, float | None]
    months: list[MonthPoint]
    days: list[DayPoint]
    categories: list[CategoryRow]
    kinds: list[KindRow]
    kecamatan: list[KecamatanRow]
    equity: Equity
    compliance: Compliance
    generated_at: dt.datetime


def months_up_to(month: Month, count: int = MONTHS_SHOWN) -> list[Month]:
    """`count` months ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        months.append(months[-1].previous())
    return months[::-1]


# Roll-ups a few seconds old are fine for a month's report: read from the replica when there is one.
@reads_may_lag
def dashboard(month: Month) -> Dashboard:
    shops = shops_of(month)
    takings = takings_of(month)
    series = _month_series(month)
    buyers = _active_buyers(month)
    previous_month = month.previous()
    headline = _headline(series[month], buyers.get(month_key(month), (0, 0, 0)))
    previous = _headline(series[previous_month], buyers.get(month_key(previous_month), (0, 0, 0)))
    return Dashboard(
        month=month,
        headline=headline,
        previous=previous,
        changes={
            name: rules.change(getattr(headline, name), getattr(previous, name))
            for name in HEADLINE_FIELDS
        },
        months=list(series.values()),
        days=_days(month),
        categories=_categories(month, headline.turnover),
        kinds=_kinds(shops, takings, headline.turnover),
        kecamatan=_kecamatan(shops, takings, headline.turnover),
        equity=equity_of(month, shops, takings),
        compliance=compliance_of(month),
        generated_at=timezone.now(),
    )


def _headline(point: MonthPoint, buyers: tuple[int, int, int]) -> Headline:
    everyone, asn, warga = buyers
    return Headline(
        turnover=point.turnover,
        asn_turnover=point.asn_turnover,
        orders=point.orders,
        average_order=rules.average(point.turnover, point.orders),
        buyers=everyone,
        asn_buyers=asn,
        warga_buyers=warga,
        merchants=point.merchants,
    )


def _month_series(month: Month) -> dict[Month, MonthPoint]:
    months = months_up_to(month)
    rows = (
        MerchantMonth.objects.filter(month__gte=month_key(months[0]), month__lte=month_key(month))
        .order_by()
        .values_list("month")
        .annotate(
            turnover=Sum("goods"),
            asn_turnover=Sum("asn_goods"),
            order_count=Sum("orders"),
            merchants=Count("id", filter=Q(orders__gt=0)),
        )
    )
    found = {key: figures for key, *figures in rows}
    return {
        period: MonthPoint(str(period), *found.get(month_key(period), (0, 0, 0, 0)))
        for period in months
    }


def _active_buyers(month: Month) -> dict[dt.date, tuple[int, int, int]]:
    """(everyone, ASN, warga) with a paid order, for the month and the one before."""
    rows = (
        BuyerMonth.objects.filter(
            month__in=[month_key(month), month_key(month.previous())], orders__gt=0
        )
        .order_by()
        .values_list("month")
        .annotate(
            everyone=Count("buyer_id", distinct=True),
            asn=Count("id", filter=Q(buyer_kind="asn")),
            warga=Count("id", filter=Q(buyer_kind="warga")),
        )
    )
    return {key: tuple(figures) for key, *figures in rows}


def _days(month: Month) -> list[DayPoint]:
    start, end = month_key(month), month_key(month.next())
    rows = (
        MerchantDay.objects.filter(day__gte=start, day__lt=end)
        .order_by()
        .values_list("day")
        .annotate(turnover=Sum("goods"), asn_turnover=Sum("asn_goods"), order_count=Sum("orders"))
    )
    found = {day: figures for day, *figures in rows}
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days)]
    return [DayPoint(day, *found.get(day, (0, 0, 0))) for day in days]


def _categories(month: Month, turnover: int) -> list[CategoryRow]:
    rows = (
        CategoryMonth.objects.filter(month=month_key(month))
        .order_by()
        .values_list("category_id")
        .annotate(order_count=Sum("orders"), turnover=Sum("goods"))
    )
    found = {category: (orders, goods) for category, orders, goods in rows}
    result = [
        CategoryRow(
            slug, name, *found.get(pk, (0, 0)), rules.share(found.get(pk, (0, 0))[1], turnover)
        )
        for pk, slug, name in Category.objects.values_list("pk", "slug", "name")
    ]
    return sorted(result, key=lambda row: (-row.turnover, row.name))


def _kinds(
    shops: dict[int, Shop], takings: dict[int, MonthTakings], turnover: int
) -> list[KindRow]:
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for shop in shops.values():
        figures = takings.get(shop.id)
        group = groups[(shop.kind, shop.line)]
        group[0] += shop.is_verified
        if figures is not None and figures.orders > 0:
            group[1] += 1
            group[2] += figures.orders
            group[3] += figures.goods
    labels = _kind_labels()
    rows = [
        KindRow(kind, line, labels[(kind, line)], *group, rules.share(group[3], turnover))
        for (kind, line), group in groups.items()
    ]
    return sorted(rows, key=lambda row: (-row.turnover, row.label))


def _kind_labels() -> dict[tuple[str, str], str]:
    """ "Toko kelontong", "UMKM kuliner", …"""
    labels = {(Merchant.Kind.TOKO_KELONTONG, ""): str(Merchant.Kind.TOKO_KELONTONG.label)}
    for line in Merchant.Line:
        if line.value:
            labels[(Merchant.Kind.UMKM, line.value)] = f"UMKM {str(line.label).lower()}"
    return defaultdict(lambda: "—", labels)


def _kecamatan(
    shops: dict[int, Shop], takings: dict[int, MonthTakings], turnover: int
) -> list[KecamatanRow]:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    for shop in shops.values():
        figures = takings.get(shop.id) or MonthTakings.NONE
        row = counts[shop.kecamatan_id]
        is_active = figures.orders > 0
        row[0] += shop.is_verified
        row[1] += is_active
        row[2] += shop.is_verified and not is_active
        row[3] += figures.orders
        row[4] += figures.goods
        row[5] += figures.asn_goods
        row[6] += figures.asn_home_goods
    result = []
    for pk, code, name, lat, lon in Kecamatan.objects.values_list(
        "pk", "code", "name", "lat", "lon"
    ):
        verified, active, idle, orders, goods, asn_goods, home = counts.get(pk, [0] * 7)
        result.append(
            KecamatanRow(
                code=code,
                name=name,
                lat=lat,
                lon=lon,
                merchants=verified,
                active_merchants=active,
                idle_merchants=idle,
                idle_share=rules.share(idle, verified),
                orders=orders,
                turnover=goods,
                asn_turnover=asn_goods,
                asn_home_share=rules.share(home, asn_goods),
                share=rules.share(goods, turnover),
            )
        )
    return result
