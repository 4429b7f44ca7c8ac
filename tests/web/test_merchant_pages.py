"""The shop owner's pages, through the Django test client: who may open them, what they show, and
that every change goes through the services (a refused value changes nothing)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

import factories
from payment_steps import KEDUNGDORO, charge, complete, pay, two_shop_checkout
from peken.accounts.models import Role
from peken.catalog.models import Product, ProductPhoto, ReferenceItem
from peken.core.months import Month
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_act
from peken.payments.complaints import complaint_open
from peken.payouts.services import payouts_run
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shop():
    return factories.merchant(KEDUNGDORO, name="Toko Bu Sri")


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop.owner)
    return client


def picture(fmt="PNG") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(data, format=fmt)
    return SimpleUploadedFile("foto.png", data.getvalue(), content_type="image/png")


def text_of(response) -> str:
    return response.content.decode()


def paid_order_at(product):
    """A paid order of one item of `product`, by a new ASN of the shop's kelurahan."""
    result = checkout_place(
        buyer=factories.asn(KEDUNGDORO),
        lines=[(product.pk, 1)],
        fulfilment="delivery",
        address="Jl. Kedungdoro No. 7",
    )
    pay(charge(result.checkout))
    return Order.objects.select_related("merchant").get(pk=result.orders[0].pk)


def paid_order(buyer=None):
    """A paid order to Toko Bu Sri (delivery), with its shop."""
    checkout, orders = two_shop_checkout(buyer)
    pay(charge(checkout))
    return Order.objects.select_related("merchant__owner").get(pk=orders[0].pk)


# --- who may open what -------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get("/penjual/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_a_person_without_a_shop_is_invited_to_register(client):
    client.force_login(factories.warga().user)
    response = client.get(reverse("web:merchant-home"))
    assert response.status_code == 200
    assert "Daftarkan toko saya" in text_of(response)
    assert reverse("web:merchant-register") in text_of(response)


@pytest.mark.parametrize(
    "name", ["web:merchant-products", "web:merchant-orders", "web:merchant-money"]
)
def test_a_buyer_may_not_open_the_shop_pages(client, name):
    client.force_login(factories.asn())
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "web:merchant-home",
        "web:merchant-products",
        "web:merchant-product-new",
        "web:merchant-orders",
        "web:merchant-orders-list",
        "web:merchant-money",
        "web:merchant-photo",
        "web:merchant-edit",
    ],
)
def test_every_shop_page_opens_for_its_owner_and_not_for_another_shop(owner_client, name):
    stranger = factories.merchant(KEDUNGDORO, name="Toko Orang Lain")
    assert owner_client.get(reverse(name)).status_code == 200
    assert owner_client.get(reverse(name), {"toko": stranger.pk}).status_code == 404


def test_an_owner_with_two_shops_picks_one(owner_client, shop):
    second = factories.merchant(KEDUNGDORO, owner=shop.owner, name="Warung Kedua")
    first_page = text_of(owner_client.get(reverse("web:merchant-home")))
    assert "Toko Bu Sri" in first_page and 'id="pilih-toko"' in first_page
    second_page = text_of(owner_client.get(reverse("web:merchant-home"), {"toko": second.pk}))
    assert '<p class="shop-name">Warung Kedua' in second_page


def test_another_owners_product_and_order_are_not_found(owner_client):
    order = paid_order()  # to Toko Bu Sri of another owner, made by two_shop_checkout
    product = factories.product(order.merchant)
    for url in (
        reverse("web:merchant-product", args=[product.pk]),
        reverse("web:merchant-order", args=[order.pk]),
    ):
        assert owner_client.get(url).status_code == 404
    posted = owner_client.post(
        reverse("web:merchant-order-step", args=[order.pk]), {"step": "accept"}
    )
    assert posted.status_code == 404
    stocked = owner_client.post(
        reverse("web:merchant-product-stock", args=[product.pk]), {"stock": 1}
    )
    assert stocked.status_code == 404
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == "paid" and product.stock == 10


# --- home ------------------------------------------------------------------------------------


def test_home_shows_the_monthly_quota_gauge_in_words(owner_client, shop):
    MerchantMonthQuota.objects.create(
        merchant=shop,
        month=month_key(Month.of(timezone.now())),
        cap=30_000_000,
        used=12_500_000,
    )
    page = text_of(owner_client.get(reverse("web:merchant-home")))
    assert "Kuota bulan ini: Rp 12.500.000 dari Rp 30.000.000" in page
    assert 'class="progress"' in page and "width: 41%" in page


def test_a_draft_shop_is_submitted_for_verification_from_home(client):
    shop = factories.merchant(KEDUNGDORO, status="draft")
    client.force_login(shop.owner)
    page = text_of(client.get(reverse("web:merchant-home")))
    assert "Ajukan verifikasi" in page
    response = client.post(f"{reverse('web:merchant-submit')}?toko={shop.pk}", follow=True)
    shop.refresh_from_db()
    assert shop.status == "submitted"
    assert "Petugas kelurahan Kedungdoro akan memeriksanya." in text_of(response)
    assert "Ajukan verifikasi" not in text_of(response)


def test_a_rejected_shop_shows_the_reason_and_may_submit_again(client):
    shop = factories.merchant(KEDUNGDORO, status="rejected", status_reason="Foto KTP tidak terbaca")
    client.force_login(shop.owner)
    page = text_of(client.get(reverse("web:merchant-home")))
    assert "Ditolak: Foto KTP tidak terbaca" in page
    assert "Ajukan verifikasi lagi" in page


def test_a_rejected_shop_fixes_its_details_and_a_bad_value_changes_nothing(client):
    shop = factories.merchant(KEDUNGDORO, status="rejected", status_reason="Alamat kurang jelas")
    client.force_login(shop.owner)
    url = f"{reverse('web:merchant-edit')}?toko={shop.pk}"
    page = text_of(client.get(url))
    assert "Catatan petugas: Alamat kurang jelas" in page and 'value="Jl. Uji No. 1"' in page
    form = BUSINESS | BANK | {"name": shop.name, "kind": "toko_kelontong", "line": ""}
    refused = client.post(url, form | {"phone": "999"})
    assert "tidak valid" in text_of(refused)
    shop.refresh_from_db()
    assert shop.address == "Jl. Uji No. 1"
    client.post(url, form | {"address": "Jl. Kedungdoro Gg. 3 No. 12"})
    shop.refresh_from_db()
    assert (shop.address, shop.bank_account.bank_code) == ("Jl. Kedungdoro Gg. 3 No. 12", "JATIM")
    assert shop.opening_hours == {d: ["07:00", "20:00"] for d in ("senin", "selasa", "rabu")}


def test_a_verified_shop_cannot_be_submitted_again(owner_client, shop):
    response = owner_client.post(reverse("web:merchant-submit"), follow=True)
    shop.refresh_from_db()
    assert shop.status == "verified"
    assert "tidak dapat diajukan" in text_of(response)


def test_home_counts_todays_new_orders_and_shows_the_balance(client):
    order = paid_order()
    client.force_login(order.merchant.owner)
    page = text_of(client.get(reverse("web:merchant-home")))
    assert 'data-testid="orders-today">1<' in page
    assert 'data-testid="balance">Rp 0<' in page


# --- products ----------------------------------------------------------------------------------


def product_form(**changes) -> dict:
    return {
        "name": "Beras Pandan Wangi 5 kg",
        "description": "Pulen",
        "category_slug": "sembako",
        "reference_item_id": "",
        "price": "78.500",
        "unit": "pcs",
        "stock": "12",
        "initial-stock": "12",
        "is_active": "on",
        **changes,
    }


def test_a_new_product_is_created_through_the_form(owner_client, shop):
    response = owner_client.post(reverse("web:merchant-product-new"), product_form())
    product = Product.objects.get(merchant=shop)
    assert response.status_code == 302
    assert (product.name, product.price, product.stock) == ("Beras Pandan Wangi 5 kg", 78_500, 12)
    assert product.is_active


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("0", "Harga harus lebih dari Rp 0."),
        ("-1", "Harga harus lebih dari Rp 0."),
        ("sepuluh ribu", "Tulis harga dengan angka saja"),
        ("12,5", "Tulis harga dengan angka saja"),
    ],
)
def test_a_bad_price_is_told_in_indonesian_and_changes_nothing(owner_client, shop, price, message):
    created = owner_client.post(reverse("web:merchant-product-new"), product_form(price=price))
    assert created.status_code == 200 and message in text_of(created)
    assert not Product.objects.filter(merchant=shop).exists()

    product = factories.product(shop, price=75_000)
    edit = reverse("web:merchant-product", args=[product.pk])
    edited = owner_client.post(
        edit, product_form(price=price, stock="10", **{"initial-stock": "10"})
    )
    assert edited.status_code == 200 and message in text_of(edited)
    product.refresh_from_db()
    assert (product.price, product.name) == (75_000, "Beras Premium 5 kg")


def test_saving_a_new_price_does_not_put_back_stock_sold_meanwhile(owner_client, shop):
    product = factories.product(shop, price=75_000, stock=10)
    # The form was opened with stock 10; meanwhile a checkout took 3.
    Product.objects.filter(pk=product.pk).update(stock=7)
    form = product_form(name=product.name, price="80000", stock="10", **{"initial-stock": "10"})
    owner_client.post(reverse("web:merchant-product", args=[product.pk]), form)
    product.refresh_from_db()
    assert (product.price, product.stock) == (80_000, 7)


def test_a_reference_item_gives_its_price_and_a_different_one_is_refused(owner_client, shop):
    item = ReferenceItem.objects.create(
        name="Minyak goreng", brand="Bimoli", variant="1 liter", unit="botol", price=19_000
    )
    wrong = product_form(reference_item_id=str(item.pk), unit="botol", price="21000")
    refused = owner_client.post(reverse("web:merchant-product-new"), wrong)
    assert "harus Rp 19.000 per botol" in text_of(refused)
    blank = product_form(reference_item_id=str(item.pk), unit="botol", price="")
    owner_client.post(reverse("web:merchant-product-new"), blank)
    product = Product.objects.get(merchant=shop)
    assert (product.price, product.reference_item_id) == (19_000, item.pk)


def test_a_held_product_shows_why_in_the_list(owner_client, shop):
    owner_client.post(reverse("web:merchant-product-new"), product_form(name="Rokok kretek"))
    page = text_of(owner_client.get(reverse("web:merchant-products")))
    assert "Ditahan untuk diperiksa" in page and "Alasan:" in page


def test_the_product_list_is_paginated_in_a_fixed_number_of_queries(
    owner_client, shop, django_assert_max_num_queries
):
    for number in range(25):
        factories.product(shop, name=f"Barang {number:02d}")
    with django_assert_max_num_queries(8):
        first = owner_client.get(reverse("web:merchant-products"))
    assert text_of(first).count('class="product-row"') == 20
    assert "Halaman 1 dari 2" in text_of(first)
    second = owner_client.get(reverse("web:merchant-products"), {"halaman": 2})
    assert text_of(second).count('class="product-row"') == 5


def test_the_stock_quick_edit_answers_htmx_with_the_row(owner_client, shop):
    product = factories.product(shop, stock=4)
    url = reverse("web:merchant-product-stock", args=[product.pk])
    response = owner_client.post(url, {"stock": "9"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'value="9"' in text_of(response)
    product.refresh_from_db()
    assert product.stock == 9
    refused = owner_client.post(url, {"stock": "-2"}, headers={"HX-Request": "true"})
    # The refusal comes back in the row itself, beside the stock box, with -2 still in it.
    assert refused.status_code == 200 and "HX-Retarget" not in refused
    row = text_of(refused)
    assert f'id="stok-{product.pk}_error"' in row and 'value="-2"' in row
    assert f'aria-describedby="stok-{product.pk}_error"' in row
    product.refresh_from_db()
    assert product.stock == 9


def test_photos_are_added_up_to_five_and_removed(owner_client, shop):
    product = factories.product(shop)
    add = reverse("web:merchant-product-photo-add", args=[product.pk])
    for _ in range(5):
        owner_client.post(add, {"photo": picture()})
    sixth = owner_client.post(add, {"photo": picture()}, follow=True)
    assert "paling banyak 5 foto" in text_of(sixth)
    assert ProductPhoto.objects.filter(product=product).count() == 5
    not_a_picture = SimpleUploadedFile("foto.png", b"bukan gambar", content_type="image/png")
    photo = ProductPhoto.objects.filter(product=product).first()
    owner_client.post(reverse("web:merchant-product-photo-remove", args=[product.pk, photo.pk]))
    refused = owner_client.post(add, {"photo": not_a_picture}, follow=True)
    assert "JPEG, PNG atau WebP" in text_of(refused)
    assert ProductPhoto.objects.filter(product=product).count() == 4


def test_a_product_is_taken_off_sale_and_back(owner_client, shop):
    product = factories.product(shop)
    url = reverse("web:merchant-product-sale", args=[product.pk])
    owner_client.post(url)
    product.refresh_from_db()
    assert not product.is_active
    owner_client.post(url, {"jual": "1"})
    product.refresh_from_db()
    assert product.is_active


# --- orders ------------------------------------------------------------------------------------


def test_the_inbox_groups_orders_and_its_partial_costs_a_fixed_number_of_queries(
    client, shop, django_assert_max_num_queries
):
    rice = factories.product(shop, price=75_000, stock=50)
    orders = [paid_order_at(rice) for _ in range(5)]
    order_act(actor=shop.owner, order=orders[1], action="accept")
    for action in ("accept", "deliver"):
        order_act(actor=shop.owner, order=orders[3], action=action)
    complete(orders[4])
    client.force_login(shop.owner)
    page = text_of(client.get(reverse("web:merchant-orders")))
    assert 'hx-trigger="every 10s' in page
    assert reverse("web:merchant-orders-list") in page
    with django_assert_max_num_queries(9):
        partial = client.get(reverse("web:merchant-orders-list"), headers={"HX-Request": "true"})
    fragment = text_of(partial)
    assert "<html" not in fragment
    groups = {
        name: fragment.split(f'data-group="{name}"')[1].split("</section>")[0]
        for name in ("paid", "accepted", "on_the_way", "finished")
    }
    assert f'id="pesanan-{orders[0].pk}"' in groups["paid"] and "Terima pesanan" in groups["paid"]
    assert f'id="pesanan-{orders[1].pk}"' in groups["accepted"]
    assert f'id="pesanan-{orders[3].pk}"' in groups["on_the_way"]
    assert f'data-order="{orders[4].pk}"' in groups["finished"]


def test_the_shop_accepts_and_delivers_from_the_inbox_and_the_buyer_completes(client):
    order = paid_order()
    client.force_login(order.merchant.owner)
    url = reverse("web:merchant-order-step", args=[order.pk])
    accepted = client.post(url, {"step": "accept"}, headers={"HX-Request": "true"})
    assert f"Pesanan #{order.pk} diterima" in text_of(accepted)
    assert f'id="pesanan-{order.pk}" data-status="accepted"' in text_of(accepted)
    delivering = client.post(url, {"step": "deliver"}, headers={"HX-Request": "true"})
    assert f'id="pesanan-{order.pk}" data-status="delivering"' in text_of(delivering)
    refused = client.post(url, {"step": "complete"}, headers={"HX-Request": "true"})
    assert 'data-code="completion_needs_buyer"' in text_of(refused)
    order.refresh_from_db()
    assert order.status == "delivering"
    order_act(actor=order.buyer, order=order, action="confirm")
    detail = text_of(client.get(reverse("web:merchant-order", args=[order.pk])))
    for label in ("Diterima toko", "Diantar", "Selesai", "oleh pembeli"):
        assert label in detail
    assert "Jl. Kedungdoro No. 5" in detail


def test_a_rejection_needs_a_reason_the_buyer_reads(client):
    order = paid_order()
    client.force_login(order.merchant.owner)
    url = reverse("web:merchant-order-step", args=[order.pk])
    refused = client.post(url, {"step": "reject", "reason": ""}, headers={"HX-Request": "true"})
    assert refused["HX-Retarget"] == "#pesan" and "alasannya" in text_of(refused)
    order.refresh_from_db()
    assert order.status == "paid"
    client.post(url, {"step": "reject", "reason": "Beras sedang habis"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Beras sedang habis")


def test_a_pickup_order_cannot_be_delivered(client):
    order = paid_order()
    Order.objects.filter(pk=order.pk).update(fulfilment="pickup", status="accepted")
    client.force_login(order.merchant.owner)
    url = reverse("web:merchant-order-step", args=[order.pk])
    response = client.post(url, {"step": "deliver"}, headers={"HX-Request": "true"})
    assert "diambil di toko" in text_of(response)
    assert "Siap diambil" in text_of(client.get(reverse("web:merchant-order", args=[order.pk])))


def test_the_shop_answers_a_complaint_on_the_order_page(client):
    order = complete(paid_order())
    complaint_open(
        buyer=order.buyer, order=order, reason="damaged", description="Berasnya basah dan berkutu."
    )
    client.force_login(order.merchant.owner)
    page = text_of(client.get(reverse("web:merchant-order", args=[order.pk])))
    assert "Berasnya basah dan berkutu." in page and "Kirim jawaban" in page
    complaint = order.complaints.get()
    url = reverse("web:merchant-complaint-answer", args=[complaint.pk])
    too_short = client.post(url, {"answer": "ok"}, follow=True)
    assert "Tulis 5 sampai 1000 huruf." in text_of(too_short)
    answered = client.post(url, {"answer": "Maaf, kami ganti besok pagi."}, follow=True)
    assert "Maaf, kami ganti besok pagi." in text_of(answered)
    complaint.refresh_from_db()
    assert complaint.status == "answered"


# --- money -------------------------------------------------------------------------------------


def test_the_money_page_shows_balance_statement_and_payouts(client):
    order = complete(paid_order())
    owner = order.merchant.owner
    client.force_login(owner)
    before = text_of(client.get(reverse("web:merchant-money")))
    assert 'data-testid="balance">Rp 155.000<' in before  # 2 × 75.000 + 5.000 delivery
    assert "Pesanan selesai: jadi hak toko" in before and "+Rp 155.000" in before
    payouts_run(actor=factories.user(None, Role.CITY_ADMIN))
    after = text_of(client.get(reverse("web:merchant-money")))
    assert 'data-testid="balance">Rp 0<' in after
    assert "BRI ••••9012" in after and "-Rp 155.000" in after


# --- registration ------------------------------------------------------------------------------

BUSINESS = {
    "name": "Warung Bu Tini",
    "kind": "umkm",
    "line": "kuliner",
    "description": "Nasi pecel dan rawon",
    "phone": "0812 3456 7890",
    "address": "Jl. Kedungdoro No. 12",
    "kelurahan_code": KEDUNGDORO,
    "open_days": ["senin", "selasa", "rabu"],
    "opens_at": "07:00",
    "closes_at": "20:00",
    "nib": "",
}
BANK = {"bank_code": "JATIM", "account_number": "0011 2233 44", "holder_name": "Tini Rahayu"}


def step_url(step: str) -> str:
    return reverse("web:merchant-register-step", args=[step])


def test_registration_goes_through_the_steps_and_ends_on_the_shop_home(client):
    person = factories.warga().user
    person.nik = None
    person.save()
    client.force_login(person)
    assert client.get(reverse("web:merchant-register"))["Location"] == step_url("usaha")
    assert client.get(step_url("rekening"))["Location"] == step_url("usaha")

    bad_phone = client.post(step_url("usaha"), BUSINESS | {"phone": "12345"})
    assert "tidak valid (contoh: 081234567890)" in text_of(bad_phone)
    assert client.post(step_url("usaha"), BUSINESS)["Location"] == step_url("pemilik")
    assert "Ada kesalahan" not in text_of(client.get(step_url("pemilik")))
    bad_nik = client.post(step_url("pemilik"), {"nik": "1234"})
    assert "16" in text_of(bad_nik)
    nik = factories.valid_nik(female=True)
    assert client.post(step_url("pemilik"), {"nik": nik})["Location"] == step_url("rekening")
    assert client.post(step_url("rekening"), BANK)["Location"] == step_url("foto")
    summary = text_of(client.get(step_url("foto")))
    assert "Warung Bu Tini" in summary and "Bank Jatim ••••3344" in summary

    done = client.post(step_url("foto"), {"photo": picture()})
    shop = Merchant.objects.get(owner=person)
    assert done["Location"] == f"{reverse('web:merchant-home')}?toko={shop.pk}"
    assert (shop.status, shop.kind, shop.line, shop.phone) == (
        "draft",
        "umkm",
        "kuliner",
        "081234567890",
    )
    assert shop.opening_hours == {d: ["07:00", "20:00"] for d in ("senin", "selasa", "rabu")}
    assert shop.bank_account.account_number == "0011223344" and shop.photo
    person.refresh_from_db()
    assert person.nik == nik and person.has_role(Role.MERCHANT)
    home = text_of(client.get(done["Location"]))
    assert "Warung Bu Tini" in home and "Ajukan verifikasi" in home
    client.post(f"{reverse('web:merchant-submit')}?toko={shop.pk}")
    shop.refresh_from_db()
    assert shop.status == "submitted"


def test_a_refusal_at_the_end_is_shown_on_the_step_where_it_was_typed(client):
    person = factories.warga().user
    person.nik = None
    person.save()
    taken = factories.asn().nik  # another account already carries this NIK
    client.force_login(person)
    client.post(step_url("usaha"), BUSINESS)
    client.post(step_url("pemilik"), {"nik": taken})
    client.post(step_url("rekening"), BANK)
    finished = client.post(step_url("foto"))
    assert finished["Location"] == step_url("pemilik")
    page = text_of(client.get(step_url("pemilik")))
    assert "NIK ini sudah dipakai akun lain." in page
    assert not Merchant.objects.filter(owner=person).exists()


def test_an_account_with_a_nik_is_not_asked_again(client):
    person = factories.warga().user
    client.force_login(person)
    client.post(step_url("usaha"), BUSINESS)
    page = text_of(client.get(step_url("pemilik")))
    assert "NIK Anda sudah tercatat" in page and person.masked_nik in page
    assert client.post(step_url("pemilik"))["Location"] == step_url("rekening")
