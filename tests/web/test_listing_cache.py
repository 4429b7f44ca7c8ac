"""Issue 13: buyers who ask the same thing share one cached listing (search results, the shops
near home), and a shop that reaches its cap leaves every cached listing the moment its order
commits — it is never offered again from the cache. The page's own cost stays bounded."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import factories
from factories import KEDUNGDORO
from peken.obligations.models import ObligationRule
from peken.ordering.services import checkout_place
from peken.quotas.models import MerchantCap

pytestmark = pytest.mark.django_db

cache_on = override_settings(PEKEN_LISTING_CACHE_SECONDS=60)


def asn():
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon=ObligationRule.ANY_ESELON, defaults={"amount": 500_000}
    )
    return factories.asn(KEDUNGDORO)


@pytest.fixture
def nearly_capped():
    """A shop of the ASN's kelurahan 30.000 below its own cap, selling rice at 30.000."""
    shop = factories.merchant(KEDUNGDORO, name="Toko Hampir Penuh")
    MerchantCap.objects.create(merchant=shop, cap=90_000)
    rice = factories.product(shop, name="Beras Setra 5 kg", price=30_000, stock=50)
    checkout_place(buyer=factories.asn(KEDUNGDORO), lines=[(rice.pk, 2)], fulfilment="pickup")
    return rice


def page_of(client, user, path, data=None) -> str:
    client.force_login(user)
    return client.get(path, data or {}).content.decode()


@cache_on
def test_a_search_is_computed_once_for_everyone_asking_the_same(client, nearly_capped):
    first, second = asn(), asn()  # same kelurahan, same month: the same fair listing
    page_of(client, first, reverse("web:search"), {"q": "beras"})
    client.force_login(second)
    client.get(reverse("web:search"), {"q": "beras"})  # its session read once
    with CaptureQueriesContext(connection) as reused:
        page = client.get(reverse("web:search"), {"q": "beras"}).content.decode()
    assert "Beras Setra 5 kg" in page
    assert not any("catalog_product" in query["sql"] for query in reused.captured_queries)


@cache_on
def test_a_shop_that_reaches_its_cap_leaves_the_cached_search_at_once(client, nearly_capped):
    watcher = asn()
    assert "Beras Setra 5 kg" in page_of(client, watcher, reverse("web:search"), {"q": "beras"})
    # Another ASN's order takes the last 30.000 of the cap.
    checkout_place(buyer=asn(), lines=[(nearly_capped.pk, 1)], fulfilment="pickup")
    assert "Beras Setra 5 kg" not in page_of(client, watcher, reverse("web:search"), {"q": "beras"})


@cache_on
def test_a_shop_that_reaches_its_cap_leaves_the_cached_home_list_at_once(client, nearly_capped):
    watcher = asn()
    assert "Toko Hampir Penuh" in page_of(client, watcher, "/")
    checkout_place(buyer=asn(), lines=[(nearly_capped.pk, 1)], fulfilment="pickup")
    assert "Toko Hampir Penuh" not in page_of(client, watcher, "/")


@cache_on
def test_a_suspended_shop_leaves_the_cached_listings_at_once(client, nearly_capped, city_admin):
    from peken.merchants.services import merchant_transition

    watcher = asn()
    assert "Beras Setra 5 kg" in page_of(client, watcher, reverse("web:search"), {"q": "beras"})
    merchant_transition(
        actor=city_admin, merchant=nearly_capped.merchant, action="suspend", reason="Diperiksa"
    )
    assert "Beras Setra 5 kg" not in page_of(client, watcher, reverse("web:search"), {"q": "beras"})


@cache_on
def test_a_lower_cap_set_by_the_city_leaves_the_cached_listings_at_once(
    client, nearly_capped, city_admin
):
    from peken.quotas.services import merchant_cap_set

    watcher = asn()
    assert "Beras Setra 5 kg" in page_of(client, watcher, reverse("web:search"), {"q": "beras"})
    merchant_cap_set(actor=city_admin, merchant=nearly_capped.merchant, cap=60_000)
    assert "Beras Setra 5 kg" not in page_of(client, watcher, reverse("web:search"), {"q": "beras"})


@pytest.mark.parametrize(
    ("page", "most"),
    [
        ("/", 17),
        ("/cari/?q=beras", 13),
        ("/cari/", 13),
        ("product", 10),
        ("shop", 12),
        ("/keranjang/", 6),
        ("/pesanan/", 8),
    ],
)
def test_each_buyer_page_runs_a_bounded_number_of_queries(client, nearly_capped, page, most):
    """Counted with the listing cache off: what a request costs when it has to compute all."""
    path = {
        "product": reverse("web:product", args=[nearly_capped.pk]),
        "shop": reverse("web:shop", args=[nearly_capped.merchant_id]),
    }.get(page, page)
    client.force_login(asn())
    assert client.get(path).status_code == 200  # the session is read once, then kept
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    assert len(queries) <= most, [query["sql"][:120] for query in queries.captured_queries]


def test_the_cached_filter_boxes_follow_the_choice_and_the_language(client):
    search = reverse("web:search")
    chosen = client.get(search, {"kelurahan": KEDUNGDORO}).content.decode()
    assert f'value="{KEDUNGDORO}" selected' in chosen
    plain = client.get(search).content.decode()
    assert f'value="{KEDUNGDORO}" selected' not in plain and "Semua kelurahan" in plain
    english = client.get(search, headers={"accept-language": "en"}).content.decode()
    assert "Semua kelurahan" not in english


@cache_on
def test_cached_cards_carry_each_buyers_own_csrf_token(nearly_capped):
    """The cards are drawn once; the add-to-cart form on them must still work for the next
    buyer, whose CSRF token is their own."""
    import re

    from django.test import Client

    page_of(Client(), asn(), reverse("web:search"), {"q": "beras"})  # draws and keeps the cards
    second = Client(enforce_csrf_checks=True)
    page = page_of(second, asn(), reverse("web:search"), {"q": "beras"})
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    added = second.post(
        reverse("web:cart-add"), {"product_id": nearly_capped.pk, "csrfmiddlewaretoken": token}
    )
    assert added.status_code in (200, 302)
    assert second.session["cart"]


# --- the obligation bar ------------------------------------------------------------------------


def test_the_obligation_bar_is_computed_once_then_exact_after_each_order(client):
    from peken.ordering.services import order_transition

    buyer = asn()
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri")
    rice = factories.product(shop, name="Beras 5 kg", price=100_000, stock=50)
    client.force_login(buyer)
    assert "Rp 0 dari Rp 500.000" in client.get("/").content.decode()
    with CaptureQueriesContext(connection) as again:
        client.get("/")
    assert not any("ordering_order" in query["sql"] for query in again.captured_queries)

    placed = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup")
    assert "Rp 0 dari Rp 500.000" in client.get("/").content.decode()  # not paid: not spent
    order_transition(order=placed.orders[0], action="pay", actor=None, actor_kind="system")
    assert "Rp 100.000 dari Rp 500.000" in client.get("/").content.decode()


def test_a_new_rule_reaches_the_cached_obligation_bar_at_once(client):
    buyer = asn()
    client.force_login(buyer)
    assert "dari Rp 500.000" in client.get("/").content.decode()
    ObligationRule.objects.filter(golongan="III/a").update(amount=0)  # a bulk change: no signal
    rule = ObligationRule.objects.get(golongan="III/a", eselon=ObligationRule.ANY_ESELON)
    rule.amount = 750_000
    rule.save()
    assert "dari Rp 750.000" in client.get("/").content.decode()
