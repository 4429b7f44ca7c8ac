"""The buyer pages with the Django test client: home, search, shop, product, cart, checkout,
payment and orders — what each shows, who may open it, and what bad input gets."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

import factories
from factories import GENTENG, KEDUNGDORO
from payment_steps import complete
from peken.accounts.models import Role
from peken.core.months import Month
from peken.obligations.models import ObligationRule
from peken.ordering.models import Checkout, Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_decide, complaint_open
from peken.payments.models import Complaint, Payment
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    return response.content.decode()


def asn_owing(amount=500_000, golongan="III/a"):
    ObligationRule.objects.update_or_create(
        golongan=golongan, eselon=ObligationRule.ANY_ESELON, defaults={"amount": amount}
    )
    return factories.asn(KEDUNGDORO, golongan=golongan)


def paid_order(buyer, product, quantity=1, fulfilment="pickup"):
    result = checkout_place(
        buyer=buyer,
        lines=[(product.pk, quantity)],
        fulfilment=fulfilment,
        address="Jl. Kedungdoro No. 5",
    )
    return order_transition(order=result.orders[0], action="pay", actor=None, actor_kind="system")


def at_cap(shop):
    """The shop's ASN turnover this month has reached its cap."""
    month = month_key(Month.of(timezone.now()))
    MerchantMonthQuota.objects.create(merchant=shop, month=month, cap=1_000_000, used=1_000_000)


# --- home -------------------------------------------------------------------------------------


def test_a_visitor_gets_the_landing_page_with_masuk_and_a_search_box(client):
    page = text_of(client.get("/"))
    assert 'href="/masuk/"' in page and "Masuk" in page
    assert f'action="{reverse("web:search")}"' in page and 'name="q"' in page


def test_an_asn_sees_what_is_left_of_this_months_obligation(client):
    buyer = asn_owing(500_000)
    paid_order(buyer, factories.product(factories.merchant(KEDUNGDORO), price=350_000))
    page = text_of(signed_in(client, buyer).get("/"))
    assert "Rp 350.000 dari Rp 500.000 — kurang Rp 150.000" in page
    assert "hari lagi sampai akhir bulan" in page


def test_an_asn_who_spent_enough_is_told_the_obligation_is_met(client):
    buyer = asn_owing(500_000)
    paid_order(buyer, factories.product(factories.merchant(KEDUNGDORO), price=500_000))
    page = text_of(signed_in(client, buyer).get("/"))
    assert "Kewajiban bulan ini sudah terpenuhi" in page
    assert "kurang" not in page


def test_the_buyer_home_lists_shops_near_home_and_the_categories(client):
    near = factories.merchant(KEDUNGDORO, name="Toko Sebelah Rumah")
    factories.merchant(KEDUNGDORO, name="Toko Belum Diverifikasi", status="submitted")
    page = text_of(signed_in(client, factories.warga(KEDUNGDORO).user).get("/"))
    assert "Toko di dekat rumah" in page and near.name in page
    assert "Toko Belum Diverifikasi" not in page
    assert reverse("web:category", args=["sembako"]) in page
    assert "Kewajiban" not in page  # a warga owes nothing


def test_an_asn_home_leaves_out_shops_at_their_cap(client):
    open_shop = factories.merchant(KEDUNGDORO, name="Toko Masih Buka")
    full_shop = factories.merchant(KEDUNGDORO, name="Toko Sudah Penuh")
    at_cap(full_shop)
    page = text_of(signed_in(client, asn_owing()).get("/"))
    assert open_shop.name in page and full_shop.name not in page


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.MERCHANT, "web:merchant-home"),
        (Role.OFFICER, "web:officer-queue"),
        (Role.OPD_ADMIN, "web:opd-compliance"),
    ],
)
def test_people_who_do_not_buy_start_on_their_own_page(client, role, page):
    response = signed_in(client, factories.person_with(role)).get("/")
    assert response.status_code == 302 and response.url == reverse(page)


def test_city_admins_and_auditors_get_links_to_the_back_office(client, city_admin, auditor):
    for person in (city_admin, auditor):
        page = text_of(signed_in(client, person).get("/"))
        assert reverse("admin:index") in page
    assert reverse("roster-upload") in text_of(signed_in(client, city_admin).get("/"))


# --- search -----------------------------------------------------------------------------------


@pytest.fixture
def two_shops():
    sri = factories.merchant(KEDUNGDORO, name="Toko Bu Sri")
    budi = factories.merchant(GENTENG, name="Toko Pak Budi", kind="umkm", line="kuliner")
    return {
        "beras": factories.product(sri, name="Beras Pandan Wangi 5 kg", price=75_000),
        "telur": factories.product(budi, name="Telur Ayam 1 kg", price=28_000),
        "gula": factories.product(sri, name="Gula Pasir 1 kg", price=17_000, stock=0),
    }


def test_search_shows_cards_with_price_unit_shop_and_kelurahan(client, two_shops):
    response = client.get(reverse("web:search"), {"q": "beras"})
    page = text_of(response)
    assert response.status_code == 200
    assert "Beras Pandan Wangi 5 kg" in page and "Telur" not in page
    assert "Rp 75.000" in page and "/ pcs" in page
    assert "Toko Bu Sri · Kedungdoro" in page
    assert "Masuk untuk membeli" in page  # a visitor is asked to sign in first


def test_a_buyer_gets_an_add_to_cart_button_on_each_card(client, two_shops):
    page = text_of(signed_in(client, factories.warga().user).get(reverse("web:search")))
    assert page.count('name="product_id"') == 2  # the one out of stock has none
    assert "+ Keranjang" in page


def test_search_filters_and_sorts(client, two_shops):
    search = reverse("web:search")
    cheap_first = text_of(client.get(search, {"sort": "price_asc"}))
    assert cheap_first.index("Gula Pasir") < cheap_first.index("Telur") < cheap_first.index("Beras")
    umkm = text_of(client.get(search, {"merchant_kind": "umkm"}))
    assert "Telur" in umkm and "Beras" not in umkm
    in_genteng = text_of(client.get(search, {"kelurahan": GENTENG}))
    assert "Telur" in in_genteng and "Beras" not in in_genteng
    by_price = text_of(client.get(search, {"min_price": "20000", "max_price": "50000"}))
    assert "Telur" in by_price and "Beras" not in by_price and "Gula" not in by_price
    in_stock = text_of(client.get(search, {"in_stock": "1"}))
    assert "Gula" not in in_stock and "Beras" in in_stock


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": "beras " * 1000}, "Kata kunci terlalu panjang"),
        ({"min_price": "murah"}, "Harga terendah"),
        ({"max_price": "-5"}, "Harga tertinggi"),
        ({"min_price": "90000", "max_price": "1000"}, "tidak boleh melebihi"),
        ({"category": "tidak-ada"}, "Kategori"),
        ({"kelurahan": "99.99"}, "Kelurahan"),
        ({"sort": "acak"}, "Urutan"),
        ({"page": "banyak"}, "Halaman"),
        # A NUL in the words is refused before the page (400; tests/test_bad_input.py).
    ],
)
def test_bad_search_input_is_a_message_not_an_error(client, two_shops, query, message):
    response = client.get(reverse("web:search"), query)
    assert response.status_code == 200
    problem = re.search(r'data-testid="search-problem">(.*?)</div>', text_of(response), re.S)
    assert problem and message in problem.group(1)


def test_an_asn_does_not_find_shops_at_their_cap_a_warga_does(client, two_shops):
    at_cap(two_shops["telur"].merchant)
    search = reverse("web:search")
    for_asn = text_of(signed_in(client, asn_owing()).get(search, {"q": "telur"}))
    assert "Telur Ayam" not in for_asn
    for_warga = text_of(signed_in(client, factories.warga().user).get(search, {"q": "telur"}))
    assert "Telur Ayam" in for_warga


def test_search_costs_the_same_queries_however_many_results(
    client, two_shops, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, asn_owing())
    client.get(reverse("web:search"))  # the session is read from the database once, then kept
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:search"))
    shop = factories.merchant(KEDUNGDORO)
    for number in range(25):
        factories.product(shop, name=f"Mi Instan {number}", price=3_000 + number)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:search"))
    assert len(many) == len(few)
    with django_assert_max_num_queries(16):
        client.get(reverse("web:search"), {"q": "mi instan", "sort": "price_asc", "page": "2"})


def test_results_come_in_pages_of_twenty_keeping_the_query(client):
    shop = factories.merchant(KEDUNGDORO)
    for number in range(23):
        factories.product(shop, name=f"Mi Instan Rasa {number:02d}", price=3_000 + number)
    first = text_of(client.get(reverse("web:search"), {"q": "mi instan", "sort": "price_asc"}))
    assert first.count('data-testid="product-card"') == 20 and "23 barang" in first
    assert 'rel="next" href="?q=mi+instan&amp;sort=price_asc&amp;page=2"' in first
    second = text_of(
        client.get(reverse("web:search"), {"q": "mi instan", "sort": "price_asc", "page": 2})
    )
    assert second.count('data-testid="product-card"') == 3
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_a_category_page_lists_its_products_and_an_unknown_one_is_404(client, two_shops):
    factories.product(name="Keripik Tempe", category_slug="kuliner")
    page = text_of(client.get(reverse("web:category", args=["kuliner"])))
    assert "Keripik Tempe" in page and "Beras" not in page
    assert client.get(reverse("web:category", args=["tidak-ada"])).status_code == 404


# --- shop and product -------------------------------------------------------------------------


def test_a_shop_page_shows_its_details_rating_and_products(client, two_shops):
    shop = two_shops["beras"].merchant
    shop.opening_hours = {"senin": ["07:00", "21:00"]}
    shop.delivery_fee_same_kecamatan = 4_000
    shop.save()
    page = text_of(client.get(reverse("web:shop", args=[shop.pk])))
    assert shop.name in page and "Toko kelontong" in page
    assert "Kedungdoro" in page and "Tegalsari" in page
    assert "07:00–21:00" in page and "Tutup" in page
    assert "Rp 4.000" in page and "Belum ada ulasan" in page
    assert "Beras Pandan Wangi" in page and "Telur" not in page


def test_unverified_shops_and_their_products_are_not_found(client):
    hidden_shop = factories.merchant(KEDUNGDORO, status="submitted")
    product = factories.product(hidden_shop)
    assert client.get(reverse("web:shop", args=[hidden_shop.pk])).status_code == 404
    assert client.get(reverse("web:product", args=[product.pk])).status_code == 404
    held = factories.product(factories.merchant(KEDUNGDORO), review="on_hold")
    assert client.get(reverse("web:product", args=[held.pk])).status_code == 404


def test_a_product_page_shows_price_stock_and_a_quantity_to_add(client, two_shops):
    signed_in(client, factories.warga().user)
    page = text_of(client.get(reverse("web:product", args=[two_shops["beras"].pk])))
    assert "Rp 75.000" in page and "Stok: 10 pcs" in page
    assert (
        'name="quantity"' in page
        and reverse("web:shop", args=[two_shops["beras"].merchant_id]) in page
    )
    made = factories.product(name="Nasi Kotak", is_made_to_order=True, stock=0)
    assert "Dibuat sesuai pesanan" in text_of(client.get(reverse("web:product", args=[made.pk])))


def test_an_asn_is_told_a_shop_at_its_cap_takes_no_more_this_month(client, two_shops):
    at_cap(two_shops["beras"].merchant)
    page = text_of(
        signed_in(client, asn_owing()).get(reverse("web:product", args=[two_shops["beras"].pk]))
    )
    assert 'data-testid="capped"' in page and 'name="product_id"' not in page


# --- cart and checkout ------------------------------------------------------------------------


def add(client, product, quantity=1, **headers):
    return client.post(
        reverse("web:cart-add"), {"product_id": product.pk, "quantity": quantity}, headers=headers
    )


def test_the_cart_is_for_buyers_only(client):
    response = client.get(reverse("web:cart"))
    assert response.status_code == 302 and response.url.startswith("/masuk/")
    signed_in(client, factories.person_with(Role.MERCHANT))
    response = client.get(reverse("web:cart"))
    assert response.status_code == 403 and "hanya untuk ASN dan warga" in text_of(response)
    assert client.post(reverse("web:cart-add"), {"product_id": 1}).status_code == 403


def test_the_cart_groups_lines_per_shop_with_delivery_fees_by_zone(client, two_shops):
    beras, telur = two_shops["beras"], two_shops["telur"]
    shop = beras.merchant
    shop.delivery_fee_same_kelurahan = 2_000
    shop.save()
    profile = factories.warga(KEDUNGDORO, address="Jl. Kedungdoro No. 7")
    signed_in(client, profile.user)
    add(client, beras, 2)
    add(client, telur)
    page = text_of(client.get(reverse("web:cart")))
    assert page.count('data-testid="cart-shop"') == 2
    assert "Rp 150.000" in page  # 2 × beras
    assert "Ongkos antar (kelurahan yang sama)" in page and "Rp 2.000" in page
    assert "Ongkos antar (kecamatan lain)" in page and "Rp 10.000" in page  # Genteng
    assert "Rp 178.000" in page and "Rp 190.000" in page  # goods; goods and both fees
    assert "Jl. Kedungdoro No. 7" in page  # the warga's address, prefilled


def test_quantities_are_changed_and_lines_removed(client, two_shops):
    signed_in(client, factories.warga().user)
    add(client, two_shops["beras"])
    client.post(reverse("web:cart-update"), {"product_id": two_shops["beras"].pk, "quantity": 3})
    assert "Rp 225.000" in text_of(client.get(reverse("web:cart")))
    response = client.post(
        reverse("web:cart-update"), {"product_id": two_shops["beras"].pk, "quantity": "tiga"}
    )
    assert response.status_code == 302
    client.post(reverse("web:cart-update"), {"product_id": two_shops["beras"].pk, "quantity": 0})
    assert "Keranjang masih kosong" in text_of(client.get(reverse("web:cart")))


def test_adding_with_htmx_answers_a_message_and_the_new_badge(client, two_shops):
    signed_in(client, factories.warga().user)
    response = add(client, two_shops["beras"], 2, **{"HX-Request": "true"})
    fragment = text_of(response)
    assert "Beras Pandan Wangi 5 kg masuk keranjang" in fragment
    assert 'hx-swap-oob="innerHTML:#cart-link"' in fragment
    assert 'data-testid="cart-count">2<' in fragment
    # The same icon as the layout draws, not an emoji in its place.
    layout_icon = re.search(r'id="cart-link"[^>]*>(<svg.*?</svg>)', text_of(client.get("/")))[1]
    assert layout_icon in fragment and "🛒" not in fragment
    unknown = client.post(reverse("web:cart-add"), {"product_id": 999_999})
    assert unknown.status_code == 302


def checkout_form(client) -> dict:
    """The hidden fields the cart page drew, as a browser would send them back."""
    page = text_of(client.get(reverse("web:cart")))
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    lines = re.search(r'name="lines" value="([0-9:,]+)"', page).group(1)
    return {"token": token, "lines": lines, "fulfilment": "pickup", "method": "qris"}


def test_checkout_places_one_order_per_shop_starts_payment_and_empties_the_cart(client, two_shops):
    buyer = asn_owing()
    signed_in(client, buyer)
    add(client, two_shops["beras"])
    add(client, two_shops["telur"], 2)
    response = client.post(reverse("web:checkout"), checkout_form(client))
    payment = Payment.objects.get(checkout__buyer=buyer)
    assert response.status_code == 302
    assert response.url == reverse("web:payment", args=[payment.reference])
    assert payment.amount == 75_000 + 56_000 and payment.method == "qris"
    assert Order.objects.filter(buyer=buyer).count() == 2
    assert "Keranjang masih kosong" in text_of(client.get(reverse("web:cart")))


def test_a_double_submitted_checkout_makes_one_set_of_orders(client, two_shops):
    buyer = factories.warga().user
    signed_in(client, buyer)
    add(client, two_shops["beras"])
    add(client, two_shops["telur"])
    form = checkout_form(client) | {"fulfilment": "delivery", "address": "Jl. Kedungdoro No. 5"}
    first = client.post(reverse("web:checkout"), form)
    second = client.post(reverse("web:checkout"), form)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Checkout.objects.filter(buyer=buyer).count() == 1
    assert Order.objects.filter(buyer=buyer).count() == 2
    assert Payment.objects.filter(checkout__buyer=buyer).count() == 1


def test_a_shop_at_its_cap_is_named_with_what_it_can_still_take(client, two_shops):
    shop = two_shops["beras"].merchant
    month = month_key(Month.of(timezone.now()))
    MerchantMonthQuota.objects.create(merchant=shop, month=month, cap=100_000, used=50_000)
    signed_in(client, asn_owing())
    add(client, two_shops["beras"])  # 75.000 > the 50.000 left
    response = client.post(reverse("web:checkout"), checkout_form(client), follow=True)
    page = text_of(response)
    assert response.redirect_chain[-1][0] == reverse("web:cart")
    assert 'data-code="merchant_cap_reached"' in page
    assert "Toko Bu Sri: Toko ini hanya bisa menerima belanja ASN Rp 50.000 lagi" in page


def test_stock_gone_meanwhile_is_told_with_what_is_left(client, two_shops):
    signed_in(client, factories.warga().user)
    add(client, two_shops["beras"], 5)
    form = checkout_form(client)
    two_shops["beras"].__class__.objects.filter(pk=two_shops["beras"].pk).update(stock=3)
    page = text_of(client.post(reverse("web:checkout"), form, follow=True))
    assert 'data-code="insufficient_stock"' in page and "tinggal 3" in page
    assert not Order.objects.exists()


def test_a_tampered_checkout_form_is_refused_politely(client, two_shops):
    signed_in(client, factories.warga().user)
    add(client, two_shops["beras"])
    form = checkout_form(client) | {"lines": "abc", "token": "x"}
    response = client.post(reverse("web:checkout"), form, follow=True)
    assert response.status_code == 200 and "muat ulang keranjang" in text_of(response)
    assert not Order.objects.exists()


# --- payment ----------------------------------------------------------------------------------


@pytest.fixture
def placed(client, two_shops):
    """A warga's checkout of two shops, its payment started from the cart page."""
    buyer = factories.warga().user
    signed_in(client, buyer)
    add(client, two_shops["beras"])
    add(client, two_shops["telur"])
    client.post(reverse("web:checkout"), checkout_form(client))
    return buyer, Payment.objects.get(checkout__buyer=buyer)


def test_the_payment_page_shows_the_amount_code_countdown_and_polls(client, placed):
    _, payment = placed
    page = text_of(client.get(reverse("web:payment", args=[payment.reference])))
    assert "Rp 103.000" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert f'data-deadline="{timezone.localtime(payment.expires_at).isoformat()}"' in page
    assert 'hx-trigger="every 3s"' in page
    assert "Bayar sekarang (simulasi)" in page


def test_a_virtual_account_shows_the_bank_and_number(client, two_shops):
    signed_in(client, factories.warga().user)
    add(client, two_shops["beras"])
    client.post(reverse("web:checkout"), checkout_form(client) | {"method": "va_bni"})
    payment = Payment.objects.get()
    page = text_of(client.get(reverse("web:payment", args=[payment.reference])))
    assert payment.va_number and payment.va_number in page and "BNI" in page


def test_paying_with_the_simulator_pays_every_order(client, placed):
    buyer, payment = placed
    url = reverse("web:payment-simulate", args=[payment.reference])
    response = client.post(url, follow=True)
    page = text_of(response)
    assert "Pembayaran diterima" in page and "Bayar sekarang" not in page
    assert set(Order.objects.filter(buyer=buyer).values_list("status", flat=True)) == {"paid"}
    status = client.get(
        reverse("web:payment-status", args=[payment.reference]), headers={"HX-Request": "true"}
    )
    assert status["HX-Refresh"] == "true"


def test_the_status_fragment_keeps_polling_while_pending(client, placed):
    _, payment = placed
    response = client.get(reverse("web:payment-status", args=[payment.reference]))
    assert response.status_code == 200 and 'hx-trigger="every 3s"' in text_of(response)


def test_only_the_simulator_offers_the_pay_now_button(client, placed):
    _, payment = placed
    Payment.objects.filter(pk=payment.pk).update(gateway="midtrans")
    page = text_of(client.get(reverse("web:payment", args=[payment.reference])))
    assert "Rp 103.000" in page and "Bayar sekarang (simulasi)" not in page
    refused = client.post(reverse("web:payment-simulate", args=[payment.reference]), follow=True)
    assert 'data-code="simulator_only"' in text_of(refused)
    assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_an_order_whose_charge_was_never_made_can_start_it_from_its_page(client, two_shops):
    buyer = factories.warga().user
    signed_in(client, buyer)
    result = checkout_place(
        buyer=buyer, lines=[(two_shops["telur"].pk, 1)], fulfilment="pickup", address=""
    )
    order = result.orders[0]
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    start = reverse("web:payment-start", args=[result.checkout.pk])
    assert f'action="{start}"' in page
    response = client.post(start, {"method": "va_bca"})
    payment = Payment.objects.get(checkout=result.checkout)
    assert response.url == reverse("web:payment", args=[payment.reference])
    assert payment.method == "va_bca" and payment.amount == 28_000


def test_someone_elses_payment_is_not_found(client, placed):
    _, payment = placed
    signed_in(client, factories.warga().user)
    assert client.get(reverse("web:payment", args=[payment.reference])).status_code == 404
    assert client.post(reverse("web:payment-simulate", args=[payment.reference])).status_code == 404


# --- orders -----------------------------------------------------------------------------------


def test_my_orders_newest_first_with_status_and_total(client, placed):
    buyer, payment = placed
    response = client.get(reverse("web:orders"))
    page = text_of(response)
    orders = list(Order.objects.filter(buyer=buyer).order_by("-placed_at", "-id"))
    positions = [page.index(f"Pesanan #{order.pk} ·") for order in orders]
    assert positions == sorted(positions)
    assert "Menunggu pembayaran" in page and "Rp 75.000" in page


def test_the_orders_list_costs_the_same_queries_however_many_orders(
    client, two_shops, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer = factories.warga().user
    signed_in(client, buyer)
    paid_order(buyer, two_shops["beras"])
    client.get(reverse("web:orders"))  # the session is read from the database once, then kept
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:orders"))
    for _ in range(6):
        paid_order(buyer, two_shops["telur"])
    with django_assert_max_num_queries(10):
        client.get(reverse("web:orders"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("web:orders"))
    assert len(many) == len(few)


def test_an_order_shows_items_fees_timeline_and_a_pay_link(client, placed):
    buyer, payment = placed
    order = Order.objects.filter(buyer=buyer).order_by("id").first()
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert "1 × Beras Pandan Wangi 5 kg" in page
    assert "Ongkos antar" in page and 'data-testid="timeline"' in page
    assert reverse("web:payment", args=[payment.reference]) in page
    assert "Batalkan pesanan" in page


def test_someone_elses_order_is_not_found(client, placed):
    buyer, _ = placed
    order = Order.objects.filter(buyer=buyer).first()
    signed_in(client, factories.warga().user)
    assert client.get(reverse("web:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("web:order-cancel", args=[order.pk])).status_code == 404
    assert Order.objects.get(pk=order.pk).status == "awaiting_payment"


def test_the_buyer_cancels_before_the_shop_accepts(client, placed):
    buyer, _ = placed
    order = Order.objects.filter(buyer=buyer).first()
    url = reverse("web:order", args=[order.pk])
    response = client.post(reverse("web:order-cancel", args=[order.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert "Dibatalkan" in text_of(response)
    again = client.post(
        reverse("web:order-cancel", args=[order.pk]), headers={"Referer": url}, follow=True
    )
    assert 'data-code="order_status_conflict"' in text_of(again)


def test_a_refusal_reads_in_english_when_the_visitor_chose_english(client, placed):
    buyer, _ = placed
    order = Order.objects.filter(buyer=buyer).first()
    url = reverse("web:order", args=[order.pk])
    cancel = reverse("web:order-cancel", args=[order.pk])
    client.post(cancel)
    client.post("/i18n/setlang/", {"language": "en", "next": url})
    again = text_of(client.post(cancel, headers={"Referer": url}, follow=True))
    assert 'data-code="order_status_conflict"' in again
    assert "An order that is cancelled cannot be changed this way." in again
    assert "tidak dapat diubah" not in again
    client.post("/i18n/setlang/", {"language": "id", "next": url})
    again = text_of(client.post(cancel, headers={"Referer": url}, follow=True))
    assert "Pesanan yang dibatalkan tidak dapat diubah dengan cara ini." in again


def test_confirm_then_rate_the_shop_once(client, two_shops):
    buyer = factories.warga().user
    signed_in(client, buyer)
    order = paid_order(buyer, two_shops["beras"], fulfilment="delivery")
    for action in ("accept", "deliver"):
        order = order_transition(order=order, action=action, actor=None, actor_kind="merchant")
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert "Pesanan sudah saya terima" in page
    client.post(reverse("web:order-confirm", args=[order.pk]))
    assert Order.objects.get(pk=order.pk).status == "completed"
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert "Beri ulasan toko" in page and "Ajukan komplain" in page
    client.post(reverse("web:order-review", args=[order.pk]), {"rating": "4", "comment": "Cepat"})
    page = text_of(client.get(reverse("web:shop", args=[order.merchant_id])))
    assert "★ 4,0" in page  # Indonesian decimals
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert "Ulasan Anda" in page and "Beri ulasan toko" not in page


def test_a_complaint_is_opened_and_its_progress_shown(client, two_shops):
    buyer = factories.warga().user
    signed_in(client, buyer)
    order = complete(paid_order(buyer, two_shops["beras"]))
    url = reverse("web:order-complaint", args=[order.pk])
    client.post(url, {"reason": "damaged", "description": "Berasnya basah dan berbau."})
    complaint = Complaint.objects.get(order=order)
    assert complaint.reason == "damaged"
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert "Barang rusak" in page and "Menunggu jawaban toko" in page
    assert "Ajukan komplain" not in page  # one in progress at a time
    order_page = reverse("web:order", args=[order.pk])
    again = client.post(
        url,
        {"reason": "other", "description": "Masih ada yang kurang."},
        headers={"Referer": f"http://testserver{order_page}"},
        follow=True,
    )
    assert again.redirect_chain[-1][0] == order_page
    assert 'data-code="complaint_not_allowed"' in text_of(again)


def test_after_a_decided_complaint_the_page_offers_no_second_one(client, two_shops):
    buyer = factories.warga().user
    signed_in(client, buyer)
    order = complete(paid_order(buyer, two_shops["beras"]))
    complaint = complaint_open(
        buyer=buyer, order=order, reason="damaged", description="Berasnya basah dan berbau."
    )
    admin = factories.person_with(Role.CITY_ADMIN)
    complaint_decide(actor=admin, complaint=complaint, refund_amount=0, note="Tidak terbukti.")
    order_page = reverse("web:order", args=[order.pk])
    page = text_of(client.get(order_page))
    assert "Diputuskan: ditolak" in page and "Ajukan komplain" not in page
    again = client.post(
        reverse("web:order-complaint", args=[order.pk]),
        {"reason": "other", "description": "Saya tidak terima keputusannya."},
        headers={"Referer": f"http://testserver{order_page}"},
        follow=True,
    )
    assert 'data-code="complaint_already_decided"' in text_of(again)
    assert Complaint.objects.filter(order=order).count() == 1


def test_a_paid_order_not_yet_arrived_may_only_be_complained_about_as_not_received(
    client, two_shops
):
    buyer = factories.warga().user
    signed_in(client, buyer)
    order = paid_order(buyer, two_shops["beras"])
    page = text_of(client.get(reverse("web:order", args=[order.pk])))
    assert 'value="not_received"' in page and 'value="damaged"' not in page


def test_pages_whose_status_changes_are_never_kept_by_the_browser(client, placed):
    """Back after paying must not show 'Menunggu pembayaran' from the browser's cache."""
    buyer, payment = placed
    order = Order.objects.filter(buyer=buyer).first()
    pages = [
        reverse("web:orders"),
        reverse("web:order", args=[order.pk]),
        reverse("web:payment", args=[payment.reference]),
        reverse("web:payment-status", args=[payment.reference]),
        reverse("web:cart"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
