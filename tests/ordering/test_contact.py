"""Issue 17, newcomer's gap 2: buyer and shop reach each other about an order by WhatsApp —
the two parties only, on the order itself only, from payment until the complaint window closes."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

import factories
from factories import KEDUNGDORO
from peken.accounts.models import Role
from peken.ordering.contact import order_contact_url
from peken.ordering.services import checkout_place, order_transition

pytestmark = pytest.mark.django_db

SHOP_PHONE = "+62 813-1111-2222"  # as an owner may have typed it
SHOP_WA = "https://wa.me/6281311112222"
BUYER_PHONE = "081234567890"  # factories.warga's
BUYER_WA = "https://wa.me/6281234567890"


@pytest.fixture
def order():
    """A warga's paid pickup order at a shop whose phone differs from its owner's."""
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri", phone=SHOP_PHONE)
    rice = factories.product(shop, name="Beras 5 kg", price=75_000)
    buyer = factories.warga(KEDUNGDORO).user
    placed = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup").orders[0]
    return step(placed, "pay")


def step(order, action, actor_kind="system"):
    return order_transition(order=order, action=action, actor=None, actor_kind=actor_kind)


def text_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["text"][0]


def test_the_buyer_gets_the_shops_number_and_the_shop_the_buyers(order):
    to_shop = order_contact_url(order=order, viewer=order.buyer)
    to_buyer = order_contact_url(order=order, viewer=order.merchant.owner)
    assert to_shop.startswith(SHOP_WA + "?text=") and f"#{order.pk}" in text_of(to_shop)
    assert to_buyer.startswith(BUYER_WA + "?text=") and f"#{order.pk}" in text_of(to_buyer)
    assert "Toko Bu Sri" in text_of(to_buyer)


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.AUDITOR, Role.OFFICER, Role.WARGA])
def test_nobody_else_gets_a_number(order, role):
    assert order_contact_url(order=order, viewer=factories.person_with(role)) is None


def test_not_before_payment_nor_after_a_cancellation():
    shop = factories.merchant(KEDUNGDORO, phone=SHOP_PHONE)
    rice = factories.product(shop, stock=5)
    buyer = factories.warga(KEDUNGDORO).user
    unpaid = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup").orders[0]
    assert order_contact_url(order=unpaid, viewer=buyer) is None
    assert order_contact_url(order=unpaid, viewer=shop.owner) is None
    cancelled = step(step(unpaid, "pay"), "cancel")
    assert order_contact_url(order=cancelled, viewer=buyer) is None


def test_open_for_three_days_after_completion_as_long_as_a_complaint_may_be_filed(order):
    for action in ("accept", "ready"):
        order = step(order, action)
        assert order_contact_url(order=order, viewer=order.buyer)
    order = order_transition(order=order, action="confirm", actor=order.buyer, actor_kind="buyer")
    completed = order.completed_at
    assert order_contact_url(order=order, viewer=order.buyer, now=completed + dt.timedelta(days=3))
    late = completed + dt.timedelta(days=3, minutes=1)
    assert order_contact_url(order=order, viewer=order.buyer, now=late) is None
    assert order_contact_url(order=order, viewer=order.merchant.owner, now=late) is None


def test_a_buyer_without_a_phone_gives_the_shop_no_link_and_a_note(order, client):
    order.buyer.phone = ""
    order.buyer.save()
    assert order_contact_url(order=order, viewer=order.merchant.owner) is None
    client.force_login(order.merchant.owner)
    page = client.get(reverse("web:merchant-order", args=[order.pk])).content.decode()
    assert "Pembeli tidak mencantumkan nomor HP." in page and "wa.me" not in page


# --- API --------------------------------------------------------------------------------------


def test_the_api_order_detail_has_the_link_for_the_two_parties_only(api, order):
    assert api(order.buyer).get(f"/orders/{order.pk}").json()["contact_url"].startswith(SHOP_WA)
    seen_by_shop = api(order.merchant.owner).get(f"/orders/{order.pk}").json()
    assert seen_by_shop["contact_url"].startswith(BUYER_WA)
    for role in (Role.CITY_ADMIN, Role.AUDITOR):
        response = api(factories.person_with(role)).get(f"/orders/{order.pk}")
        assert response.status_code == 200 and response.json()["contact_url"] is None
    stranger = api(factories.warga(KEDUNGDORO).user).get(f"/orders/{order.pk}")
    assert stranger.status_code == 404


def test_order_lists_carry_no_phone_number(api, order):
    for client, path in [
        (api(order.buyer), "/orders"),
        (api(order.merchant.owner), "/merchant/orders"),
    ]:
        body = client.get(path).content.decode()
        assert f'"id": {order.pk}' in body or f'"id":{order.pk}' in body
        assert "contact_url" not in body and "wa.me" not in body
        assert "1111" not in body and "34567890" not in body


# --- pages ------------------------------------------------------------------------------------


def test_the_buyers_order_page_links_to_the_shop_and_the_list_does_not(client, order):
    client.force_login(order.buyer)
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Hubungi toko (WhatsApp)" in page and f'href="{SHOP_WA}?text=' in page
    listing = client.get(reverse("web:orders")).content.decode()
    assert "wa.me" not in listing and "1111" not in listing


def test_the_shops_order_page_links_to_the_buyer_and_the_inbox_does_not(client, order):
    client.force_login(order.merchant.owner)
    page = client.get(reverse("web:merchant-order", args=[order.pk])).content.decode()
    assert "Hubungi pembeli (WhatsApp)" in page and f'href="{BUYER_WA}?text=' in page
    inbox = client.get(reverse("web:merchant-orders")).content.decode()
    assert f"pesanan-{order.pk}" in inbox
    assert "wa.me" not in inbox and "34567890" not in inbox


def test_a_long_finished_order_shows_no_link(client, order):
    order = step(step(order, "accept"), "ready")
    order = order_transition(order=order, action="confirm", actor=order.buyer, actor_kind="buyer")
    client.force_login(order.buyer)
    with time_machine.travel(order.completed_at + dt.timedelta(days=4)):
        page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Hubungi toko" not in page and "wa.me" not in page
