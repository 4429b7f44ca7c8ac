"""Taking payment for a checkout and believing only what the gateway signs.

A notification changes a payment under its row lock, and is recorded first under a unique key, so
a duplicate delivered twice at once is applied once. A payment only moves forward: `paid` is
final, so an "expired" arriving after "paid" changes nothing. When a notification or our own
clock says a charge is over, we ask the gateway first (reconciliation when in doubt).
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peken.accounts.models import User
from peken.core.errors import Conflict, NotFound
from peken.core.statements import Prepared, rows_insert
from peken.notifications.order_events import notify_payment_due
from peken.ordering.errors import OrderStatusConflict
from peken.ordering.lifecycle import order_paid_late, order_step, order_transition
from peken.ordering.locks import orders_lock
from peken.ordering.models import Checkout, Order
from peken.payments.errors import NothingToPay
from peken.payments.gateways import SimulatorGateway, gateway_get, simulator_enabled
from peken.payments.gateways import base as gateway_base
from peken.payments.models import Payment, PaymentNotification
from peken.policy.selectors import policy_current

Outcome = PaymentNotification.Outcome


def payment_start(*, buyer: User, checkout_id: int, method: str) -> Payment:
    """The charge for a checkout's unpaid orders; asking again returns the same charge."""
    checkout = Checkout.objects.filter(pk=checkout_id, buyer=buyer).first()
    if checkout is None:
        raise NotFound(_("Checkout tidak ditemukan."))
    existing = Payment.objects.filter(checkout=checkout).first()
    if existing is not None:
        return existing
    orders = list(checkout.orders.filter(status=Order.Status.AWAITING_PAYMENT))
    if not orders:
        raise NothingToPay()
    gateway = gateway_get()
    deadline = min(order.placed_at for order in orders) + dt.timedelta(
        minutes=policy_current().payment_timeout_minutes
    )
    minutes_left = max(1, int((deadline - timezone.now()).total_seconds() // 60))
    # The gateway is asked outside any transaction: no row stays locked while it answers.
    charge = gateway.charge_create(
        gateway_base.ChargeRequest(
            reference=f"PKN-{checkout.pk}-{secrets.token_hex(4)}",
            amount=sum(order.total for order in orders),
            method=method,
            customer_name=buyer.full_name or buyer.username,
            expires_in_minutes=minutes_left,
        )
    )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                checkout=checkout,
                reference=charge.reference,
                gateway=gateway.name,
                method=method,
                amount=charge.amount,
                gateway_transaction_id=charge.gateway_transaction_id,
                qris_payload=charge.qris_payload or "",
                va_bank=charge.va_bank or "",
                va_number=charge.va_number or "",
                expires_at=charge.expires_at,
            )
            payment.orders.add(*orders)  # a new charge: nothing to compare with first
            notify_payment_due(
                buyer=buyer, orders=orders, amount=payment.amount, reference=payment.reference
            )
            return payment
    except IntegrityError:
        # Another request for the same checkout won; its charge is the one shown, ours expires.
        return Payment.objects.get(checkout=checkout)


def notification_receive(
    *, gateway_name: str, body: bytes, headers: Mapping[str, str], remote_address: str | None
) -> PaymentNotification:
    """Verifies, records and applies one webhook delivery. Raises NotificationRejected (after
    logging it) for a forged or unreadable one."""
    gateway = gateway_get(gateway_name)
    try:
        notification = gateway.notification_parse(body, headers)
    except gateway_base.NotificationRejected as error:
        PaymentNotification.objects.create(
            gateway=gateway.name,
            outcome=Outcome.REJECTED,
            detail=f"{error.code}: {error.message}"[:300],
            remote_address=remote_address,
            raw=body[:4000].decode("utf-8", "replace"),
        )
        raise
    key = notification.notification_id or hashlib.sha256(body).hexdigest()
    return _record_and_apply(gateway.name, key, notification, remote_address, body)


def _record_and_apply(gateway_name, key, notification, remote_address, body):
    record = PaymentNotification(
        gateway=gateway_name,
        dedupe_key=key[:100],
        reference=notification.reference[:50],
        status=notification.status,
        amount=notification.amount,
        remote_address=remote_address,
        raw=body[:4000].decode("utf-8", "replace"),
    )
    # An "expired" or "failed" is checked with the gateway before any row is locked: the
    # question may take seconds, and nobody should wait on the payment row meanwhile.
    paid_after_all = notification.status in ("expired", "failed") and _gateway_says_paid(
        gateway_name, notification.reference
    )
    try:
        with transaction.atomic():
            # A notification settles only a payment made at the gateway that sent it.
            found = _PAYMENT_LOCK.instances(notification.reference, gateway_name)
            payment = found[0] if found else None
            record.outcome, record.detail = (
                (Outcome.UNKNOWN_PAYMENT, "")
                if payment is None
                else _apply(payment, notification.status, notification.amount, paid_after_all)
            )
            rows_insert([record])
    except IntegrityError:
        record.pk, record.dedupe_key = None, None
        record.outcome, record.detail = Outcome.DUPLICATE, f"sudah diterima: {key[:60]}"
        record.save()
    return record


_PAYMENT_LOCK = Prepared(
    lambda reference, gateway: Payment.objects.select_for_update().filter(
        reference=reference, gateway=gateway
    ),
    "\x00reference",
    "\x00gateway",
)


def _apply(payment: Payment, status: str, amount: int, paid_after_all: bool) -> tuple[str, str]:
    """Moves a locked payment by what the gateway said. Returns (outcome, detail).

    `paid_after_all`: asked about an "expired" or "failed", the gateway said the charge is paid."""
    if status == "paid":
        if amount != payment.amount:
            return Outcome.AMOUNT_MISMATCH, f"ditagih {payment.amount}, dibayar {amount}"
        if payment.status == Payment.Status.PAID:
            return Outcome.DUPLICATE, "sudah lunas"
        _mark_paid(payment)
        return Outcome.APPLIED, ""
    if status in ("expired", "failed"):
        if payment.status != Payment.Status.PENDING:
            return Outcome.STALE, f"pembayaran sudah {payment.status}"
        if paid_after_all:
            _mark_paid(payment)
            return Outcome.APPLIED, "gateway menyatakan lunas saat dicek"
        _mark_over(payment, status)
        return Outcome.APPLIED, ""
    return Outcome.STALE, f"status {status} tidak mengubah apa pun"


def _gateway_says_paid(gateway_name: str, reference: str) -> bool:
    payment = Payment.objects.filter(reference=reference).only("amount").first()
    if payment is None:
        return False
    try:
        answer = gateway_get(gateway_name).charge_status(reference)
    except gateway_base.GatewayError:
        return False
    return answer.status == "paid" and answer.amount == payment.amount


def _mark_paid(payment: Payment) -> None:
    """Every order still waiting is paid; an order our clock already cancelled gets its money
    straight back (the ledger records both, so not a rupiah goes missing). The orders are
    locked together, by id, under the payment's lock."""
    payment.status = Payment.Status.PAID
    payment.paid_at = timezone.now()
    payment.save(update_fields=["status", "paid_at", "updated_at"])
    for order in orders_lock(payments=payment.pk):
        if order.status == Order.Status.AWAITING_PAYMENT:
            order_step(
                order=order,
                action="pay",
                actor=None,
                actor_kind="system",
                reference=payment.reference,
                locked=True,
            )
        elif order.status == Order.Status.CANCELLED:
            order_paid_late(order=order, reference=payment.reference)


def _mark_over(payment: Payment, status: str) -> None:
    payment.status = Payment.Status.EXPIRED if status == "expired" else Payment.Status.FAILED
    payment.save(update_fields=["status", "updated_at"])
    for order in payment.orders.filter(status=Order.Status.AWAITING_PAYMENT):
        try:
            order_transition(
                order=order,
                action="expire_payment",
                actor=None,
                actor_kind="system",
                reason=gettext_noop("Pembayaran kedaluwarsa")
                if status == "expired"
                else gettext_noop("Pembayaran gagal"),
            )
        except OrderStatusConflict:
            continue


def payments_expire(*, now: dt.datetime | None = None) -> int:
    """Charges past their deadline: asks the gateway, then pays or expires them. Worker job."""
    now = now or timezone.now()
    overdue = Payment.objects.filter(status=Payment.Status.PENDING, expires_at__lt=now)
    done = 0
    for payment_id, gateway_name, reference in overdue.order_by("id").values_list(
        "id", "gateway", "reference"
    ):
        paid_after_all = _gateway_says_paid(gateway_name, reference)
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.status != Payment.Status.PENDING:
                continue
            _apply(payment, "expired", payment.amount, paid_after_all)
            done += 1
    return done


class SimulatorOnly(Conflict):
    code = "simulator_only"
    default_message = gettext_lazy("Tombol bayar simulasi hanya ada pada gateway simulator.")


class SimulatorOff(NotFound):
    code = "simulator_off"
    default_message = gettext_lazy("Pembayaran simulasi tidak tersedia di sini.")


def simulator_require() -> None:
    """Refuses (404, as if the route did not exist) unless PEKEN_PAYMENT_SIMULATOR is on. Called
    before the payment is looked up, so a switched-off install says nothing about references."""
    if not simulator_enabled():
        raise SimulatorOff()


def payment_simulate(*, payment: Payment, status: str) -> Payment:
    """The demo's "bayar sekarang": the simulator gateway plays the payer and sends its signed
    notification through the same webhook path as a real one (callers check who may)."""
    simulator_require()
    if payment.gateway != SimulatorGateway.name:
        raise SimulatorOnly()
    gateway = gateway_get(SimulatorGateway.name)
    signed = gateway.notification_build(payment.reference, status)
    notification_receive(
        gateway_name=gateway.name, body=signed.body, headers=signed.headers, remote_address=None
    )
    payment.refresh_from_db()
    return payment
