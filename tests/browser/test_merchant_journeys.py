"""Shop owners in real Chromium on a 360 px phone: a paid order arrives in the inbox without a
reload and is accepted and delivered; the buyer, in another browser, confirms and rates the shop
(journey 2). And a person opens a shop step by step, adds goods, and asks for verification."""

import re

from playwright.sync_api import expect

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in, screenshot
from payment_steps import KEDUNGDORO, charge, pay, two_shop_checkout
from peken.merchants.models import Merchant
from peken.ordering.models import Order, ShopReview

# The inbox polls every 10 s; a slow machine gets some slack on top.
POLLING_WAIT_MS = 25_000


def with_password(user):
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_journey_2_the_shop_accepts_and_delivers_the_buyer_confirms_and_reviews(
    phone, browser, site
):
    buyer = with_password(factories.asn(KEDUNGDORO))
    checkout, orders = two_shop_checkout(buyer)
    order = orders[0]  # to Toko Bu Sri: 2 × Beras 5 kg at 75.000, delivered for 5.000
    owner = with_password(order.merchant.owner)
    payment = charge(checkout)  # not paid yet: nothing for the shop to do, but the cap is held

    log_in(phone, owner.username, DEMO_PASSWORD)
    phone.goto("/penjual/")
    expect(phone.get_by_role("heading", name="Toko saya")).to_be_visible()
    expect(phone.get_by_text("Kuota bulan ini: Rp 150.000 dari Rp 30.000.000")).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "merchant-home")

    phone.get_by_role("link", name="Barang", exact=True).click()
    expect(phone.get_by_role("link", name="Beras 5 kg")).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "merchant-products")

    phone.get_by_role("link", name="Pesanan", exact=True).click()
    card = phone.locator(f"#pesanan-{order.pk}")
    expect(card).to_have_count(0)
    pay(payment)  # the buyer pays while the inbox is open
    expect(card).to_have_attribute("data-status", "paid", timeout=POLLING_WAIT_MS)
    expect(card).to_contain_text("2 × Beras 5 kg")
    fits_the_phone(phone)
    screenshot(phone, "merchant-orders")

    card.get_by_role("button", name="Terima pesanan").click()
    expect(card).to_have_attribute("data-status", "accepted")
    expect(phone.locator("#pesan")).to_contain_text(f"Pesanan #{order.pk} diterima")
    card.get_by_role("button", name="Antar pesanan").click()
    expect(card).to_have_attribute("data-status", "delivering")

    # The buyer, on their own phone, confirms the goods arrived and rates the shop.
    context = browser.new_context(viewport=PHONE, locale="id-ID", base_url=site)
    context.set_default_timeout(15_000)
    buyer_phone = context.new_page()
    log_in(buyer_phone, buyer.username, DEMO_PASSWORD)
    buyer_phone.goto(f"/pesanan/{order.pk}/")
    buyer_phone.get_by_role("button", name=re.compile("^Pesanan sudah")).click()
    expect(buyer_phone.get_by_test_id("order-status")).to_have_text("Selesai")
    buyer_phone.get_by_label("5 ★").check()
    buyer_phone.get_by_label("Komentar (boleh kosong)").fill("Berasnya pulen, antar cepat.")
    buyer_phone.get_by_role("button", name="Kirim ulasan").click()
    expect(buyer_phone.get_by_text("Berasnya pulen, antar cepat.")).to_be_visible()
    context.close()
    assert Order.objects.get(pk=order.pk).status == "completed"
    assert ShopReview.objects.get(order=order).rating == 5

    # Back at the shop: the order is finished and its money is owed to the shop.
    expect(phone.locator(f'[data-group="finished"] [data-order="{order.pk}"]')).to_be_visible(
        timeout=POLLING_WAIT_MS
    )
    phone.get_by_role("link", name="Keuangan", exact=True).click()
    expect(phone.get_by_test_id("balance")).to_have_text("Rp 155.000")
    expect(phone.get_by_text("Pesanan selesai: jadi hak toko").first).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "merchant-money")


def test_a_person_opens_a_shop_step_by_step_adds_goods_and_asks_for_verification(phone):
    person = with_password(factories.warga(KEDUNGDORO).user)
    log_in(phone, person.username, DEMO_PASSWORD)
    phone.goto("/penjual/")
    phone.get_by_role("link", name="Daftarkan toko saya").click()

    expect(phone.get_by_role("heading", name="Langkah 1 dari 4: Usaha")).to_be_visible()
    phone.get_by_label("Nama usaha").fill("Warung Bu Tini")
    phone.get_by_label("UMKM", exact=True).check()
    phone.get_by_label("Bidang UMKM").select_option("kuliner")
    phone.get_by_label("Nomor HP toko").fill("0812-3456-7890")
    phone.get_by_label("Alamat toko").fill("Jl. Kedungdoro No. 12")
    phone.get_by_label("Kelurahan").select_option(KEDUNGDORO)
    phone.get_by_label("Minggu").uncheck()
    fits_the_phone(phone)
    screenshot(phone, "merchant-register")
    phone.get_by_role("button", name="Lanjut").click()

    expect(phone.get_by_text("NIK Anda sudah tercatat")).to_be_visible()
    phone.get_by_role("button", name="Lanjut").click()

    expect(phone.get_by_role("heading", name="Langkah 3 dari 4: Rekening bank")).to_be_visible()
    phone.get_by_label("Bank", exact=True).select_option("JATIM")
    phone.get_by_label("Nomor rekening").fill("123")
    phone.get_by_role("button", name="Lanjut").click()
    expect(phone.get_by_text("Nomor rekening harus 6 sampai 20 angka.")).to_be_visible()
    phone.get_by_label("Nomor rekening").fill("0011223344")
    phone.get_by_role("button", name="Lanjut").click()

    expect(phone.get_by_text("Bank Jatim ••••3344")).to_be_visible()
    phone.get_by_role("button", name="Daftarkan toko").click()
    expect(phone.get_by_test_id("shop-status")).to_have_text("Draf")
    shop = Merchant.objects.get(owner=person)
    assert shop.opening_hours["sabtu"] == ["07:00", "21:00"] and "minggu" not in shop.opening_hours

    phone.get_by_role("link", name="Barang", exact=True).click()
    phone.get_by_role("link", name="Tambah barang").click()
    phone.get_by_label("Nama barang").fill("Nasi pecel")
    phone.get_by_label("Kategori").select_option("kuliner")
    phone.get_by_label("Harga (Rp)").fill("0")
    phone.get_by_label("Satuan").select_option("porsi")
    phone.get_by_label("Dibuat sesuai pesanan (tanpa stok)").check()
    phone.get_by_role("button", name="Simpan barang").click()
    expect(phone.get_by_text("Harga harus lebih dari Rp 0.")).to_be_visible()
    phone.get_by_label("Harga (Rp)").fill("12.000")
    phone.get_by_role("button", name="Simpan barang").click()
    expect(phone.get_by_text("Barang tersimpan.")).to_be_visible()
    assert shop.products.get().price == 12_000

    phone.get_by_role("link", name="Toko", exact=True).click()
    phone.get_by_role("button", name="Ajukan verifikasi").click()
    expect(phone.get_by_test_id("shop-status")).to_have_text("Menunggu verifikasi")
    fits_the_phone(phone)
