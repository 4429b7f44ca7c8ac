"""Random lives of orders keep the ledger balanced to the rupiah and equal to the orders."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import factories
from payment_steps import KEDUNGDORO, complete, notify, receive
from peken.core.errors import DomainError
from peken.ledger.selectors import account_balances, ledger_is_balanced
from peken.ordering.completion import orders_complete_unconfirmed
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_decide, complaint_open
from peken.payments.models import Payment, Refund
from peken.payments.services import payment_start
from peken.payouts.models import Payout
from peken.payouts.services import payouts_run

pytestmark = pytest.mark.django_db

STEPS = st.one_of(
    st.tuples(st.just("checkout"), st.integers(1, 7), st.integers(1, 3)),
    st.tuples(st.just("pay"), st.integers(0, 20)),
    st.tuples(st.just("expire"), st.integers(0, 20)),
    st.tuples(st.just("cancel"), st.integers(0, 40)),
    st.tuples(st.just("reject"), st.integers(0, 40)),
    st.tuples(st.just("complete"), st.integers(0, 40)),
    st.tuples(st.just("deliver"), st.integers(0, 40)),
    st.tuples(st.just("auto_complete")),
    st.tuples(st.just("refund"), st.integers(0, 40), st.integers(1, 100)),
    st.tuples(st.just("payout")),
)


@pytest.fixture
def world():
    buyer = factories.asn(KEDUNGDORO)
    shops = [
        factories.merchant(KEDUNGDORO, delivery_fee_same_kelurahan=fee) for fee in (0, 7_000, 3_000)
    ]
    products = [
        factories.product(shop, price=price, stock=10_000)
        for shop, price in zip(shops, (75_000, 12_500, 3_100), strict=True)
    ]
    admin = factories.person_with("city_admin")
    return buyer, products, admin


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(STEPS, min_size=5, max_size=40))
# Found by this test once, kept so they are tried on every run: a paid order refunded in full
# before completion, and one refunded in part and then rejected by its shop.
@example(steps=[("checkout", 1, 1), ("pay", 0), ("refund", 0, 100), ("complete", 0)])
@example(steps=[("checkout", 1, 1), ("pay", 0), ("refund", 0, 50), ("reject", 0)])
# A delivered order partly refunded on a complaint, then completed by the worker: the shop gets
# what is left of it, no more.
@example(
    steps=[
        ("checkout", 1, 1),
        ("pay", 0),
        ("deliver", 0),
        ("auto_complete",),
        ("checkout", 2, 1),
        ("pay", 1),
        ("deliver", 1),
        ("refund", 1, 40),
        ("auto_complete",),
    ]
)
def test_the_ledger_stays_balanced_and_equal_to_the_orders(world, steps):
    with transaction.atomic():
        for step in steps:
            try:
                with transaction.atomic():
                    _take(world, step)
            except DomainError:
                pass  # a refused step changes nothing, as refusals must
        _check_invariants()
        transaction.set_rollback(True)


def _take(world, step):
    buyer, products, admin = world
    kind, *args = step
    if kind == "checkout":
        mask, quantity = args
        lines = [(p.pk, quantity) for i, p in enumerate(products) if mask & (1 << i)]
        checkout_place(buyer=buyer, lines=lines, fulfilment="delivery", address="Jl. Uji 1")
    elif kind == "payout":
        payouts_run(actor=admin)
    elif kind == "auto_complete":
        # Every order waiting for its buyer is past the deadline.
        orders_complete_unconfirmed(now=timezone.now() + dt.timedelta(days=30))
    elif kind in ("pay", "expire"):
        # Mostly an unpaid checkout; sometimes any, to try paying twice.
        order = _pick(Order.objects.all(), args[0])
        if order is not None:
            payment = payment_start(buyer=buyer, checkout_id=order.checkout_id, method="qris")
            receive(notify(payment, "paid" if kind == "pay" else "expired"))
    else:
        order = _pick(Order.objects.filter(status__in=LIVE_AFTER_PAYMENT), args[0])
        if order is not None:
            _act(order, kind, args, buyer, admin)


LIVE_AFTER_PAYMENT = ["paid", "accepted", "delivering", "ready_for_pickup", "completed"]


def _pick(orders, index):
    orders = list(orders.order_by("id"))
    return orders[index % len(orders)] if orders else None


def _act(order, kind, args, buyer, admin):
    if kind == "complete":
        complete(order)
    elif kind == "deliver":
        for action in ("accept", "deliver"):
            order = order_transition(order=order, action=action, actor=None, actor_kind="system")
    elif kind in ("cancel", "reject"):
        order_transition(
            order=order, action=kind, actor=None, actor_kind="system", reason="Uji acak"
        )
    elif kind == "refund":
        reason = "damaged" if order.status == "completed" else "not_received"
        complaint = complaint_open(
            buyer=buyer, order=order, reason=reason, description="Uji acak komplain"
        )
        left = order.total - order.refunded_goods - order.refunded_delivery
        complaint_decide(
            actor=admin,
            complaint=complaint,
            refund_amount=max(1, left * args[1] // 100),
            note="Uji acak",
        )


def _total(queryset, expression) -> int:
    return queryset.aggregate(total=Sum(expression))["total"] or 0


def _check_invariants():
    assert ledger_is_balanced()
    balances = account_balances()
    received = _total(Payment.objects.filter(status="paid"), "amount")
    refunded = _total(Refund.objects.all(), "amount")
    paid_out = _total(Payout.objects.all(), "amount")
    assert balances["gateway_clearing"] == received - refunded
    left = F("total") - F("refunded_goods") - F("refunded_delivery")
    held_statuses = ["paid", "accepted", "delivering", "ready_for_pickup"]
    assert balances["buyer_funds_held"] == _total(
        Order.objects.filter(status__in=held_statuses), left
    )
    completed = _total(Order.objects.filter(status="completed"), left)
    assert balances["merchant_payable"] + paid_out == completed
    # Every rupiah received is accounted for: still held, owed or paid to shops, or refunded.
    assert received == balances["buyer_funds_held"] + completed + refunded
    assert balances["platform_bank"] == -paid_out
