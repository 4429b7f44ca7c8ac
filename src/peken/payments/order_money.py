"""What an order's steps mean for money: the ledger entry each step writes, and the refund a
cancelled paid order owes its buyer. Called by ordering inside the step's own transaction."""

from peken.accounts.models import User
from peken.ledger import services as ledger
from peken.ordering.models import Order
from peken.payments.models import Payment, Refund
from peken.reports.services import rollup_order_paid, rollup_order_unpaid

PAID_BEFORE = frozenset({"paid", "accepted", "delivering", "ready_for_pickup"})


def money_on_step(*, order: Order, previous: str, target: str, actor: User | None) -> None:
    if target == Order.Status.PAID:
        ledger.ledger_order_paid(order=order, reference=_payment_reference(order))
        rollup_order_paid(order)
    elif target == Order.Status.COMPLETED:
        ledger.ledger_order_completed(order=order, actor=actor)
    elif target == Order.Status.CANCELLED and previous in PAID_BEFORE:
        refund_cancelled(order, actor)
        rollup_order_unpaid(order)


def _payment_reference(order: Order) -> str:
    reference = (
        Payment.objects.filter(checkout_id=order.checkout_id)
        .values_list("reference", flat=True)
        .first()
    )
    # Paid without a gateway charge (a step taken directly by the system, as tests and data
    # migrations may): the ledger still says where it came from.
    return reference or f"manual:order:{order.pk}"


def refund_cancelled(order: Order, actor: User | None) -> None:
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
