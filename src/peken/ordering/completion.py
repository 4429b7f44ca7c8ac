"""Orders their buyer never confirmed, completed by the worker.

Completion makes an order's money the shop's, so the shop never takes that step itself: the
buyer confirms receipt ("Pesanan sudah saya terima"), or, when the buyer neither confirms nor
complains, the order completes PEKEN_ORDER_AUTO_COMPLETE_HOURS after the shop sent it out or
readied it. The buyer may still complain for 3 days after that, as after a confirmation.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from peken.ordering import rules
from peken.ordering.models import Order
from peken.ordering.services import OrderStatusConflict, order_transition

WAITING_FOR_BUYER = (Order.Status.DELIVERING, Order.Status.READY_FOR_PICKUP)
IN_PROGRESS = rules.COMPLAINT_IN_PROGRESS


def auto_complete_at(order: Order) -> dt.datetime | None:
    """When this order completes by itself, if it is waiting for its buyer; else None."""
    if order.status not in WAITING_FOR_BUYER:
        return None
    return rules.auto_complete_at(
        fulfilled_at=order.fulfilled_at, hours=settings.PEKEN_ORDER_AUTO_COMPLETE_HOURS
    )


def orders_complete_unconfirmed(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Completes orders waiting for their buyer past the deadline, unless a complaint about
    them is in progress (the money stays held while an officer decides). Returns how many.

    Worker job, safe to run twice or side by side: each order moves in order_transition under
    its row lock with its status checked there, together with its ledger entry, timeline and
    notifications, so an order the buyer confirmed meanwhile, or another worker completed, is
    skipped and completes once."""
    now = now or timezone.now()
    hours = settings.PEKEN_ORDER_AUTO_COMPLETE_HOURS
    due = (
        Order.objects.filter(
            status__in=WAITING_FOR_BUYER, fulfilled_at__lt=now - dt.timedelta(hours=hours)
        )
        .exclude(complaints__status__in=IN_PROGRESS)
        .order_by("id")
        .only("pk")
    )
    completed = 0
    for order in due[:limit]:
        try:
            order_transition(
                order=order,
                action="auto_complete",
                actor=None,
                actor_kind="system",
                reason=f"Tidak dikonfirmasi pembeli dalam {hours} jam",
            )
        except OrderStatusConflict:
            continue  # confirmed by the buyer, or completed by another worker, meanwhile
        completed += 1
    return completed
