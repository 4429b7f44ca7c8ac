"""Buyers in real Chromium on a 360 px phone: an ASN meets this month's obligation at two
shops (journey 1), a shop at its cap is gone for ASN but not for warga (journey 4), and the
payment page notices a payment made elsewhere."""

import re

from django.utils import timezone
from playwright.sync_api import expect

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in, screenshot
from factories import KEDUNGDORO
from peken.core.months import Month
from peken.obligations.models import ObligationRule
from peken.payments.models import Payment
from peken.payments.services import payment_simulate
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key


def with_password(user):
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def asn_owing(amount: int):
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon=ObligationRule.ANY_ESELON, defaults={"amount": amount}
    )
    return with_password(factories.asn(KEDUNGDORO, golongan="III/a"))


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def search_for(page, words: str) -> None:
    box = page.get_by_role("searchbox", name="Cari barang").first
    box.fill(words)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/cari/"))


def add_to_cart(page, product_name: str, count_after: int) -> None:
    page.get_by_role("button", name=f"Tambah {product_name} ke keranjang").click()
    expect(page.get_by_test_id("cart-count")).to_have_text(str(count_after))
    # The redrawn cart link keeps the layout's icon (it once became an emoji).
    expect(page.locator("#cart-link svg.glyph")).to_have_count(1)
    expect(page.locator("#cart-link")).not_to_contain_text("🛒")


def test_journey_1_an_asn_shops_at_two_shops_pays_and_sees_the_obligation_move(phone):
    buyer = asn_owing(500_000)
    sri = factories.merchant(KEDUNGDORO, name="Toko Bu Sri", delivery_fee_same_kelurahan=0)
    budi = factories.merchant(KEDUNGDORO, name="Toko Pak Budi", delivery_fee_same_kelurahan=5_000)
    factories.product(sri, name="Beras Pandan Wangi 5 kg", price=75_000, stock=20)
    factories.product(budi, name="Telur Ayam Kampung 1 kg", price=28_000, stock=20)

    log_in(phone, buyer.username, DEMO_PASSWORD)
    obligation = phone.get_by_test_id("obligation")
    expect(obligation).to_contain_text("Rp 0 dari Rp 500.000 — kurang Rp 500.000")
    expect(phone.get_by_test_id("shops-near")).to_contain_text("Toko Bu Sri")
    fits_the_phone(phone)
    screenshot(phone, "buyer-home")

    search_for(phone, "beras")
    expect(phone.get_by_test_id("product-card")).to_have_count(1)
    fits_the_phone(phone)
    screenshot(phone, "buyer-search")
    add_to_cart(phone, "Beras Pandan Wangi 5 kg", 1)
    search_for(phone, "telur")
    add_to_cart(phone, "Telur Ayam Kampung 1 kg", 2)
    add_to_cart(phone, "Telur Ayam Kampung 1 kg", 3)

    phone.get_by_role("link", name="Keranjang").first.click()
    expect(phone.get_by_test_id("cart-shop")).to_have_count(2)
    expect(phone.get_by_test_id("goods-total")).to_have_text("Rp 131.000")
    fits_the_phone(phone)
    screenshot(phone, "buyer-cart")
    phone.get_by_label("Alamat antar").fill("Jl. Kedungdoro No. 5, RT 2 RW 3")
    phone.get_by_role("button", name="Pesan dan bayar").click()

    phone.wait_for_url(re.compile(r"/bayar/PKN-"))
    expect(phone.get_by_test_id("amount")).to_have_text("Rp 136.000")  # Pak Budi's Rp 5.000 fee
    expect(phone.locator(".countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(phone.get_by_role("img", name="Kode QRIS untuk dibayar")).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "buyer-payment")
    phone.get_by_role("button", name="Bayar sekarang (simulasi)").click()
    expect(phone.get_by_text("Pembayaran diterima")).to_be_visible()

    phone.get_by_role("link", name="Semua pesanan saya").click()
    orders = phone.get_by_test_id("orders")
    expect(orders.locator(".status.paid")).to_have_count(2)
    expect(orders).to_contain_text("Dibayar")
    fits_the_phone(phone)
    screenshot(phone, "buyer-orders")
    orders.get_by_role("link", name=re.compile("Toko Bu Sri")).click()
    expect(phone.get_by_test_id("order-status")).to_have_text("Dibayar")
    expect(phone.get_by_test_id("timeline")).to_contain_text("Menunggu pembayaran")
    fits_the_phone(phone)
    screenshot(phone, "buyer-order")

    phone.get_by_role("link", name="Beranda").first.click()
    expect(phone.get_by_test_id("obligation")).to_contain_text(
        "Rp 131.000 dari Rp 500.000 — kurang Rp 369.000"
    )


def test_journey_4_a_shop_at_its_cap_is_gone_for_an_asn_but_not_for_a_warga(phone):
    full = factories.merchant(KEDUNGDORO, name="Warung Sudah Penuh")
    open_shop = factories.merchant(KEDUNGDORO, name="Warung Masih Buka")
    factories.product(full, name="Kopi Bubuk Penuh", price=15_000)
    factories.product(open_shop, name="Kopi Bubuk Buka", price=16_000)
    month = month_key(Month.of(timezone.now()))
    MerchantMonthQuota.objects.create(merchant=full, month=month, cap=2_000_000, used=2_000_000)
    asn = asn_owing(500_000)
    warga = with_password(factories.warga(KEDUNGDORO).user)

    log_in(phone, asn.username, DEMO_PASSWORD)
    search_for(phone, "kopi")
    results = phone.locator(".products")
    expect(results).to_contain_text("Kopi Bubuk Buka")
    expect(results).not_to_contain_text("Kopi Bubuk Penuh")

    phone.context.clear_cookies()
    log_in(phone, warga.username, DEMO_PASSWORD)
    search_for(phone, "kopi")
    expect(phone.get_by_test_id("product-card")).to_have_count(2)
    expect(phone.locator(".products")).to_contain_text("Kopi Bubuk Penuh")
    # The filters fit the phone too; the cheapest first puts the full shop's coffee first.
    phone.get_by_text("Saring dan urutkan").click()
    phone.get_by_label("Urutan").select_option(label="Harga termurah")
    phone.get_by_label("Kecamatan").select_option(label="Tegalsari")
    fits_the_phone(phone)
    phone.get_by_role("button", name="Terapkan").click()
    expect(phone.get_by_test_id("product-card").first).to_contain_text("Kopi Bubuk Penuh")
    expect(phone.get_by_test_id("result-count")).to_contain_text("2 barang")


def test_the_payment_page_notices_a_payment_made_elsewhere(phone):
    buyer = with_password(factories.warga(KEDUNGDORO).user)
    factories.product(factories.merchant(KEDUNGDORO), name="Gula Pasir 1 kg", price=17_000)

    log_in(phone, buyer.username, DEMO_PASSWORD)
    search_for(phone, "gula")
    add_to_cart(phone, "Gula Pasir 1 kg", 1)
    phone.goto("/keranjang/")
    phone.get_by_label("Ambil sendiri di toko").check()
    phone.get_by_label("Virtual account BRI").check()
    phone.get_by_role("button", name="Pesan dan bayar").click()
    phone.wait_for_url(re.compile(r"/bayar/PKN-"))
    expect(phone.get_by_test_id("va-number")).to_be_visible()

    # The payer pays from their bank app: the page's polling finds out by itself.
    payment_simulate(payment=Payment.objects.get(checkout__buyer=buyer), status="paid")
    expect(phone.get_by_text("Pembayaran diterima")).to_be_visible(timeout=12_000)
    expect(phone.get_by_test_id("va-number")).to_have_count(0)
