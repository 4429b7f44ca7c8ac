"""Which order steps tell whom, in what words. Called by ordering inside the step."""

from peken.core.money import format_rupiah
from peken.notifications.models import Notification
from peken.notifications.services import notify
from peken.ordering.models import Order

Kind = Notification.Kind

# target status → (kind, whom: buyer/merchant, words)
STEP_MESSAGES = {
    "paid": [
        (Kind.ORDER_PAID, "buyer", "Pembayaran pesanan #{id} ({total}) diterima."),
        (Kind.ORDER_PAID, "merchant", "Pesanan baru #{id} ({total}) sudah dibayar. Segera terima."),
    ],
    "accepted": [(Kind.ORDER_ACCEPTED, "buyer", "{shop} menerima pesanan #{id}.")],
    "delivering": [
        (
            Kind.ORDER_DELIVERING,
            "buyer",
            "Pesanan #{id} sedang diantar {shop}. Setelah sampai, konfirmasi di halaman pesanan.",
        )
    ],
    "ready_for_pickup": [
        (
            Kind.ORDER_READY,
            "buyer",
            "Pesanan #{id} siap diambil di {shop}. Setelah diambil, konfirmasi di halaman pesanan.",
        )
    ],
    "completed": [(Kind.ORDER_COMPLETED, "merchant", "Pesanan #{id} selesai.")],
    "cancelled": [
        (Kind.ORDER_CANCELLED, "buyer", "Pesanan #{id} dibatalkan. {reason}"),
        (Kind.ORDER_CANCELLED, "merchant", "Pesanan #{id} dibatalkan. {reason}"),
    ],
}


# Steps whose words depend on who took them, in addition to the above.
ACTION_MESSAGES = {
    "auto_complete": [
        (
            Kind.ORDER_COMPLETED,
            "buyer",
            "Pesanan #{id} selesai otomatis karena tidak dikonfirmasi. Ada masalah? Ajukan "
            "komplain di halaman pesanan dalam 3 hari.",
        )
    ],
}


def notify_order_step(*, order: Order, target: str, action: str = "") -> None:
    for kind, whom, words in STEP_MESSAGES.get(target, []) + ACTION_MESSAGES.get(action, []):
        _tell(order, kind, whom, words)


def notify_payment_due(*, buyer, orders: list[Order], amount: int, reference: str) -> None:
    """Once per charge, when the buyer is sent to pay: the orders exist, the money is due."""
    numbers = ", ".join(f"#{order.pk}" for order in orders)
    notify(
        user=buyer,
        kind=Kind.ORDER_PLACED,
        text=f"Pesanan {numbers} dibuat. Bayar {format_rupiah(amount)} sebelum batas waktu.",
        url=f"/bayar/{reference}/",
    )


def notify_complaint_opened(*, order: Order, reason: str) -> None:
    """The shop hears of a complaint at once: its answer is what the officer reads first."""
    notify(
        user=order.merchant.owner,
        kind=Kind.COMPLAINT_OPENED,
        text=f"Pembeli mengajukan komplain atas pesanan #{order.pk}: {reason}. "
        "Jawab di halaman pesanan.",
        url=f"/penjual/pesanan/{order.pk}/",
    )


def _tell(order: Order, kind: str, whom: str, words: str) -> None:
    merchant = order.merchant
    user = order.buyer if whom == "buyer" else merchant.owner
    url = f"/pesanan/{order.pk}/" if whom == "buyer" else f"/penjual/pesanan/{order.pk}/"
    text = words.format(
        id=order.pk,
        total=format_rupiah(order.total),
        shop=merchant.name,
        reason=order.cancel_reason,
    ).strip()
    notify(user=user, kind=kind, text=text, url=url)
