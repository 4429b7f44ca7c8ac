"""Issue 13: whole buyer pages are drawn once for everyone who would see the same page and kept
for a few seconds; each reader still gets their own CSRF token, badges, greeting, obligation bar
and flash messages, and anything money or the cap depends on shows at once."""

import re

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import factories
from factories import KEDUNGDORO
from payment_steps import charge, pay
from peken.notifications.services import notify
from peken.obligations.models import ObligationRule
from peken.ordering.services import checkout_place
from peken.quotas.models import MerchantCap

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule")]

cache_on = override_settings(PEKEN_LISTING_CACHE_SECONDS=60)


@pytest.fixture
def rule():
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon=ObligationRule.ANY_ESELON, defaults={"amount": 500_000}
    )


@pytest.fixture
def rice():
    """Rice at 30.000 in a shop of the ASN's kelurahan, 60.000 below its own cap."""
    shop = factories.merchant(KEDUNGDORO, name="Toko Hampir Penuh")
    MerchantCap.objects.create(merchant=shop, cap=90_000)
    rice = factories.product(shop, name="Beras Setra 5 kg", price=30_000, stock=50)
    checkout_place(buyer=factories.asn(KEDUNGDORO), lines=[(rice.pk, 1)], fulfilment="pickup")
    return rice


def signed_in(person) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    return client


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@cache_on
def test_neighbours_share_one_drawn_page_each_with_their_own_token_and_badges(rice):
    first, second = factories.asn(KEDUNGDORO), factories.asn(KEDUNGDORO)
    notify(user=second, kind="order_paid", text="Pesanan dibayar.")
    search = reverse("web:search") + "?q=beras"
    assert 'data-testid="unread"' not in text(signed_in(first).get(search))
    reader = signed_in(second)
    reader.get(search)  # reads the session once
    with CaptureQueriesContext(connection) as queries:
        page = text(reader.get(search))
    assert "Beras Setra 5 kg" in page
    assert not any("catalog_product" in query["sql"] for query in queries.captured_queries)
    assert '<span class="badge" data-testid="unread">1</span>' in page
    # The token on the kept page is this reader's own: the add-to-cart form works.
    added = reader.post(
        reverse("web:cart-add"), {"product_id": rice.pk, "csrfmiddlewaretoken": csrf_of(page)}
    )
    assert added.status_code == 302 and reader.session["cart"]
    assert '<span class="badge" data-testid="cart-count">1</span>' in text(reader.get(search))


def named(full_name: str):
    person = factories.asn(KEDUNGDORO)
    person.full_name = full_name
    person.save(update_fields=["full_name"])
    return person


@cache_on
def test_the_home_page_greets_each_reader_and_the_bar_is_exact_right_after_an_order(rice):
    ani, budi = named("Ani Lestari"), named("Budi Santoso")
    assert "Halo, Ani" in text(signed_in(ani).get("/"))
    page = text(signed_in(budi).get("/"))
    assert "Halo, Budi" in page and "Ani" not in page
    assert "Rp 0 dari Rp 500.000" in page
    placed = checkout_place(buyer=budi, lines=[(rice.pk, 1)], fulfilment="pickup")
    pay(charge(placed.checkout))
    assert "Rp 30.000 dari Rp 500.000" in text(signed_in(budi).get("/"))
    assert "Rp 0 dari Rp 500.000" in text(signed_in(ani).get("/"))


@cache_on
def test_a_flash_message_reaches_its_reader_only_and_is_not_kept(rice):
    adder, other = factories.asn(KEDUNGDORO), factories.asn(KEDUNGDORO)
    product = reverse("web:product", args=[rice.pk])
    reader = signed_in(adder)
    page = text(reader.get(product))
    reader.post(
        reverse("web:cart-add"),
        {"product_id": rice.pk, "csrfmiddlewaretoken": csrf_of(page)},
        headers={"referer": product},
    )
    assert "masuk keranjang" in text(reader.get(product))
    assert "masuk keranjang" not in text(signed_in(other).get(product))
    assert "masuk keranjang" not in text(reader.get(product))  # shown once


@cache_on
def test_a_kept_product_page_stops_offering_a_shop_the_moment_it_reaches_its_cap(rice):
    watcher = signed_in(factories.asn(KEDUNGDORO))
    product = reverse("web:product", args=[rice.pk])
    offered = text(watcher.get(product))
    assert 'name="product_id"' in offered
    checkout_place(buyer=factories.asn(KEDUNGDORO), lines=[(rice.pk, 2)], fulfilment="pickup")
    assert 'name="product_id"' not in text(watcher.get(product))


@cache_on
def test_the_kept_orders_and_payment_pages_show_a_payment_at_once(rice):
    buyer = factories.asn(KEDUNGDORO)
    placed = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup")
    payment = charge(placed.checkout)
    reader = signed_in(buyer)
    page = reverse("web:payment", args=[payment.reference])
    assert 'data-status="pending"' in text(reader.get(page))
    assert 'class="status awaiting_payment"' in text(reader.get(reverse("web:orders")))
    pay(payment)
    assert 'data-status="paid"' in text(reader.get(page))
    assert 'class="status paid"' in text(reader.get(reverse("web:orders")))


@cache_on
def test_a_kept_payment_page_counts_down_for_each_request():
    from django.utils import timezone

    buyer = factories.asn(KEDUNGDORO)
    shop = factories.merchant(KEDUNGDORO)
    item = factories.product(shop, price=10_000)
    placed = checkout_place(buyer=buyer, lines=[(item.pk, 1)], fulfilment="pickup")
    payment = charge(placed.checkout)
    reader = signed_in(buyer)
    page = reverse("web:payment", args=[payment.reference])
    text(reader.get(page))
    left = int((payment.expires_at - timezone.now()).total_seconds())
    shown = re.search(r'role="timer">(\d+):(\d\d)<', text(reader.get(page)))
    assert abs(int(shown.group(1)) * 60 + int(shown.group(2)) - left) <= 2


@cache_on
@pytest.mark.parametrize(
    "page", ["/", "/cari/?q=beras", "/cari/", "product", "shop", "/pesanan/", "/keranjang/"]
)
def test_a_kept_buyer_page_runs_no_query_for_the_next_reader(rice, page):
    path = {
        "product": reverse("web:product", args=[rice.pk]),
        "shop": reverse("web:shop", args=[rice.merchant_id]),
    }.get(page, page)
    reader = signed_in(factories.asn(KEDUNGDORO))
    text(reader.get(path))
    with CaptureQueriesContext(connection) as queries:
        text(reader.get(path))
    assert len(queries) == 0, [query["sql"][:120] for query in queries.captured_queries]


@cache_on
def test_a_kept_cart_shows_a_new_price_at_once_and_a_new_checkout_key_each_time(rice):
    from peken.catalog.services.products import product_update

    reader = signed_in(factories.asn(KEDUNGDORO))
    reader.session  # noqa: B018
    page = text(reader.get(reverse("web:search") + "?q=beras"))
    reader.post(
        reverse("web:cart-add"), {"product_id": rice.pk, "csrfmiddlewaretoken": csrf_of(page)}
    )
    first, second = text(reader.get(reverse("web:cart"))), text(reader.get(reverse("web:cart")))
    key = re.compile(r'name="token" value="([0-9a-f]{32})"')
    assert key.search(first).group(1) != key.search(second).group(1)
    assert "Rp 30.000" in second
    product_update(actor=rice.merchant.owner, product=rice, price=32_000)
    assert "Rp 32.000" in text(reader.get(reverse("web:cart")))


@cache_on
def test_a_product_page_is_drawn_once_for_asn_of_every_kelurahan(rice):
    from factories import PAKAL

    path = reverse("web:product", args=[rice.pk])
    text(signed_in(factories.asn(KEDUNGDORO)).get(path))
    far = signed_in(factories.asn(PAKAL))  # another kecamatan: another fair listing, same page
    far.get("/")  # reads the session and the home once
    with CaptureQueriesContext(connection) as queries:
        page = text(far.get(path))
    assert "Beras Setra 5 kg" in page and len(queries) == 0, queries.captured_queries
