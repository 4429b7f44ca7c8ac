"""The one order in which ordering takes row locks, so two transactions never wait on each other
in a cycle:

1. product rows, by id (stock taken at placement, given back on cancellation);
2. quota rows, by merchant id (the cap reserved at placement, released on cancellation);
3. order rows, by id (each step; a payment's orders together, in id order).

Placement takes 1 and 2 in one statement each, whatever the cart (ordering.placement,
quotas.services), and holds no existing order row (it inserts new ones). A step takes 3 and,
when it cancels, then 1 and 2 for that one order: nothing that holds 1 or 2 waits for 3.
Every check happens in the statement that writes (a conditional UPDATE), never read-then-write.
"""

import functools

from django.db.models import F

from peken.catalog.models import Product
from peken.core.statements import Prepared
from peken.ordering.models import Order
from peken.ordering.placement import stock_shortfall, stock_take
from peken.quotas.services import quota_release, quotas_reserve

__all__ = [
    "cap_reserve",
    "order_lock",
    "orders_lock",
    "stock_and_cap_release",
    "stock_shortfall",
    "stock_take",
]
# A step tells the buyer and the shop's owner: their rows come with the locked order.
WITH_PEOPLE = ("merchant__owner", "buyer")


def order_lock(order_id: int) -> Order:
    """Step 3 for one order: its row, locked, with its shop, owner and buyer."""
    found = _ORDER_LOCK.instances(order_id)
    if not found:
        raise Order.DoesNotExist(f"order {order_id}")
    return found[0]


_ORDER_LOCK = Prepared(
    lambda order_id: (
        Order.objects.select_for_update(of=("self",))
        .select_related(*WITH_PEOPLE)
        .filter(pk=order_id)
    ),
    -1,
)


def orders_lock(**where: int) -> list[Order]:
    """Step 3 for several orders (a payment's: `payments=<payment id>`): their rows locked in
    one statement, by id, each with its shop, owner and buyer."""
    ((field, value),) = where.items()
    return _orders_lock(field).instances(value)


@functools.cache
def _orders_lock(field: str) -> Prepared:
    return Prepared(
        lambda value: (
            Order.objects.select_for_update(of=("self",))
            .select_related(*WITH_PEOPLE)
            .filter(**{field: value})
            .order_by("id")
        ),
        -1,
    )


def cap_reserve(*, month, goods_by_merchant: dict[int, int]) -> None:
    """Step 2 of placement, after the stock (step 1, `stock_take`)."""
    quotas_reserve(month=month, goods_by_merchant=goods_by_merchant)


def stock_and_cap_release(order: Order) -> None:
    """A cancelled order's stock back to each product (by id), then its cap."""
    for item in order.items.filter(reserved_stock=True).order_by("product_id"):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
    # A complaint refund already gave back its goods part of the cap.
    held_of_cap = order.goods_total - order.refunded_goods
    if order.counts_toward_cap and held_of_cap > 0:
        quota_release(merchant_id=order.merchant_id, month=order.month, amount=held_of_cap)
