"""Hundreds of checkouts at once, on real threads with real commits: no cap is passed, no stock
goes below zero, and the cap ledger equals the orders that hold it."""

import random
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

import factories
from peken.catalog.models import Product
from peken.core.errors import DomainError
from peken.core.months import Month
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.quotas.models import MerchantCap, MerchantMonthQuota
from peken.quotas.rules import month_key

WORKERS = 24


def run_all(attempts):
    """Runs each attempt on the pool; returns the outcomes ('ok' or the error code)."""

    def attempt(job):
        try:
            job()
            return "ok"
        except DomainError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(attempt, attempts))


def live_cap_total(merchant) -> int:
    return (
        Order.objects.filter(merchant=merchant, counts_toward_cap=True)
        .exclude(status="cancelled")
        .aggregate(total=Sum("goods_total"))["total"]
        or 0
    )


def test_two_hundred_checkouts_against_a_shop_100000_below_its_cap(live_db):
    shop = factories.merchant("35.78.05.1003")
    MerchantCap.objects.create(merchant=shop, cap=30_000_000)
    # Earlier orders this month took all but Rp 100.000 of the cap.
    MerchantMonthQuota.objects.create(
        merchant=shop, month=month_key(Month.of(timezone.now())), cap=30_000_000, used=29_900_000
    )
    snack = factories.product(shop, name="Kerupuk", price=10_000, stock=10_000)
    buyers = [factories.asn() for _ in range(20)]

    def checkout(buyer):
        return lambda: checkout_place(buyer=buyer, lines=[(snack.pk, 1)], fulfilment="pickup")

    outcomes = run_all([checkout(buyers[i % len(buyers)]) for i in range(200)])
    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("merchant_cap_reached") == 190
    quota = MerchantMonthQuota.objects.get(merchant=shop)
    assert quota.used == 30_000_000 <= quota.cap
    assert quota.used - 29_900_000 == live_cap_total(shop)
    assert Product.objects.get(pk=snack.pk).stock == 10_000 - 10


def test_fifty_buyers_for_the_last_five_items(live_db):
    shop = factories.merchant("35.78.05.1003")
    last = factories.product(shop, name="Batik Tulis", price=250_000, stock=5)
    other = factories.merchant("35.78.05.1004")
    bread = factories.product(other, name="Roti", price=10_000, stock=1_000)
    buyers = [factories.asn() for _ in range(10)]

    def checkout(buyer):
        # Each cart spans two shops: a refused cart must give back the other shop's stock too.
        return lambda: checkout_place(
            buyer=buyer, lines=[(bread.pk, 1), (last.pk, 1)], fulfilment="pickup"
        )

    outcomes = run_all([checkout(buyers[i % len(buyers)]) for i in range(50)])
    assert outcomes.count("ok") == 5, outcomes
    assert outcomes.count("insufficient_stock") == 45
    assert Product.objects.get(pk=last.pk).stock == 0
    assert Product.objects.get(pk=bread.pk).stock == 1_000 - 5
    for merchant in (shop, other):
        assert MerchantMonthQuota.objects.get(merchant=merchant).used == live_cap_total(merchant)


def test_cancellations_racing_checkouts_keep_the_ledger_exact(live_db):
    shop = factories.merchant("35.78.05.1003")
    MerchantCap.objects.create(merchant=shop, cap=200_000)
    item = factories.product(shop, name="Sambal", price=20_000, stock=1_000)
    buyers = [factories.asn() for _ in range(10)]
    first = [
        checkout_place(buyer=b, lines=[(item.pk, 1)], fulfilment="pickup").orders[0]
        for b in buyers[:5]
    ]

    def cancel(order):
        return lambda: order_transition(
            order=order, action="cancel", actor=None, actor_kind="buyer"
        )

    def checkout(buyer):
        return lambda: checkout_place(buyer=buyer, lines=[(item.pk, 1)], fulfilment="pickup")

    jobs = [cancel(order) for order in first] + [checkout(buyers[i % 10]) for i in range(40)]
    outcomes = run_all(jobs)
    assert outcomes[:5] == ["ok"] * 5
    quota = MerchantMonthQuota.objects.get(merchant=shop)
    assert quota.used == live_cap_total(shop) <= quota.cap
    sold = Order.objects.filter(merchant=shop).exclude(status="cancelled").count()
    assert Product.objects.get(pk=item.pk).stock == 1_000 - sold


def test_carts_sharing_products_and_shops_in_any_order_never_deadlock(live_db):
    shops = [factories.merchant("35.78.05.1003"), factories.merchant("35.78.05.1004")]
    products = [
        factories.product(shop, name="Tempe", price=5_000, stock=1_000)
        for shop in shops
        for _ in range(3)
    ]
    buyers = [factories.asn() for _ in range(8)]

    def checkout(number):
        # Every cart takes the same six rows and two cap rows, listed in its own order.
        lines = [(product.pk, 1) for product in products]
        random.Random(number).shuffle(lines)
        return lambda: checkout_place(
            buyer=buyers[number % len(buyers)], lines=lines, fulfilment="pickup"
        )

    outcomes = run_all([checkout(number) for number in range(120)])
    assert outcomes == ["ok"] * 120
    assert set(Product.objects.values_list("stock", flat=True)) == {1_000 - 120}
    for shop in shops:
        assert MerchantMonthQuota.objects.get(merchant=shop).used == live_cap_total(shop)
