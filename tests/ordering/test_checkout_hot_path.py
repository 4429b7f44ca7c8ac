"""The checkout's hot path: a fixed, small number of statements whatever the cart, each built
once, and the same answers as the querysets they were compiled from."""

import datetime as dt

import pytest
from django.utils import timezone

import factories
from factories import KARANG_PILANG, KEDUNGDORO
from peken.accounts.api_auth import token_of_request
from peken.accounts.models import ApiToken, User
from peken.accounts.services import token_issue
from peken.catalog.models import Product
from peken.core.months import Month
from peken.ordering import placement
from peken.ordering.models import Order
from peken.policy.services import policy_update
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key

pytestmark = pytest.mark.django_db


def cart(products, fulfilment="delivery"):
    return {
        "items": [{"product_id": product.pk, "quantity": 2} for product in products],
        "fulfilment": fulfilment,
        "address": "Jl. Kedungdoro No. 5",
    }


def test_three_shops_of_three_lines_cost_the_statements_of_one_line(
    api, django_assert_max_num_queries
):
    shops = [factories.merchant(KEDUNGDORO), factories.merchant(KARANG_PILANG)]
    shops.append(factories.merchant(KEDUNGDORO, kind="umkm"))
    products = [factories.product(shop, stock=10) for shop in shops for _ in range(3)]
    alone = factories.product(factories.merchant(KEDUNGDORO), stock=10)
    client = api(factories.asn())
    client.get("/me")  # the token's first use is written down once a minute, not per request
    # token, buyer, savepoint, checkout, products, stock, caps, orders, lines, events, release
    with django_assert_max_num_queries(11):
        single = client.post("/checkout", cart([alone]))
    with django_assert_max_num_queries(11):
        response = client.post("/checkout", cart(products))
    assert single.status_code == response.status_code == 201, response.content
    orders = response.json()["orders"]
    assert [len(order["items"]) for order in orders] == [3, 3, 3]
    assert {order["merchant_name"] for order in orders} == {shop.name for shop in shops}
    assert all(order["events"][0]["to_status"] == "awaiting_payment" for order in orders)
    stock = Product.objects.filter(pk__in=[product.pk for product in products])
    assert set(stock.values_list("stock", flat=True)) == {8}
    used = dict(
        MerchantMonthQuota.objects.filter(merchant__in=shops).values_list("merchant_id", "used")
    )
    assert used == {order["merchant_id"]: order["goods_total"] for order in orders}


def test_a_retry_is_answered_even_when_the_cart_would_now_be_refused(api):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, stock=2)
    client = api(factories.asn())
    headers = {"Idempotency-Key": "bayar-sekali"}
    first = client.post("/checkout", cart([rice]), headers=headers)
    Product.objects.filter(pk=rice.pk).update(is_active=False)
    again = client.post("/checkout", cart([rice]), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Order.objects.count() == 1


def test_a_new_month_row_takes_the_citys_current_default_cap(api, city_admin):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, price=100_000, stock=100)
    policy_update(actor=city_admin, default_cap=500_000)
    pickup = {"fulfilment": "pickup", "address": ""}
    too_much = {"items": [{"product_id": rice.pk, "quantity": 6}], **pickup}
    refused = api(factories.asn()).post("/checkout", too_much)
    assert refused.status_code == 409
    assert refused.json()["code"] == "merchant_cap_reached"
    assert refused.json()["remaining"] == 500_000
    assert not MerchantMonthQuota.objects.exists()
    four = {"items": [{"product_id": rice.pk, "quantity": 4}], **pickup}
    assert api(factories.asn()).post("/checkout", four).status_code == 201
    row = MerchantMonthQuota.objects.get(merchant=shop)
    assert (row.cap, row.used) == (500_000, 400_000)
    two = {"items": [{"product_id": rice.pk, "quantity": 2}], **pickup}
    assert api(factories.asn()).post("/checkout", two).json()["remaining"] == 100_000


def test_the_first_shop_without_room_is_named_when_two_are_full(api):
    full = [factories.merchant(KEDUNGDORO), factories.merchant(KARANG_PILANG)]
    products = [factories.product(shop, price=100_000) for shop in full]
    for shop in full:
        MerchantMonthQuota.objects.create(
            merchant=shop, month=month_key(Month.of(timezone.now())), cap=150_000, used=100_000
        )
    response = api(factories.asn()).post("/checkout", cart(products, fulfilment="pickup"))
    assert response.status_code == 409
    assert response.json()["merchant_id"] == min(shop.pk for shop in full)
    assert response.json()["remaining"] == 50_000
    assert set(MerchantMonthQuota.objects.values_list("used", flat=True)) == {100_000}


def test_the_bearer_lookup_loads_the_whole_person_and_touches_the_token_once_a_minute(
    django_assert_num_queries,
):
    person = factories.asn()
    raw = token_issue(user=person)
    with django_assert_num_queries(2):  # the lookup, and the first use written down
        user, token = token_of_request(raw)
    stored = User.objects.get(pk=person.pk)
    assert isinstance(user, User) and user.pk == person.pk == token.user_id
    assert (user.username, user.full_name, user.nik) == (
        stored.username,
        stored.full_name,
        stored.nik,
    )
    assert user.date_joined == stored.date_joined and user.date_joined.tzinfo is not None
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    with django_assert_num_queries(1):
        token_of_request(raw)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=used - dt.timedelta(minutes=2))
    with django_assert_num_queries(2):
        token_of_request(raw)


def test_tokens_of_deactivated_people_and_other_strings_are_refused(api):
    person = factories.asn()
    raw = token_issue(user=person)
    assert token_of_request(raw[:-1] + "x") is None
    assert token_of_request("not-a-token") is None
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert token_of_request(raw) is None
    response = api().get("/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_a_rule_with_a_time_in_it_cannot_be_compiled_once():
    # Compiled once, "published before now" would keep the first checkout's now for ever.
    def published():
        return Product.objects.filter(created_at__lte=timezone.now()).filter(pk__in=[-1])

    with pytest.raises(RuntimeError, match="changes from one build to the next"):
        placement._compiled(published, [-1])
    with pytest.raises(RuntimeError, match="not the last"):
        placement._compiled(lambda: Product.objects.filter(pk__in=[-1]).filter(name="x"), [-1])
