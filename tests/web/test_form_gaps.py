"""What a first-time user tripped over on the forms and pages: every mistake at once beside its
field (and tied to it for screen readers), reviews that were written but never shown, a draft
shop that did not say what it still lacks, the cart turning into an emoji, and "/ pack" for a
5 kg sack of rice."""

import csv
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import factories
from payment_steps import KEDUNGDORO, complete
from peken.catalog.models import Product, Unit
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.ordering.reviews import review_submit
from peken.ordering.services import checkout_place, order_transition
from translation_steps import in_english

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Elements(HTMLParser):
    """Every element's attributes and the text directly inside it, by id."""

    def __init__(self):
        super().__init__()
        self.by_id, self.inputs, self.open = {}, [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.by_id[attributes["id"]] = {"tag": tag, **attributes, "text": ""}
        if tag in ("input", "select", "textarea", "fieldset"):
            self.inputs.append({"tag": tag, **attributes})
        if tag not in ("input", "img", "br", "meta", "link"):
            self.open.append(attributes.get("id"))

    def handle_endtag(self, tag):
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        for element_id in self.open:
            if element_id in self.by_id:
                self.by_id[element_id]["text"] += data


def elements(response) -> Elements:
    parsed = Elements()
    parsed.feed(response.content.decode())
    return parsed


def error_beside(response, input_id: str) -> str:
    """The error an input is described by (aria-describedby), asserting the link is whole: the
    input says it is invalid and the element it names exists and holds the words."""
    page = elements(response)
    field = page.by_id[input_id]
    assert field.get("aria-invalid") == "true", field
    named = field.get("aria-describedby", "").split()
    errors = [page.by_id[name] for name in named if name.endswith("_error")]
    assert len(errors) == 1, (input_id, named)
    return " ".join(errors[0]["text"].split())


# --- every error at once, beside its field ---------------------------------------------------


registration = factories.officer_registration


def test_the_officer_form_tells_an_empty_field_and_a_wrong_nik_in_the_same_round():
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    response = signed_in(officer).post(
        reverse("web:officer-register"), registration(name="", owner_nik="1234", phone="999")
    )
    assert response.status_code == 422
    assert error_beside(response, "id_name") != ""
    assert "NIK harus 16 angka." in error_beside(response, "id_owner_nik")
    assert error_beside(response, "id_phone") != ""
    assert not Merchant.objects.exists()


def test_the_product_form_tells_every_wrong_value_at_once(client):
    shop = factories.merchant(KEDUNGDORO)
    client.force_login(shop.owner)
    response = client.post(
        reverse("web:merchant-product-new"),
        {
            "name": " ",
            "category_slug": "sembako",
            "price": "0",
            "unit": "pcs",
            "stock": "-1",
            "initial-stock": "0",
        },
    )
    assert error_beside(response, "id_name") != ""  # Django's own "required"
    assert error_beside(response, "id_price") == "Harga harus lebih dari Rp 0."
    assert error_beside(response, "id_stock") == "Stok tidak boleh kurang dari 0."
    assert not Product.objects.filter(merchant=shop).exists()


def test_a_refused_stock_count_is_told_beside_its_box_on_the_list(client):
    shop = factories.merchant(KEDUNGDORO)
    product = factories.product(shop, stock=4)
    client.force_login(shop.owner)
    response = client.post(
        reverse("web:merchant-product-stock", args=[product.pk]), {"stock": "-2"}
    )
    assert response.status_code == 422
    assert error_beside(response, f"stok-{product.pk}") == "Stok tidak boleh kurang dari 0."
    assert elements(response).by_id[f"stok-{product.pk}"]["value"] == "-2"
    product.refresh_from_db()
    assert product.stock == 4


def cart_with_rice(client, buyer):
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri")
    rice = factories.product(shop, name="Beras Pandan", stock=10)
    client.force_login(buyer)
    client.post(reverse("web:cart-add"), {"product_id": rice.pk, "quantity": 1})
    page = client.get(reverse("web:cart")).content.decode()
    return {
        "token": re.search(r'name="token" value="([0-9a-f]+)"', page)[1],
        "lines": re.search(r'name="lines" value="([0-9:,]+)"', page)[1],
    }


def test_a_missing_delivery_address_is_told_beside_it_with_the_choices_kept(client):
    buyer = factories.asn(KEDUNGDORO)
    hidden = cart_with_rice(client, buyer)
    response = client.post(
        reverse("web:checkout"),
        hidden | {"fulfilment": "delivery", "address": "Jl", "method": "va_bri"},
    )
    assert response.status_code == 422
    assert error_beside(response, "alamat") == "Tulis alamat antar (5 sampai 300 huruf)."
    page = elements(response)
    assert page.by_id["alamat"]["text"] == "Jl"  # what was typed stays to be corrected
    assert "checked" in page.by_id["bayar-va_bri"] and "checked" in page.by_id["terima-antar"]
    assert not Order.objects.filter(buyer=buyer).exists()
    fixed = client.post(
        reverse("web:checkout"),
        hidden | {"fulfilment": "delivery", "address": "Jl. Kedungdoro 5", "method": "qris"},
    )
    assert fixed.status_code == 302 and Order.objects.filter(buyer=buyer).count() == 1


# --- reviews ------------------------------------------------------------------------------------


def reviewed_shop(comment="Berasnya pulen, diantar cepat."):
    shop = factories.merchant(KEDUNGDORO, name="Toko Bu Sri")
    rice = factories.product(shop, name="Beras Pandan", stock=10)
    buyer = factories.warga().user
    buyer.full_name = "Siti Aminah Rahayu"
    buyer.save()
    placed = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup", address="")
    paid = order_transition(order=placed.orders[0], action="pay", actor=None, actor_kind="system")
    review_submit(buyer=buyer, order=complete(paid), rating=4, comment=comment)
    return shop, rice, buyer


@pytest.mark.parametrize("page", ["shop", "product"])
def test_reviews_are_shown_with_stars_words_and_a_short_name(client, page):
    shop, rice, buyer = reviewed_shop()
    url = {
        "shop": reverse("web:shop", args=[shop.pk]),
        "product": reverse("web:product", args=[rice.pk]),
    }[page]
    html = client.get(url).content.decode()
    section = html[html.index('data-testid="reviews"') :]
    assert "Berasnya pulen, diantar cepat." in section
    assert "★★★★☆" in section and "Siti R." in section
    assert "Siti Aminah Rahayu" not in html and buyer.nik not in html
    assert buyer.username not in section


def test_a_reviewer_without_a_name_is_a_buyer_never_their_username(client):
    shop, _rice, buyer = reviewed_shop()
    buyer.full_name = ""
    buyer.save()
    html = client.get(reverse("web:shop", args=[shop.pk])).content.decode()
    section = html[html.index('data-testid="reviews"') :]
    assert "Pembeli ·" in section and buyer.username not in section


# --- a draft says what it still lacks ----------------------------------------------------------


def readiness_of(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r'data-item="(\w+)" data-done="([01])"', html))


def test_a_draft_shop_lists_what_it_has_and_what_it_lacks(client):
    shop = factories.merchant(KEDUNGDORO, status="draft")
    client.force_login(shop.owner)
    response = client.get(reverse("web:merchant-home"))
    assert readiness_of(response) == {"details": "1", "bank": "1", "photo": "0", "goods": "0"}
    page = response.content.decode()
    assert "belum ada; boleh menyusul" in page
    assert "wajib agar toko dapat diverifikasi" not in page  # nothing required is missing
    factories.product(shop)
    assert readiness_of(client.get(reverse("web:merchant-home")))["goods"] == "1"


def test_a_shop_registered_for_its_owner_lists_the_missing_consent_as_required(client):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    shop = factories.merchant(KEDUNGDORO, status="draft", registered_by=officer)
    shop.bank_account.delete()
    client.force_login(shop.owner)
    response = client.get(reverse("web:merchant-home"))
    assert readiness_of(response) == {
        "details": "1",
        "bank": "0",
        "consent": "0",
        "photo": "0",
        "goods": "0",
    }
    assert response.content.decode().count("wajib agar toko dapat diverifikasi") == 2


def test_a_verified_shop_has_no_list(client):
    shop = factories.merchant(KEDUNGDORO)
    client.force_login(shop.owner)
    assert readiness_of(client.get(reverse("web:merchant-home"))) == {}


# --- the unit a price is for -------------------------------------------------------------------


def test_every_page_names_the_products_own_unit(client):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, name="Beras Pandan 5 kg", unit=Unit.KARUNG, stock=10)
    buyer = factories.asn(KEDUNGDORO)
    client.force_login(buyer)
    client.post(reverse("web:cart-add"), {"product_id": rice.pk, "quantity": 1})
    placed = checkout_place(buyer=buyer, lines=[(rice.pk, 1)], fulfilment="pickup", address="")
    owner = Client()
    owner.force_login(shop.owner)
    pages = {
        "search": client.get(reverse("web:search"), {"q": "Beras"}),
        "product": client.get(reverse("web:product", args=[rice.pk])),
        "cart": client.get(reverse("web:cart")),
        "order": client.get(reverse("web:order", args=[placed.orders[0].pk])),
        "shop's order": owner.get(reverse("web:merchant-order", args=[placed.orders[0].pk])),
        "shop's goods": owner.get(reverse("web:merchant-products")),
    }
    for name, response in pages.items():
        html = " ".join(response.content.decode().split())
        assert "/ karung" in html, name
        assert "/ pack" not in html and "/ pcs" not in html, name


def test_a_pack_reads_as_pak_and_the_unit_follows_the_language(
    client, english_catalogue_with_gaps_marked
):
    shop = factories.merchant(KEDUNGDORO)
    tea = factories.product(shop, name="Teh celup isi 25", unit=Unit.PACK)
    url = reverse("web:product", args=[tea.pk])
    assert "/ pak" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert f"/ {in_english(Unit.PACK.label)}" in english and "/ pak" not in english


def test_the_demo_sells_rice_by_the_sack():
    from peken.demo.shops import PRODUCT_TEMPLATES, REFERENCE_PRICES

    rows = [
        *({"what": row["name"], "unit": row["unit"]} for row in csv_rows(PRODUCT_TEMPLATES)),
        *(
            {"what": f"{row['name']} {row['variant']}", "unit": row["unit"]}
            for row in csv_rows(REFERENCE_PRICES)
        ),
    ]
    sacks = [row for row in rows if re.fullmatch(r"Beras .*\b(5|10|25) kg", row["what"])]
    assert len(sacks) >= 4
    assert {row["unit"] for row in sacks} == {"karung"}


def csv_rows(path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as table:
        return list(csv.DictReader(table))
