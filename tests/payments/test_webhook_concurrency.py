"""Hundreds of webhook deliveries at once, racing the expiry job, on real threads with real
commits: no payment is counted twice and the ledger balances."""

import random
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

import factories
from payment_steps import KEDUNGDORO, charge, notify, signed
from peken.ledger.models import LedgerEntry
from peken.ledger.selectors import account_balances, ledger_is_balanced
from peken.ordering.models import Order
from peken.ordering.services import checkout_place
from peken.payments.models import Payment, PaymentNotification
from peken.payments.services import payments_expire

WORKERS = 16


def post(notification):
    def deliver():
        try:
            response = Client().post(
                "/api/v1/payments/webhooks/simulator",
                data=notification.body,
                content_type="application/json",
                headers=notification.headers,
            )
            return response.status_code
        finally:
            connection.close()

    return deliver


def expire_job():
    try:
        payments_expire()
        return "expiry"
    finally:
        connection.close()


def test_concurrent_webhooks_and_expiry_count_every_payment_once(live_db):
    shop = factories.merchant(KEDUNGDORO)
    other = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, price=75_000, stock=1_000)
    oil = factories.product(other, price=18_000, stock=1_000)
    payments = []
    for _ in range(40):
        result = checkout_place(
            buyer=factories.asn(KEDUNGDORO), lines=[(rice.pk, 1), (oil.pk, 2)], fulfilment="pickup"
        )
        payments.append(charge(result.checkout))
    paid, unpaid = payments[:30], payments[30:]
    jobs = []
    for payment in paid:
        paid_notice = notify(payment, "paid")  # the payer paid: the gateway now says so
        jobs += [post(paid_notice)] * 6  # delivered six times over
        jobs += [post(signed(payment, "expired"))] * 2  # a crossed, stale "expired"
    for payment in unpaid:
        jobs += [post(notify(payment, "expired"))] * 3
    # Half the charges are already past their deadline in our database: the expiry job races.
    Payment.objects.filter(pk__in=[p.pk for p in payments[15:]]).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )
    jobs += [expire_job] * 10
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        outcomes = list(pool.map(lambda job: job(), jobs))

    assert len(outcomes) == 280 and set(outcomes) <= {200, "expiry"}, set(outcomes)
    statuses = dict(Payment.objects.values_list("reference", "status"))
    assert {statuses[p.reference] for p in paid} == {"paid"}
    assert {statuses[p.reference] for p in unpaid} == {"expired"}
    paid_orders = Order.objects.filter(payments__in=paid)
    assert set(paid_orders.values_list("status", flat=True)) == {"paid"}
    assert LedgerEntry.objects.filter(kind="payment").count() == paid_orders.count() == 60
    # Every delivery is on record; a "paid" is applied at most once per payment (the expiry job
    # or a checked "expired" may have got there first), every other copy is a duplicate.
    notices = PaymentNotification.objects.filter(status="paid")
    assert notices.count() == 180
    assert set(notices.values_list("outcome", flat=True)) <= {"applied", "duplicate"}
    applied = notices.filter(outcome="applied").values_list("reference", flat=True)
    assert len(applied) == len(set(applied)) <= 30
    assert account_balances()["gateway_clearing"] == sum(p.amount for p in paid)
    assert ledger_is_balanced()
    cancelled = Order.objects.filter(payments__in=unpaid, status="cancelled")
    assert cancelled.count() == 20
    sold = Order.objects.exclude(status="cancelled").aggregate(n=Sum("items__quantity"))["n"]
    assert sold == 30 * 3
