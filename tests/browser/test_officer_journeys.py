"""Journeys of a kelurahan officer in real Chromium on a 360 px phone: approving a submitted
shop (which then appears in search), deciding a complaint, registering a toko for its owner."""

from playwright.sync_api import expect

import factories
from browser_steps import DEMO_PASSWORD, PHONE, log_in, screenshot
from payment_steps import KEDUNGDORO, charge, complete, pay, two_shop_checkout
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.payments.complaints import complaint_open
from peken.payments.models import Complaint


def officer_of(kelurahan_code: str):
    officer = factories.officer(kelurahan_code=kelurahan_code)
    officer.full_name = "Rina Petugas Kedungdoro"
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    return officer


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def found_by_api(page, words: str) -> list[str]:
    response = page.request.get("/api/v1/products", params={"q": words})
    assert response.ok, response.text()
    return [item["name"] for item in response.json()["items"]]


def test_an_officer_approves_a_submitted_shop_which_then_appears_in_search(phone):
    shop = factories.merchant(KEDUNGDORO, status="submitted", name="Warung Bu Ani", nib="")
    factories.product(shop, name="Keripik Tempe Renyah", price=12_000)
    officer = officer_of(KEDUNGDORO)
    assert "Keripik Tempe Renyah" not in found_by_api(phone, "keripik tempe")

    log_in(phone, officer.username, DEMO_PASSWORD)
    phone.goto("/petugas/")
    queue = phone.get_by_test_id("queue")
    expect(queue).to_contain_text("Warung Bu Ani")
    expect(queue).to_contain_text(shop.owner.masked_nik)
    assert fits_the_phone(phone)
    screenshot(phone, "officer-queue")

    phone.get_by_role("link", name="Warung Bu Ani").click()
    expect(phone.get_by_test_id("merchant-status")).to_have_text("Menunggu verifikasi")
    expect(phone.get_by_text("Keripik Tempe Renyah")).to_be_visible()
    expect(phone.get_by_test_id("account-number")).to_have_text("*********9012")
    assert fits_the_phone(phone)
    screenshot(phone, "officer-merchant")

    phone.get_by_role("button", name="Setujui dan verifikasi").click()
    expect(phone.get_by_test_id("merchant-status")).to_have_text("Terverifikasi")
    expect(phone.locator("#pesan")).to_contain_text("Warung Bu Ani terverifikasi")
    assert Merchant.objects.get(pk=shop.pk).status == "verified"

    # Found now: by the JSON API the phones use, and on the search page people use.
    assert "Keripik Tempe Renyah" in found_by_api(phone, "keripik tempe")
    phone.goto("/cari/?q=keripik+tempe")
    expect(phone.get_by_text("Keripik Tempe Renyah").first).to_be_visible()


def test_rejecting_without_a_reason_is_refused_then_done_with_one(phone):
    shop = factories.merchant(KEDUNGDORO, status="submitted", name="Toko Foto Buram")
    officer = officer_of(KEDUNGDORO)
    log_in(phone, officer.username, DEMO_PASSWORD)
    phone.goto(f"/petugas/toko/{shop.pk}/")
    phone.get_by_role("button", name="Tolak").click()
    expect(phone.locator("#pesan .flash.error")).to_contain_text("Tuliskan alasannya")
    expect(phone.get_by_test_id("merchant-status")).to_have_text("Menunggu verifikasi")
    phone.get_by_label("Alasan penolakan (dibaca pemilik toko)").fill("Foto toko buram, ulangi.")
    phone.get_by_role("button", name="Tolak").click()
    expect(phone.get_by_test_id("merchant-status")).to_have_text("Ditolak")
    expect(phone.get_by_text("Foto toko buram, ulangi.")).to_be_visible()


def test_an_officer_refunds_part_of_a_complained_order(phone):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    order = complete(Order.objects.get(pk=orders[0].pk))
    complaint = complaint_open(
        buyer=order.buyer, order=order, reason="damaged", description="Separuh beras basah."
    )
    officer = officer_of(KEDUNGDORO)
    log_in(phone, officer.username, DEMO_PASSWORD)
    phone.goto("/petugas/komplain/")
    phone.get_by_role("link", name=f"Komplain #{complaint.pk} · pesanan #{order.pk}").click()
    expect(phone.get_by_text("Separuh beras basah.")).to_be_visible()
    amount = phone.get_by_label("Nominal dikembalikan (Rp, penuh atau sebagian)")
    expect(amount).to_have_value(str(order.total))  # the whole remaining total by default
    assert fits_the_phone(phone)
    screenshot(phone, "officer-complaint")

    amount.fill(str(order.total + 1))
    phone.get_by_label("Catatan keputusan (dibaca pembeli dan toko)").fill("Beras rusak separuh.")
    phone.get_by_role("button", name="Simpan keputusan").click()
    expect(phone.get_by_test_id("decision-error")).to_contain_text(
        "Sisa nilai pesanan yang dapat dikembalikan"
    )
    phone.get_by_label("Nominal dikembalikan (Rp, penuh atau sebagian)").fill("50000")
    phone.get_by_role("button", name="Simpan keputusan").click()
    expect(phone.get_by_test_id("complaint-status")).to_have_text("Diputuskan: dana dikembalikan")
    expect(phone.get_by_test_id("decision")).to_contain_text("Rp 50.000")
    assert Complaint.objects.get(pk=complaint.pk).refund.amount == 50_000


def test_an_officer_registers_a_toko_for_an_owner_without_a_phone(phone):
    officer = officer_of(KEDUNGDORO)
    log_in(phone, officer.username, DEMO_PASSWORD)
    phone.goto("/petugas/daftarkan/")
    assert fits_the_phone(phone)
    phone.get_by_label("Nama pemilik (sesuai KTP)").fill("Sumarni")
    phone.get_by_label("NIK pemilik").fill(factories.valid_nik(female=True))
    phone.get_by_label("Nomor HP pemilik").fill("081234500012")
    phone.get_by_label("Nama usaha").fill("Toko Bu Sumarni")
    phone.get_by_label("Jenis usaha").select_option("toko_kelontong")
    phone.get_by_label("Alamat toko").fill("Jl. Kedungdoro Gg. 5 No. 2")
    phone.get_by_label("Nomor HP toko").fill("081234500012")
    phone.get_by_label("Bank").select_option("BRI")
    phone.get_by_label("Nomor rekening").fill("1234567890")
    phone.get_by_label("Nama pemilik rekening").fill("Sumarni")
    phone.get_by_role("button", name="Daftarkan dan ajukan verifikasi").click()
    expect(phone.get_by_test_id("merchant-status")).to_have_text("Menunggu verifikasi")
    shop = Merchant.objects.get(name="Toko Bu Sumarni")
    assert shop.registered_by_id == officer.pk and shop.kelurahan.code == KEDUNGDORO
