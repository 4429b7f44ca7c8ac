"""Payments, cancellations and refunds at once, on real threads with real commits: the roll-ups
add up to exactly what a recount of the orders says, and the roll-up itself takes few statements."""

from concurrent.futures import ThreadPoolExecutor

from django.db import connection

import factories
from payment_steps import complete
from peken.accounts.models import Role
from peken.core.months import Month
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_decide, complaint_open
from peken.reports.services import rollup_order_paid, rollups_check

WORKERS = 12


def on_threads(jobs) -> None:
    def run(job):
        try:
            job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for outcome in pool.map(run, jobs):
            assert outcome is None


def step(order, action):
    return lambda: order_transition(
        order=order, action=action, actor=None, actor_kind="merchant", reason="Stok habis"
    )


def refund(admin, order):
    def job():
        done = complete(Order.objects.get(pk=order.pk))
        complaint = complaint_open(
            buyer=done.buyer, order=done, reason="damaged", description="Barang rusak semua."
        )
        complaint_decide(actor=admin, complaint=complaint, refund_amount=7_001, note="Sebagian.")

    return job


def test_concurrent_payments_cancellations_and_refunds_keep_the_roll_ups_exact(live_db):
    shops = [factories.merchant("35.78.05.1003"), factories.merchant("35.78.10.1001")]
    goods = [
        factories.product(shop, name=name, price=price, stock=10_000, category_slug=slug)
        for shop in shops
        for name, price, slug in (("Beras", 15_500, "sembako"), ("Sabun", 4_250, "perawatan-diri"))
    ]
    buyers = [factories.asn() for _ in range(10)] + [factories.warga().user for _ in range(4)]
    orders = []
    for buyer in buyers * 2:
        placed = checkout_place(
            buyer=buyer, lines=[(product.pk, 2) for product in goods], fulfilment="pickup"
        )
        orders += placed.orders
    on_threads([step(order, "pay") for order in orders])
    admin = factories.user(None, Role.CITY_ADMIN)
    fates = [step(order, "reject") for order in orders[0::3]]
    fates += [refund(admin, order) for order in orders[1::3]]
    fates += [step(order, "accept") for order in orders[2::3]]
    on_threads(fates)
    assert Order.objects.filter(status="cancelled").count() == len(orders[0::3])
    assert Order.objects.filter(refunded_goods=7_001).count() == len(orders[1::3])
    assert rollups_check(Month.of(orders[0].placed_at)) == []


def test_the_roll_up_of_a_payment_costs_two_statements_on_postgresql(db, django_assert_num_queries):
    shop = factories.merchant()
    rice = factories.product(shop, price=20_000, category_slug="sembako")
    soap = factories.product(shop, name="Sabun", price=3_000, category_slug="perawatan-diri")
    for buyer in (factories.asn(), factories.warga().user):
        (order,) = checkout_place(
            buyer=buyer, lines=[(rice.pk, 1), (soap.pk, 2)], fulfilment="pickup"
        ).orders
        # One read (lines by category, home kecamatan), then the four upserts: one statement on
        # PostgreSQL (data-modifying WITHs), one per roll-up table on SQLite.
        with django_assert_num_queries(2 if connection.vendor == "postgresql" else 5):
            rollup_order_paid(order)
