"""Shared steps for the payments tests: a cart placed, a charge made, the simulator paying it."""

import json
import uuid

from django.utils import timezone

import factories
from factories import KEDUNGDORO
from peken.ordering.services import checkout_place, order_transition
from peken.payments.gateways import gateway_get
from peken.payments.services import notification_receive, payment_start


def two_shop_checkout(buyer=None, *, quantity=2):
    """An ASN's checkout of two shops: rice at 75.000 and eggs at 28.000, delivered."""
    buyer = buyer or factories.asn(KEDUNGDORO)
    first = factories.merchant(KEDUNGDORO, name="Toko Bu Sri", delivery_fee_same_kelurahan=5_000)
    second = factories.merchant(KEDUNGDORO, name="Toko Pak Budi")
    rice = factories.product(first, name="Beras 5 kg", price=75_000, stock=50)
    eggs = factories.product(second, name="Telur 1 kg", price=28_000, stock=50)
    result = checkout_place(
        buyer=buyer,
        lines=[(rice.pk, quantity), (eggs.pk, quantity)],
        fulfilment="delivery",
        address="Jl. Kedungdoro No. 5",
    )
    return result.checkout, result.orders


def charge(checkout, method="qris"):
    return payment_start(buyer=checkout.buyer, checkout_id=checkout.pk, method=method)


def notify(payment, status, **options):
    """What the simulator sends for `status`, as bytes and headers."""
    return gateway_get("simulator").notification_build(payment.reference, status, **options)


def receive(signed):
    return notification_receive(
        gateway_name="simulator", body=signed.body, headers=signed.headers, remote_address=None
    )


def pay(payment):
    return receive(notify(payment, "paid"))


def forged(signed, **changes):
    """The same notification with its body altered and the old signature kept."""
    body = json.loads(signed.body) | changes
    return signed._replace(body=json.dumps(body).encode())


def signed(payment, status, **fields):
    """A correctly signed notification with a body of our choosing: what a gateway sends when
    its own events cross (an old "expired" after "paid", say)."""
    now = timezone.now().isoformat()
    body = {
        "notification_id": uuid.uuid4().hex,
        "timestamp": now,
        "reference": payment.reference,
        "transaction_id": payment.gateway_transaction_id,
        "method": payment.method,
        "status": status,
        "amount": payment.amount,
        "refunded_amount": 0,
        "occurred_at": now,
    } | fields
    return gateway_get("simulator").notification_sign(body)


def complete(order):
    """The shop accepts and delivers (or readies for pickup); the buyer confirms receipt."""
    middle = "deliver" if order.fulfilment == "delivery" else "ready"
    for action in ("accept", middle):
        order = order_transition(order=order, action=action, actor=None, actor_kind="system")
    return order_transition(order=order, action="confirm", actor=order.buyer, actor_kind="buyer")
