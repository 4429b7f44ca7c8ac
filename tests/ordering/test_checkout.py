"""Placing a cart: one order per shop, stock and cap reserved for all or none."""

import pytest

import factories
from factories import KARANG_PILANG, KEDUNGDORO, KEPUTRAN
from peken.accounts.models import Role
from peken.catalog.models import Product
from peken.ordering.models import Checkout, Order
from peken.quotas.models import MerchantCap, MerchantMonthQuota

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    near = factories.merchant(KEDUNGDORO, name="Toko Dekat")
    far = factories.merchant(KARANG_PILANG, name="Toko Jauh", kind="umkm")
    return near, far


def cart(*lines, fulfilment="delivery", address="Jl. Kedungdoro No. 5"):
    return {
        "items": [{"product_id": product.pk, "quantity": quantity} for product, quantity in lines],
        "fulfilment": fulfilment,
        "address": address,
    }


def quota_used(merchant) -> int:
    row = MerchantMonthQuota.objects.filter(merchant=merchant).first()
    return row.used if row else 0


def test_asn_checkout_makes_one_order_per_shop_and_reserves_stock_and_cap(api, shops):
    near, far = shops
    rice = factories.product(near, name="Beras 5 kg", price=75_000, stock=10)
    sugar = factories.product(near, name="Gula 1 kg", price=18_000, stock=10)
    pecel = factories.product(far, name="Nasi Pecel", price=15_000, stock=0, is_made_to_order=True)
    buyer = factories.asn(KEDUNGDORO)
    response = api(buyer).post("/checkout", cart((rice, 2), (sugar, 1), (pecel, 3)))
    assert response.status_code == 201, response.content
    orders = {order["merchant_id"]: order for order in response.json()["orders"]}
    assert set(orders) == {near.pk, far.pk}
    assert orders[near.pk]["goods_total"] == 168_000
    assert orders[near.pk]["delivery_fee"] == 0  # same kelurahan
    assert orders[near.pk]["total"] == 168_000
    assert orders[far.pk]["delivery_fee"] == 10_000  # another kecamatan
    assert orders[far.pk]["total"] == 55_000
    assert {order["status"] for order in orders.values()} == {"awaiting_payment"}
    assert Product.objects.get(pk=rice.pk).stock == 8
    assert Product.objects.get(pk=pecel.pk).stock == 0  # made to order: nothing to take
    assert quota_used(near) == 168_000 and quota_used(far) == 45_000


def test_delivery_fee_for_the_same_kecamatan(api, shops):
    near, _ = shops
    rice = factories.product(near, price=75_000)
    buyer = factories.asn(KEPUTRAN)
    order = api(buyer).post("/checkout", cart((rice, 1))).json()["orders"][0]
    assert order["delivery_zone"] == "same_kecamatan" and order["delivery_fee"] == 5_000


def test_pickup_has_no_fee_and_no_address(api, shops):
    near, _ = shops
    rice = factories.product(near, price=75_000)
    order = api(factories.asn()).post("/checkout", cart((rice, 1), fulfilment="pickup", address=""))
    assert order.json()["orders"][0]["delivery_fee"] == 0


def test_orders_snapshot_name_and_price(api, shops):
    near, _ = shops
    rice = factories.product(near, name="Beras 5 kg", price=75_000)
    buyer = factories.asn()
    order_id = api(buyer).post("/checkout", cart((rice, 2))).json()["orders"][0]["id"]
    Product.objects.filter(pk=rice.pk).update(name="Beras Baru", price=99_000)
    item = api(buyer).get(f"/orders/{order_id}").json()["items"][0]
    assert (item["product_name"], item["unit_price"], item["line_total"]) == (
        "Beras 5 kg",
        75_000,
        150_000,
    )


def test_the_same_product_twice_is_one_line(api, shops):
    near, _ = shops
    rice = factories.product(near, price=10_000, stock=5)
    response = api(factories.asn()).post("/checkout", cart((rice, 2), (rice, 1)))
    order = response.json()["orders"][0]
    assert len(order["items"]) == 1 and order["items"][0]["quantity"] == 3
    assert Product.objects.get(pk=rice.pk).stock == 2


def test_a_shop_at_its_cap_refuses_an_asn_with_the_remaining_amount_and_nothing_is_written(
    api, shops
):
    near, far = shops
    MerchantCap.objects.create(merchant=far, cap=100_000)
    pecel = factories.product(far, name="Nasi Pecel", price=60_000, stock=10)
    rice = factories.product(near, price=75_000, stock=10)
    buyer = factories.asn()
    assert api(buyer).post("/checkout", cart((pecel, 1))).status_code == 201
    response = api(buyer).post("/checkout", cart((rice, 1), (pecel, 1)))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "merchant_cap_reached"
    assert body["merchant_id"] == far.pk and body["remaining"] == 40_000
    assert "40.000" in body["message"]
    # All or nothing: the other shop's stock and cap are untouched.
    assert Product.objects.get(pk=rice.pk).stock == 10
    assert quota_used(near) == 0 and quota_used(far) == 60_000
    assert Order.objects.count() == 1 and Checkout.objects.count() == 1


def test_warga_still_buy_from_a_shop_at_its_cap(api, shops):
    _, far = shops
    MerchantCap.objects.create(merchant=far, cap=50_000)
    pecel = factories.product(far, price=50_000, stock=10)
    assert api(factories.asn()).post("/checkout", cart((pecel, 1))).status_code == 201
    assert api(factories.asn()).post("/checkout", cart((pecel, 1))).status_code == 409
    warga = factories.warga(KEDUNGDORO).user
    response = api(warga).post("/checkout", cart((pecel, 1)))
    assert response.status_code == 201
    assert Order.objects.get(pk=response.json()["orders"][0]["id"]).counts_toward_cap is False
    assert quota_used(far) == 50_000


def test_warga_orders_count_when_the_city_says_so(api, shops, city_admin):
    near, _ = shops
    rice = factories.product(near, price=75_000)
    assert (
        api(city_admin).put("/admin/policy", {"warga_orders_count_toward_cap": True}).status_code
        == 200
    )
    api(factories.warga().user).post("/checkout", cart((rice, 1)))
    assert quota_used(near) == 75_000


def test_insufficient_stock_names_the_product_and_what_is_left(api, shops):
    near, far = shops
    rice = factories.product(near, price=75_000, stock=2)
    pecel = factories.product(far, price=15_000, stock=9)
    response = api(factories.asn()).post("/checkout", cart((pecel, 1), (rice, 3)))
    assert response.status_code == 409
    assert response.json() | {"message": ""} == {
        "code": "insufficient_stock",
        "product_id": rice.pk,
        "available": 2,
        "message": "",
    }
    assert Product.objects.get(pk=pecel.pk).stock == 9
    assert quota_used(far) == 0 and not Order.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1001, 1.5, "2", None, True])
def test_bad_quantities_are_422(api, shops, quantity):
    near, _ = shops
    rice = factories.product(near)
    payload = cart((rice, 1))
    payload["items"][0]["quantity"] = quantity
    response = api(factories.asn()).post("/checkout", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not Order.objects.exists()


def test_products_that_are_not_for_sale_are_refused(api, shops):
    near, _ = shops
    suspended = factories.merchant(KEDUNGDORO, status="suspended")
    cases = [
        factories.product(suspended),
        factories.product(near, is_active=False),
        factories.product(near, review="on_hold"),
    ]
    buyer = factories.asn()
    for product in cases:
        response = api(buyer).post("/checkout", cart((product, 1)))
        assert response.status_code == 422
        assert response.json()["code"] == "product_unavailable"
        assert response.json()["product_id"] == product.pk
    missing = api(buyer).post(
        "/checkout", {**cart(), "items": [{"product_id": 999999, "quantity": 1}]}
    )
    assert missing.json()["code"] == "product_unavailable"


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.MERCHANT, Role.OPD_ADMIN, Role.CITY_ADMIN, Role.AUDITOR]
)
def test_only_asn_and_warga_check_out(api, shops, role):
    near, _ = shops
    rice = factories.product(near)
    response = api(factories.person_with(role)).post("/checkout", cart((rice, 1)))
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_buyer"


def test_an_inactive_asn_without_warga_role_cannot_buy(api, shops):
    near, _ = shops
    rice = factories.product(near)
    buyer = factories.asn()
    buyer.asn_profile.is_active = False
    buyer.asn_profile.save()
    assert api(buyer).post("/checkout", cart((rice, 1))).status_code == 403


def test_an_owner_cannot_buy_from_their_own_shop(api, shops):
    buyer = factories.asn()
    own = factories.merchant(KEDUNGDORO, owner=buyer)
    rice = factories.product(own)
    response = api(buyer).post("/checkout", cart((rice, 1)))
    assert response.status_code == 422 and "toko sendiri" in response.json()["message"]


def test_delivery_needs_an_address(api, shops):
    near, _ = shops
    rice = factories.product(near)
    response = api(factories.asn()).post("/checkout", cart((rice, 1), address=""))
    assert response.status_code == 422 and response.json()["field"] == "address"


def test_a_shop_without_delivery_refuses_delivery(api, shops):
    near, _ = shops
    near.offers_delivery = False
    near.save()
    rice = factories.product(near)
    response = api(factories.asn()).post("/checkout", cart((rice, 1)))
    assert response.status_code == 422 and response.json()["code"] == "fulfilment_unavailable"


# --- idempotency -----------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_same_orders(api, shops):
    near, far = shops
    rice = factories.product(near, stock=10)
    pecel = factories.product(far, stock=10)
    client = api(factories.asn())
    headers = {"Idempotency-Key": "keranjang-123"}
    first = client.post("/checkout", cart((rice, 1), (pecel, 2)), headers=headers)
    again = client.post("/checkout", cart((rice, 1), (pecel, 2)), headers=headers)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert [o["id"] for o in again.json()["orders"]] == [o["id"] for o in first.json()["orders"]]
    assert Order.objects.count() == 2
    assert Product.objects.get(pk=rice.pk).stock == 9


def test_the_same_key_with_another_body_is_422(api, shops):
    near, _ = shops
    rice = factories.product(near, stock=10)
    client = api(factories.asn())
    headers = {"Idempotency-Key": "keranjang-456"}
    client.post("/checkout", cart((rice, 1)), headers=headers)
    response = client.post("/checkout", cart((rice, 2)), headers=headers)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_keys_belong_to_one_buyer(api, shops):
    near, _ = shops
    rice = factories.product(near, stock=10)
    headers = {"Idempotency-Key": "sama"}
    api(factories.asn()).post("/checkout", cart((rice, 1)), headers=headers)
    other = api(factories.asn()).post("/checkout", cart((rice, 1)), headers=headers)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other
    assert Order.objects.count() == 2


def test_without_a_key_two_posts_are_two_checkouts(api, shops):
    near, _ = shops
    rice = factories.product(near, stock=10)
    client = api(factories.asn())
    client.post("/checkout", cart((rice, 1)))
    client.post("/checkout", cart((rice, 1)))
    assert Checkout.objects.count() == 2


def test_a_two_shop_checkout_costs_a_fixed_few_statements(
    api, shops, django_assert_max_num_queries
):
    near, far = shops
    first, second = factories.product(near), factories.product(far)
    client = api(factories.asn())
    # token (+ its first use), buyer, savepoint, checkout, products, stock, caps, orders, lines,
    # events, release
    with django_assert_max_num_queries(12):
        response = client.post("/checkout", cart((first, 1), (second, 1), fulfilment="pickup"))
    assert response.status_code == 201
    assert len(response.json()["orders"][0]["items"]) == 1
    assert response.json()["orders"][0]["events"][0]["to_status"] == "awaiting_payment"
