"""Paying a checkout through the gateway, and believing only what the gateway signs."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from payment_steps import charge, forged, notify, pay, receive, signed, two_shop_checkout
from peken.catalog.models import Product
from peken.ledger.selectors import account_balances, ledger_is_balanced
from peken.ordering.models import Order
from peken.ordering.services import orders_expire
from peken.payments.gateways import SignatureInvalid
from peken.payments.models import Payment, PaymentNotification, Refund
from peken.payments.qris import qris_parse
from peken.payments.services import payments_expire
from peken.quotas.models import MerchantMonthQuota

pytestmark = pytest.mark.django_db
Outcome = PaymentNotification.Outcome


def statuses(orders):
    return sorted(Order.objects.get(pk=order.pk).status for order in orders)


def test_one_charge_pays_every_shop_of_the_checkout():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    assert payment.amount == sum(order.total for order in orders)
    assert qris_parse(payment.qris_payload)["amount"] == payment.amount
    record = pay(payment)
    assert record.outcome == Outcome.APPLIED
    assert statuses(orders) == ["paid", "paid"]
    balances = account_balances()
    assert balances["gateway_clearing"] == payment.amount
    assert balances["buyer_funds_held"] == payment.amount
    assert ledger_is_balanced()


def test_asking_for_the_charge_twice_returns_the_same_one():
    checkout, _ = two_shop_checkout()
    assert charge(checkout).reference == charge(checkout, "va_bca").reference
    assert Payment.objects.count() == 1


def test_a_virtual_account_charge_has_a_number():
    checkout, _ = two_shop_checkout()
    payment = charge(checkout, "va_bni")
    assert payment.va_number and payment.va_bank == "bni" and not payment.qris_payload


def test_a_forged_notification_is_rejected_and_logged():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    with pytest.raises(SignatureInvalid):
        receive(forged(notify(payment, "paid"), amount=1))
    assert statuses(orders) == ["awaiting_payment", "awaiting_payment"]
    logged = PaymentNotification.objects.get()
    assert logged.outcome == Outcome.REJECTED and "signature" in logged.detail


def test_a_duplicate_notification_changes_nothing():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    first = pay(payment)
    again = receive(notify(payment, "paid", duplicate=True))
    assert (first.outcome, again.outcome) == (Outcome.APPLIED, Outcome.DUPLICATE)
    assert account_balances()["gateway_clearing"] == payment.amount  # counted once
    assert Order.objects.filter(status="paid").count() == 2


def test_a_replayed_notification_from_long_ago_is_a_duplicate_too():
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    first = notify(payment, "paid")
    receive(first)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        assert receive(first).outcome == Outcome.DUPLICATE
    assert account_balances()["gateway_clearing"] == payment.amount


def test_expired_after_paid_does_not_unpay():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    receive(notify(payment, "paid"))
    # Out of order: an "expired" the gateway sent earlier arrives now.
    assert receive(signed(payment, "expired")).outcome == Outcome.STALE
    assert Payment.objects.get().status == "paid"
    assert statuses(orders) == ["paid", "paid"]


def test_an_expired_notification_is_checked_with_the_gateway_first():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    notify(payment, "paid")  # paid at the gateway; that notification never arrives
    record = receive(signed(payment, "expired"))
    assert record.outcome == Outcome.APPLIED and "lunas" in record.detail
    assert statuses(orders) == ["paid", "paid"]


def test_payment_expiry_cancels_the_orders_and_gives_stock_and_cap_back():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    with time_machine.travel(payment.expires_at + dt.timedelta(minutes=1)):
        assert payments_expire() == 1
    assert Payment.objects.get().status == "expired"
    assert statuses(orders) == ["cancelled", "cancelled"]
    assert set(Product.objects.values_list("stock", flat=True)) == {50}
    assert set(MerchantMonthQuota.objects.values_list("used", flat=True)) == {0}
    assert account_balances()["gateway_clearing"] == 0


def test_a_payment_arriving_after_our_clock_cancelled_the_orders_is_refunded():
    """Expiry racing a payment: the orders were cancelled, then the money came."""
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    late = notify(payment, "paid")  # the buyer paid just in time at the gateway …
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=61)):
        orders_expire()  # … but our worker ran before the notification arrived
        assert statuses(orders) == ["cancelled", "cancelled"]
        assert receive(late).outcome == Outcome.APPLIED
    assert Payment.objects.get().status == "paid"
    refunds = Refund.objects.filter(kind="cancellation")
    assert sum(refund.amount for refund in refunds) == payment.amount
    balances = account_balances()
    assert balances["gateway_clearing"] == 0 and balances["buyer_funds_held"] == 0
    assert ledger_is_balanced()


def test_a_paid_amount_that_differs_is_not_applied():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    record = receive(notify(payment, "paid", amount=payment.amount - 1))
    assert record.outcome == Outcome.AMOUNT_MISMATCH
    assert statuses(orders) == ["awaiting_payment", "awaiting_payment"]


def test_a_notification_for_an_unknown_charge_is_logged(api):
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    paid = notify(payment, "paid")
    Payment.objects.filter(pk=payment.pk).update(reference="PKN-other")
    assert receive(paid).outcome == Outcome.UNKNOWN_PAYMENT


def test_a_notification_settles_only_a_payment_of_the_gateway_that_sent_it():
    """Issue 17: a correctly signed simulator "paid" must not settle a charge made at Midtrans."""
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    paid = notify(payment, "paid")
    Payment.objects.filter(pk=payment.pk).update(gateway="midtrans")
    assert receive(paid).outcome == Outcome.UNKNOWN_PAYMENT
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert statuses(orders) == ["awaiting_payment", "awaiting_payment"]


def test_only_the_buyer_may_pay_with_the_simulator(api, city_admin):
    """Issue 17: a city admin may look at a buyer's payment but never 'pay' it."""
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    url = f"/payments/{payment.reference}/simulate"
    refused = api(city_admin).post(url, {"status": "paid"})
    assert refused.status_code == 404 and refused.json()["code"] == "payment_not_found"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert api(checkout.buyer).post(url, {"status": "paid"}).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
