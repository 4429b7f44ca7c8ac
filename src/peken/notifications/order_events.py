"""Which order steps tell whom, in what words. Called by ordering inside the step."""

from django.utils.translation import gettext_noop

from peken.core.money import format_rupiah
from peken.notifications.models import Notification
from peken.notifications.services import notify
from peken.ordering.models import Order

Kind = Notification.Kind

# target status → (kind, whom: buyer/merchant, words); the words are read in each reader's
# language (Notification.text_in_active_language), so they are catalogue messages.
STEP_MESSAGES = {
    "paid": [
        (
            Kind.ORDER_PAID,
            "buyer",
            gettext_noop("Pembayaran pesanan #%(id)s (%(total)s) diterima."),
        ),
        (
            Kind.ORDER_PAID,
            "merchant",
            gettext_noop("Pesanan baru #%(id)s (%(total)s) sudah dibayar. Segera terima."),
        ),
    ],
    "accepted": [
        (Kind.ORDER_ACCEPTED, "buyer", gettext_noop("%(shop)s menerima pesanan #%(id)s."))
    ],
    "delivering": [
        (
            Kind.ORDER_DELIVERING,
            "buyer",
            gettext_noop(
                "Pesanan #%(id)s sedang diantar %(shop)s. "
                "Setelah sampai, konfirmasi di halaman pesanan."
            ),
        )
    ],
    "ready_for_pickup": [
        (
            Kind.ORDER_READY,
            "buyer",
            gettext_noop(
                "Pesanan #%(id)s siap diambil di %(shop)s. "
                "Setelah diambil, konfirmasi di halaman pesanan."
            ),
        )
    ],
    "completed": [(Kind.ORDER_COMPLETED, "merchant", gettext_noop("Pesanan #%(id)s selesai."))],
    "cancelled": [
        (Kind.ORDER_CANCELLED, "buyer", gettext_noop("Pesanan #%(id)s dibatalkan. %(reason)s")),
        (Kind.ORDER_CANCELLED, "merchant", gettext_noop("Pesanan #%(id)s dibatalkan. %(reason)s")),
    ],
}


# Steps whose words depend on who took them, in addition to the above.
ACTION_MESSAGES = {
    "auto_complete": [
        (
            Kind.ORDER_COMPLETED,
            "buyer",
            gettext_noop(
                "Pesanan #%(id)s selesai otomatis karena tidak dikonfirmasi. Ada masalah? "
                "Ajukan komplain di halaman pesanan dalam 3 hari."
            ),
        )
    ],
}


def notify_order_step(*, order: Order, target: str, action: str = "") -> None:
    for kind, whom, words in STEP_MESSAGES.get(target, []) + ACTION_MESSAGES.get(action, []):
        _tell(order, kind, whom, words)


def notify_payment_due(*, buyer, orders: list[Order], amount: int, reference: str) -> None:
    """Once per charge, when the buyer is sent to pay: the orders exist, the money is due."""
    notify(
        user=buyer,
        kind=Kind.ORDER_PLACED,
        text=gettext_noop("Pesanan %(numbers)s dibuat. Bayar %(amount)s sebelum batas waktu."),
        params={
            "numbers": ", ".join(f"#{order.pk}" for order in orders),
            "amount": format_rupiah(amount),
        },
        url=f"/bayar/{reference}/",
    )


def notify_complaint_opened(*, order: Order, reason: str) -> None:
    """The shop hears of a complaint at once: its answer is what the officer reads first.
    `reason` is the reason's label in the house language (read in each reader's own)."""
    notify(
        user=order.merchant.owner,
        kind=Kind.COMPLAINT_OPENED,
        text=gettext_noop(
            "Pembeli mengajukan komplain atas pesanan #%(id)s: %(reason)s. "
            "Jawab di halaman pesanan."
        ),
        params={"id": order.pk, "reason": reason},
        url=f"/penjual/pesanan/{order.pk}/",
    )


def _tell(order: Order, kind: str, whom: str, words: str) -> None:
    merchant = order.merchant
    user = order.buyer if whom == "buyer" else merchant.owner
    url = f"/pesanan/{order.pk}/" if whom == "buyer" else f"/penjual/pesanan/{order.pk}/"
    params = {
        "id": order.pk,
        "total": format_rupiah(order.total),
        "shop": merchant.name,
        "reason": order.cancel_reason,
    }
    notify(user=user, kind=kind, text=words, params=params, url=url)
