"""Keeping the roll-ups exact (definitions: peken.reports.models).

The money path calls three functions inside its own transaction, so a roll-up moves with the
order change that caused it or not at all (peken.order_steps, peken.payments.complaints):

- `rollup_order_paid(order)` when an order becomes paid,
- `rollup_order_unpaid(order)` when a paid order is cancelled: it takes back what the order still
  held (a refund before already took its own part),
- `rollup_order_refunded(order, goods_amount)` when a complaint refunds part of the goods.

Each writes by upsert — `INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x`, the same text on
PostgreSQL and SQLite — so concurrent payments add up without reading first. The buyer's row is
written first, then the shop's: a checkout pays its orders in id order, which is shop order, so
two payments never take the same rows in opposite orders.

`rollups_rebuild(month)` recounts a month from the orders (the month close, an upgrade, a repair);
`rollups_check(month)` tells where the roll-ups differ from a recount.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from peken.accounts.models import AsnProfile
from peken.core.months import WIB, Month
from peken.core.statements import Prepared
from peken.merchants.models import Merchant
from peken.obligations.selectors import PAID_STATUSES
from peken.ordering.models import Order, OrderItem
from peken.quotas.rules import month_key
from peken.reports.models import BuyerMonth, CategoryMonth, MerchantDay, MerchantMonth
from peken.reports.rules import refund_allocation

ASN = Order.BuyerKind.ASN
BATCH = 5_000


@dataclass(frozen=True)
class Rollup:
    """A roll-up table as the upsert sees it: the columns of its key, then of its sums."""

    model: type
    keys: tuple[str, ...]
    sums: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table


BUYER_MONTH = Rollup(
    BuyerMonth, ("month", "buyer_id", "buyer_kind"), ("orders", "goods", "home_goods")
)
MERCHANT_DAY = Rollup(MerchantDay, ("day", "merchant_id"), ("orders", "goods", "asn_goods"))
MERCHANT_MONTH = Rollup(
    MerchantMonth,
    ("month", "merchant_id"),
    ("orders", "goods", "asn_orders", "asn_goods", "asn_home_goods"),
)
CATEGORY_MONTH = Rollup(CategoryMonth, ("month", "merchant_id", "category_id"), ("orders", "goods"))
ROLLUPS = (BUYER_MONTH, MERCHANT_DAY, MERCHANT_MONTH, CATEGORY_MONTH)


# --- the money path ---------------------------------------------------------------------------


def rollup_order_paid(order: Order) -> None:
    """The order just became paid. Inside the caller's transaction."""
    _order_add(order, sign=1)


def rollup_order_unpaid(order: Order) -> None:
    """A paid order was cancelled; `order` as it is now (its refunded_goods already taken off).
    Inside the caller's transaction."""
    _order_add(order, sign=-1)


def rollup_order_refunded(order: Order, goods_amount: int) -> None:
    """A complaint refunded `goods_amount` of the order's goods; `order.refunded_goods` is what
    was refunded before this refund. Delivery refunds are not turnover: pass only the goods part.
    Inside the caller's transaction."""
    if goods_amount <= 0:
        return
    lines, at_home = _order_facts(order)
    before = refund_allocation(order.refunded_goods, lines)
    after = refund_allocation(order.refunded_goods + goods_amount, lines)
    categories = {
        category: (0, before[category] - after[category])
        for category in lines
        if before[category] != after[category]
    }
    _write(order, orders=0, goods=-goods_amount, categories=categories, at_home=at_home)


def _order_add(order: Order, *, sign: int) -> None:
    lines, at_home = _order_facts(order)
    refunded = refund_allocation(order.refunded_goods, lines)
    categories = {
        category: (sign, sign * (amount - refunded[category])) for category, amount in lines.items()
    }
    kept = order.goods_total - order.refunded_goods
    _write(order, orders=sign, goods=sign * kept, categories=categories, at_home=at_home)


def _write(order: Order, *, orders: int, goods: int, categories: dict, at_home: bool) -> None:
    is_asn = order.buyer_kind == ASN
    asn_goods = goods if is_asn else 0
    home_goods = goods if is_asn and at_home else 0
    day = order.placed_at.astimezone(WIB).date()
    asn_orders = orders if is_asn else 0
    buyer = (order.month, order.buyer_id, order.buyer_kind, orders, goods, home_goods)
    shop = (order.month, order.merchant_id, orders, goods, asn_orders, asn_goods, home_goods)
    rollups_add(
        [
            (BUYER_MONTH, [buyer]),
            (MERCHANT_DAY, [(day, order.merchant_id, orders, goods, asn_goods)]),
            (MERCHANT_MONTH, [shop]),
            (
                CATEGORY_MONTH,
                [
                    (order.month, order.merchant_id, category, *change)
                    for category, change in sorted(categories.items())
                ],
            ),
        ]
    )


def _order_facts(order: Order) -> tuple[dict[int, int], bool]:
    """The order's line totals by product category, and for an ASN order whether the shop lies
    in the buyer's home kecamatan: one query, built once."""
    if order.buyer_kind == ASN:
        rows = _FACTS_ASN.rows(order.merchant_id, order.buyer_id, order.pk)
    else:
        rows = _FACTS.rows(order.pk)
    lines = {category: total for category, total, _ in rows}
    return lines, any(at_home for _, _, at_home in rows)


def _facts(order_id: int, at_home: Exists | Value):
    return (
        OrderItem.objects.filter(order_id=order_id)
        .order_by()
        .values_list("product__category_id")
        .annotate(total=Sum("line_total"), at_home=at_home)
    )


def _at_home(merchant_id: int, buyer_id: int) -> Exists:
    shop = Merchant.objects.filter(pk=merchant_id).values("kelurahan__kecamatan_id")
    home = AsnProfile.objects.annotate(
        kecamatan=Coalesce("domicile_kelurahan__kecamatan_id", "workplace_kecamatan_id")
    ).filter(user_id=buyer_id, kecamatan=Subquery(shop[:1]))
    return Exists(home)


_FACTS = Prepared(lambda order_id: _facts(order_id, Value(False)), -1)
_FACTS_ASN = Prepared(
    lambda merchant_id, buyer_id, order_id: _facts(order_id, _at_home(merchant_id, buyer_id)),
    -2,
    -3,
    -1,
)


def rollup_add(rollup: Rollup, rows: list[tuple]) -> None:
    """Adds each row's sums to its key's row, making the row if missing. Rows must have
    distinct keys (one statement may not touch a row twice)."""
    rollups_add([(rollup, rows)])


def rollups_add(changes: list[tuple[Rollup, list[tuple]]]) -> None:
    """`rollup_add` for several roll-ups; on PostgreSQL in one statement. The first change is
    that statement's main query, which PostgreSQL runs before the data-modifying WITHs of the
    others: the buyer's row is still locked before the shop's (see the module's docstring)."""
    changes = [(rollup, rows) for rollup, rows in changes if rows]
    if not changes:
        return
    statements = [_add_sql(rollup, len(rows)) for rollup, rows in changes]
    parameters = [value for _, rows in changes for row in rows for value in row]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            main, *others = statements
            # The WITHs' parameters come first in the text, the main query's last.
            first = [value for row in changes[0][1] for value in row]
            cursor.execute(_with_all(tuple(others), main), parameters[len(first) :] + first)
            return
        for (_, rows), sql in zip(changes, statements, strict=True):
            cursor.execute(sql, [value for row in rows for value in row])


@functools.cache
def _with_all(others: tuple[str, ...], main: str) -> str:
    parts = ", ".join(f"add_{number} AS ({sql})" for number, sql in enumerate(others))
    return f"WITH {parts} {main}"


@functools.cache
def _add_sql(rollup: Rollup, count: int) -> str:
    columns = (*rollup.keys, *rollup.sums)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    additions = ", ".join(
        f"{name} = {rollup.table}.{name} + excluded.{name}" for name in rollup.sums
    )
    return (
        f"INSERT INTO {rollup.table} ({', '.join(columns)}) "
        f"VALUES {', '.join([row] * count)} "
        f"ON CONFLICT ({', '.join(rollup.keys)}) DO UPDATE SET {additions}"
    )


# --- recount, rebuild, check ------------------------------------------------------------------

Counted = dict[Rollup, dict[tuple, tuple]]


def rollups_recount(month: Month) -> Counted:
    """What the roll-ups of a month must hold, counted from its orders: {rollup: {key: sums}}."""
    key = month_key(month)
    paid = Order.objects.filter(month=key, status__in=PAID_STATUSES).order_by()
    goods = F("goods_total") - F("refunded_goods")
    asn = Q(buyer_kind=ASN)
    at_home = asn & Q(
        merchant__kelurahan__kecamatan_id=Coalesce(
            "buyer__asn_profile__domicile_kelurahan__kecamatan_id",
            "buyer__asn_profile__workplace_kecamatan_id",
        )
    )
    days = (
        paid.annotate(day=TruncDate("placed_at", tzinfo=WIB))
        .values_list("day", "merchant_id")
        .annotate(orders=Count("id"), goods=Sum(goods), asn_goods=Sum(goods, filter=asn, default=0))
    )
    shops = paid.values_list("merchant_id").annotate(
        orders=Count("id"),
        goods=Sum(goods),
        asn_orders=Count("id", filter=asn),
        asn_goods=Sum(goods, filter=asn, default=0),
        asn_home_goods=Sum(goods, filter=at_home, default=0),
    )
    buyers = paid.values_list("buyer_id", "buyer_kind").annotate(
        orders=Count("id"), goods=Sum(goods), home_goods=Sum(goods, filter=at_home, default=0)
    )
    return {
        BUYER_MONTH: {(key, *row[:2]): tuple(row[2:]) for row in buyers},
        MERCHANT_DAY: {tuple(row[:2]): tuple(row[2:]) for row in days},
        MERCHANT_MONTH: {(key, row[0]): tuple(row[1:]) for row in shops},
        CATEGORY_MONTH: _categories_recount(key),
    }


def _categories_recount(key: dt.date) -> dict[tuple, tuple]:
    lines = OrderItem.objects.filter(order__month=key, order__status__in=PAID_STATUSES).order_by()
    gross = lines.values_list("order__merchant_id", "product__category_id").annotate(
        orders=Count("order_id", distinct=True), goods=Sum("line_total")
    )
    counted = {
        (key, merchant, category): [orders, goods] for merchant, category, orders, goods in gross
    }
    # The few refunded orders: their refunds split over their categories as the services do.
    refunded: dict[tuple[int, int, int], dict[int, int]] = defaultdict(dict)
    rows = (
        lines.filter(order__refunded_goods__gt=0)
        .values_list(
            "order_id", "order__merchant_id", "order__refunded_goods", "product__category_id"
        )
        .annotate(goods=Sum("line_total"))
    )
    for order_id, merchant, amount, category, total in rows:
        refunded[(order_id, merchant, amount)][category] = total
    for (_, merchant, amount), parts in refunded.items():
        for category, taken in refund_allocation(amount, parts).items():
            counted[(key, merchant, category)][1] -= taken
    return {row_key: tuple(sums) for row_key, sums in counted.items()}


def rollups_stored(month: Month) -> Counted:
    """The roll-up rows of a month as they are, all-zero rows left out (what a cancellation
    leaves behind is the same as no row)."""
    stored: Counted = {}
    for rollup in ROLLUPS:
        rows = _month_rows(rollup, month).values_list(*rollup.keys, *rollup.sums)
        width = len(rollup.keys)
        stored[rollup] = {
            tuple(row[:width]): tuple(row[width:]) for row in rows if any(row[width:])
        }
    return stored


def _month_rows(rollup: Rollup, month: Month):
    key = month_key(month)
    if rollup is MERCHANT_DAY:
        return MerchantDay.objects.filter(day__gte=key, day__lt=month_key(month.next()))
    return rollup.model.objects.filter(month=key)


def rollups_check(month: Month) -> list[str]:
    """Every difference between the month's roll-ups and a recount; empty when exact."""
    counted, stored = rollups_recount(month), rollups_stored(month)
    differences = []
    for rollup in ROLLUPS:
        expected = {row: sums for row, sums in counted[rollup].items() if any(sums)}
        for row in sorted(expected.keys() | stored[rollup].keys(), key=str):
            if expected.get(row) != stored[rollup].get(row):
                differences.append(
                    f"{rollup.table} {row}: stored {stored[rollup].get(row)}, "
                    f"counted {expected.get(row)}"
                )
    return differences


@dataclass(frozen=True)
class RebuildSummary:
    month: str
    rows: dict[str, int]


def rollups_rebuild(month: Month) -> RebuildSummary:
    """Replaces a month's roll-ups by a recount of its orders, in one transaction.

    On PostgreSQL the roll-up tables are locked against writers first (SHARE ROW EXCLUSIVE): a
    payment that already wrote its row is waited for and counted; one that comes later waits and
    adds itself on top of the recount. SQLite has one writer at a time anyway."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tables = ", ".join(rollup.table for rollup in ROLLUPS)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
        counted = rollups_recount(month)
        rows = {}
        for rollup in ROLLUPS:
            _month_rows(rollup, month).delete()
            fresh = [
                rollup.model(**dict(zip((*rollup.keys, *rollup.sums), (*row, *sums), strict=True)))
                for row, sums in counted[rollup].items()
            ]
            rollup.model.objects.bulk_create(fresh, batch_size=BATCH)
            rows[rollup.table] = len(fresh)
    return RebuildSummary(month=str(month), rows=rows)


def months_with_orders() -> list[Month]:
    """Every WIB month some order was placed in, oldest first (for a rebuild of everything)."""
    keys = Order.objects.order_by("month").values_list("month", flat=True).distinct()
    return [Month(key.year, key.month) for key in keys]
