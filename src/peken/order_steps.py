"""What each order step sets off: the one handler table, wired here at the top of the house.

ordering knows nothing of money, roll-ups or notifications: a step returns a `Step` and runs the
handlers this table lists for its event (settings.PEKEN_ORDER_STEP_HANDLERS names it), inside
the step's own transaction, so what they write lands with the step or not at all (mail goes
after commit, from notifications). The ledger entries of an order's steps are written here and
nowhere else; the webhook reads payments → ordering → this table.
"""

from peken.ledger import services as ledger
from peken.notifications.order_events import notify_order_step
from peken.ordering.lifecycle import PAID_LATE, Handler, Step
from peken.ordering.models import Order
from peken.payments.models import Payment, Refund
from peken.reports.services import rollup_order_paid, rollup_order_unpaid

PAID_BEFORE = frozenset({"paid", "accepted", "delivering", "ready_for_pickup"})


def money_paid(step: Step) -> None:
    """The buyer's money reached the gateway; the platform holds it for the order."""
    ledger.ledger_order_paid(order=step.order, reference=_reference(step))


def money_completed(step: Step) -> None:
    ledger.ledger_order_completed(order=step.order, actor=step.actor)


def money_cancelled(step: Step) -> None:
    if step.previous in PAID_BEFORE:
        _refund(step.order, step.actor)


def money_paid_late(step: Step) -> None:
    """Paid after our clock cancelled it: the money is recorded coming in and going back."""
    ledger.ledger_order_paid(order=step.order, reference=_reference(step))
    _refund(step.order, None)


def rollups_paid(step: Step) -> None:
    rollup_order_paid(step.order)


def rollups_cancelled(step: Step) -> None:
    if step.previous in PAID_BEFORE:
        rollup_order_unpaid(step.order)


def notifications(step: Step) -> None:
    notify_order_step(order=step.order, target=step.target, action=step.action)


HANDLERS: dict[str, tuple[Handler, ...]] = {
    Order.Status.PAID: (money_paid, rollups_paid, notifications),
    Order.Status.ACCEPTED: (notifications,),
    Order.Status.DELIVERING: (notifications,),
    Order.Status.READY_FOR_PICKUP: (notifications,),
    Order.Status.COMPLETED: (money_completed, notifications),
    Order.Status.CANCELLED: (money_cancelled, rollups_cancelled, notifications),
    PAID_LATE: (money_paid_late,),
}


def _reference(step: Step) -> str:
    if step.reference:
        return step.reference
    reference = (
        Payment.objects.filter(checkout_id=step.order.checkout_id)
        .values_list("reference", flat=True)
        .first()
    )
    # Paid without a gateway charge (a step taken directly by the system, as tests and data
    # migrations may): the ledger still says where it came from.
    return reference or f"manual:order:{step.order.pk}"


def _refund(order: Order, actor) -> None:
    """What is still held of a cancelled paid order goes back to its buyer."""
    held = ledger.order_held(order.pk)
    if held == 0:
        return
    ledger.ledger_order_cancelled(order=order, held=held, reference=f"order:{order.pk}")
    goods = min(held, order.goods_total - order.refunded_goods)
    Refund.objects.create(
        payment=Payment.objects.filter(checkout_id=order.checkout_id).first(),
        order=order,
        kind=Refund.Kind.CANCELLATION,
        amount=held,
        goods_part=goods,
        delivery_part=held - goods,
        reason=order.cancel_reason or "Pesanan dibatalkan setelah dibayar",
        created_by=actor,
    )
