"""A few weeks' worth of shopping for the demo: paid and completed orders (so shops have a
balance and the city a payout batch), one checkout of the `asn` login still waiting for payment
(so the payment page has something to pay), and a complaint to decide."""

import random

from peken.accounts.models import AsnProfile, User
from peken.catalog.selectors import products_visible
from peken.core.errors import DomainError
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_open
from peken.payments.services import payment_simulate, payment_start
from peken.payouts.services import payouts_run

DEMO_CHECKOUTS = 60


def orders_load(*, seed: int) -> None:
    """Runs through the real services: stock, cap, ledger and payouts all move as in life."""
    chooser = random.Random(seed)
    asn = User.objects.get(username="asn")
    buyers = [
        profile.user
        for profile in AsnProfile.objects.select_related("user").filter(is_active=True)[:40]
    ]
    penjual_goods = list(_stocked().filter(merchant__owner__username="penjual"))
    goods = list(_stocked().order_by("id")[:400])
    for number in range(DEMO_CHECKOUTS):
        lines = [(product.pk, chooser.randint(1, 3)) for product in chooser.sample(goods, 2)]
        _shop_once(chooser.choice(buyers), lines, paid=True, complete=number % 4 != 3)
    payouts_run(actor=User.objects.get(username="admin"))
    # After the payout, so `penjual` has a balance to show and `asn` a bill to pay.
    for product in penjual_goods[:3]:
        _shop_once(asn, [(product.pk, 2)], paid=True, complete=True)
    _shop_once(asn, [(penjual_goods[0].pk, 1)], paid=False, complete=False)
    _complaint_for(asn)


def _stocked():
    return products_visible().filter(stock__gte=20, merchant__offers_pickup=True)


def _shop_once(buyer: User, lines, *, paid: bool, complete: bool) -> None:
    try:
        result = checkout_place(buyer=buyer, lines=lines, fulfilment="pickup")
    except DomainError:
        return  # a shop that does not offer pickup, or a cap: the demo shops elsewhere
    payment = payment_start(buyer=buyer, checkout_id=result.checkout.pk, method="qris")
    if not paid:
        return
    payment_simulate(payment=payment, status="paid")
    if complete:
        for order in result.orders:
            for action in ("accept", "ready"):
                order = order_transition(
                    order=order, action=action, actor=order.merchant.owner, actor_kind="merchant"
                )
            # Picked up: the buyer confirms, which makes the money the shop's.
            order_transition(order=order, action="confirm", actor=buyer, actor_kind="buyer")


def _complaint_for(buyer: User) -> None:
    order = Order.objects.filter(buyer=buyer, status=Order.Status.COMPLETED).first()
    if order is not None:
        complaint_open(
            buyer=buyer,
            order=order,
            reason="incomplete",
            description="Telur yang datang kurang 3 butir dari pesanan.",
        )
