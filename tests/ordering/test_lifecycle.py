"""The life of an order, who may move it, and what every cancellation gives back."""

import datetime as dt

import pytest
import time_machine

import factories
from factories import KEDUNGDORO
from peken.catalog.models import Product
from peken.core.months import WIB
from peken.ordering.models import Order
from peken.ordering.services import orders_expire
from peken.quotas.models import MerchantMonthQuota

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    return factories.merchant(KEDUNGDORO, name="Toko Bu Sri")


@pytest.fixture
def rice(shop):
    return factories.product(shop, name="Beras 5 kg", price=75_000, stock=10)


def place(api, buyer, product, quantity=2, fulfilment="delivery"):
    payload = {
        "items": [{"product_id": product.pk, "quantity": quantity}],
        "fulfilment": fulfilment,
        "address": "Jl. Kedungdoro No. 5",
    }
    response = api(buyer).post("/checkout", payload)
    assert response.status_code == 201, response.content
    return response.json()["orders"][0]["id"]


def pay(api, order_id):
    """The buyer pays the order's checkout with the simulator gateway, as the demo does."""
    order = Order.objects.get(pk=order_id)
    buyer = api(order.buyer)
    payment = buyer.post(f"/checkouts/{order.checkout_id}/payment", {"method": "qris"})
    assert payment.status_code == 201, payment.content
    paid = buyer.post(f"/payments/{payment.json()['reference']}/simulate", {"status": "paid"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid", paid.content


def used(shop) -> int:
    return MerchantMonthQuota.objects.get(merchant=shop).used


def test_delivery_path_to_completed_with_a_timeline(api, shop, rice):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    pay(api, order_id)
    owner = shop.owner
    for step, status in [("accept", "accepted"), ("deliver", "delivering")]:
        response = api(owner).post(f"/merchant/orders/{order_id}/{step}")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    confirmed = api(buyer).post(f"/orders/{order_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "completed"
    timeline = api(buyer).get(f"/orders/{order_id}").json()["events"]
    assert [(e["from_status"], e["to_status"], e["actor_kind"]) for e in timeline] == [
        ("", "awaiting_payment", "buyer"),
        ("awaiting_payment", "paid", "system"),
        ("paid", "accepted", "merchant"),
        ("accepted", "delivering", "merchant"),
        ("delivering", "completed", "buyer"),
    ]
    order = Order.objects.get(pk=order_id)
    assert order.paid_at and order.accepted_at and order.fulfilled_at and order.completed_at
    assert used(shop) == 150_000  # a completed order keeps its place in the cap


def test_pickup_path_the_buyer_confirms(api, shop, rice):
    buyer = factories.asn()
    order_id = place(api, buyer, rice, fulfilment="pickup")
    pay(api, order_id)
    api(shop.owner).post(f"/merchant/orders/{order_id}/accept")
    wrong = api(shop.owner).post(f"/merchant/orders/{order_id}/deliver")
    assert wrong.status_code == 409 and wrong.json()["code"] == "order_status_conflict"
    assert api(shop.owner).post(f"/merchant/orders/{order_id}/ready").json()["status"] == (
        "ready_for_pickup"
    )
    assert api(buyer).post(f"/orders/{order_id}/confirm").json()["status"] == "completed"


@pytest.mark.parametrize("paid", [False, True])
def test_buyer_cancels_before_acceptance_and_gets_stock_and_cap_back(api, shop, rice, paid):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    if paid:
        pay(api, order_id)
    assert Product.objects.get(pk=rice.pk).stock == 8 and used(shop) == 150_000
    response = api(buyer).post(f"/orders/{order_id}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Product.objects.get(pk=rice.pk).stock == 10 and used(shop) == 0
    twice = api(buyer).post(f"/orders/{order_id}/cancel")
    assert twice.status_code == 409 and twice.json()["code"] == "order_status_conflict"
    assert Product.objects.get(pk=rice.pk).stock == 10 and used(shop) == 0


def test_buyer_cannot_cancel_after_acceptance(api, shop, rice):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    pay(api, order_id)
    api(shop.owner).post(f"/merchant/orders/{order_id}/accept")
    assert api(buyer).post(f"/orders/{order_id}/cancel").status_code == 409


def test_merchant_rejects_with_a_reason_and_the_buyer_sees_it(api, shop, rice):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    pay(api, order_id)
    no_reason = api(shop.owner).post(f"/merchant/orders/{order_id}/reject", {"reason": ""})
    assert no_reason.status_code == 422
    rejected = api(shop.owner).post(
        f"/merchant/orders/{order_id}/reject", {"reason": "Beras habis"}
    )
    assert rejected.json()["status"] == "cancelled"
    seen = api(buyer).get(f"/orders/{order_id}").json()
    assert seen["cancel_reason"] == "Beras habis"
    assert Product.objects.get(pk=rice.pk).stock == 10 and used(shop) == 0


def test_a_merchant_cannot_accept_a_cancelled_order(api, shop, rice):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    api(buyer).post(f"/orders/{order_id}/cancel")
    response = api(shop.owner).post(f"/merchant/orders/{order_id}/accept")
    assert response.status_code == 409


def test_unpaid_orders_expire_after_the_payment_window(shop, rice, api):
    buyer = factories.asn()
    order_id = place(api, buyer, rice)
    placed = Order.objects.get(pk=order_id).placed_at
    assert orders_expire(now=placed + dt.timedelta(minutes=59)) == 0
    assert orders_expire(now=placed + dt.timedelta(minutes=61)) == 1
    order = Order.objects.get(pk=order_id)
    assert order.status == "cancelled" and "pembayaran" in order.cancel_reason
    assert order.events.last().actor_kind == "system"
    assert Product.objects.get(pk=rice.pk).stock == 10 and used(shop) == 0
    assert orders_expire(now=placed + dt.timedelta(minutes=120)) == 0


def test_paid_orders_no_shop_accepts_expire_after_24_hours(shop, rice, api):
    order_id = place(api, factories.asn(), rice)
    pay(api, order_id)
    paid_at = Order.objects.get(pk=order_id).paid_at
    assert orders_expire(now=paid_at + dt.timedelta(hours=23)) == 0
    assert orders_expire(now=paid_at + dt.timedelta(hours=25)) == 1
    assert Order.objects.get(pk=order_id).status == "cancelled" and used(shop) == 0


def test_who_sees_which_orders(api, shop, rice):
    buyer, other_buyer = factories.asn(), factories.asn()
    order_id = place(api, buyer, rice)
    other_shop = factories.merchant(KEDUNGDORO)
    assert [o["id"] for o in api(buyer).get("/orders").json()["items"]] == [order_id]
    assert api(other_buyer).get("/orders").json()["items"] == []
    assert api(other_buyer).get(f"/orders/{order_id}").status_code == 404
    inbox = api(shop.owner).get("/merchant/orders").json()["items"]
    assert [o["id"] for o in inbox] == [order_id]
    assert api(other_shop.owner).get("/merchant/orders").json()["items"] == []
    assert api(other_shop.owner).get(f"/orders/{order_id}").status_code == 404
    assert api(other_shop.owner).post(f"/merchant/orders/{order_id}/accept").status_code == 404
    # A buyer cannot act as the shop on their own order.
    assert api(buyer).post(f"/merchant/orders/{order_id}/accept").status_code == 403


def test_order_lists_use_a_fixed_number_of_queries(api, shop, rice, django_assert_max_num_queries):
    buyer = factories.asn()
    for _ in range(5):
        place(api, buyer, rice, quantity=1)
    client = api(buyer)
    with django_assert_max_num_queries(8):
        assert len(client.get("/orders").json()["items"]) == 5


# --- the WIB month boundary -------------------------------------------------------------------


def test_an_order_at_235959_wib_on_the_last_day_counts_in_that_month(api, shop, rice):
    buyer = factories.asn()
    with time_machine.travel(dt.datetime(2026, 1, 31, 23, 59, 59, tzinfo=WIB), tick=False):
        first = place(api, buyer, rice, quantity=1)
    with time_machine.travel(dt.datetime(2026, 2, 1, 0, 0, 0, tzinfo=WIB), tick=False):
        second = place(api, buyer, rice, quantity=1)
    assert Order.objects.get(pk=first).month == dt.date(2026, 1, 1)
    assert Order.objects.get(pk=second).month == dt.date(2026, 2, 1)
    assert api(buyer).get(f"/orders/{first}").json()["month"] == "2026-01"
    quotas = dict(MerchantMonthQuota.objects.filter(merchant=shop).values_list("month", "used"))
    assert quotas == {dt.date(2026, 1, 1): 75_000, dt.date(2026, 2, 1): 75_000}
