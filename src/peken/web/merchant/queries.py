"""Reads the shop owner's pages need beyond the apps' selectors, built on those selectors so the
owner sees only their own shop's orders."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from peken.core.months import WIB
from peken.ordering.models import Order
from peken.ordering.selectors import orders_of_merchant_owner

# The inbox's groups, in the order a shop works through them.
INBOX_GROUPS = (
    ("paid", ("paid",)),
    ("accepted", ("accepted",)),
    ("on_the_way", ("delivering", "ready_for_pickup")),
)
FINISHED = ("completed", "cancelled")
FINISHED_SHOWN = 20


@dataclass(frozen=True)
class OrderCounts:
    new_today: int  # paid since midnight WIB
    waiting: int  # paid, not yet accepted


def start_of_today(now: dt.datetime | None = None) -> dt.datetime:
    local = timezone.localtime(now or timezone.now(), WIB)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def order_counts(*, owner, merchant_id: int) -> OrderCounts:
    """Today's new orders and those waiting to be accepted, in one query."""
    counts = orders_of_merchant_owner(owner=owner, merchant_id=merchant_id).aggregate(
        new_today=Count("id", filter=Q(paid_at__gte=start_of_today())),
        waiting=Count("id", filter=Q(status=Order.Status.PAID)),
    )
    return OrderCounts(counts["new_today"], counts["waiting"])


@dataclass(frozen=True)
class Inbox:
    groups: list[tuple[str, list[Order]]]  # (group name, its orders) for the open work
    finished: list[Order]  # the latest completed or cancelled orders

    @property
    def is_empty(self) -> bool:
        return not self.finished and not any(orders for _name, orders in self.groups)


def inbox(*, owner, merchant_id: int) -> Inbox:
    """Open orders grouped by what the shop must do next, and the latest finished ones: four
    queries (open orders with their items and events, finished orders), however many there are."""
    orders = orders_of_merchant_owner(owner=owner, merchant_id=merchant_id)
    open_statuses = [status for _name, statuses in INBOX_GROUPS for status in statuses]
    # Oldest first: the order waiting longest is the one to handle first.
    open_orders = list(orders.filter(status__in=open_statuses).order_by("placed_at", "id"))
    groups = [
        (name, [order for order in open_orders if order.status in statuses])
        for name, statuses in INBOX_GROUPS
    ]
    # Finished orders are listed by number and total only: their items and events stay unread.
    finished = list(orders.filter(status__in=FINISHED).prefetch_related(None)[:FINISHED_SHOWN])
    return Inbox(groups, finished)


@dataclass(frozen=True)
class ReadinessItem:
    """One thing a draft shop has or lacks before it asks to be verified."""

    key: str  # details, bank, consent, photo, goods
    is_done: bool
    is_required: bool  # without it the request to verify is refused or cannot be decided


def readiness(shop) -> list[ReadinessItem]:
    """What a draft or rejected shop has and lacks: the required items the verification needs
    (merchant_transition refuses a shop without a bank account; an officer cannot verify a shop
    registered for its owner before the owner confirms) and what buyers will want to see."""
    items = [
        ReadinessItem("details", True, True),
        ReadinessItem("bank", hasattr(shop, "bank_account"), True),
    ]
    if shop.registered_by_id is not None:
        items.append(ReadinessItem("consent", shop.owner_consented_at is not None, True))
    items += [
        ReadinessItem("photo", bool(shop.photo), False),
        ReadinessItem("goods", shop.products.exists(), False),
    ]
    return items
