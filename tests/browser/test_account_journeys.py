"""A newcomer's account journeys in a real browser."""

from playwright.sync_api import expect

import factories
from browser_steps import PHONE


def test_a_warga_signs_up_on_the_web_and_lands_ready_to_buy(phone):
    phone.goto("/masuk/")
    phone.get_by_role("link", name="Daftar").click()
    expect(phone.get_by_role("heading", name="Daftar sebagai warga")).to_be_visible()
    phone.get_by_label("Nama lengkap").fill("Budi Santoso")
    phone.get_by_label("NIK (16 angka, sesuai KTP)").fill(factories.valid_nik())
    phone.get_by_label("Nomor HP").fill("081234567890")
    phone.get_by_label("Kelurahan tempat tinggal").select_option("35.78.05.1003")
    phone.get_by_label("Kata sandi (paling sedikit 8 karakter)").fill("password123")
    phone.get_by_label("Ulangi kata sandi").fill("password123")
    phone.get_by_role("button", name="Daftar").click()
    expect(phone.get_by_role("alert").first).to_contain_text("terlalu umum")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_label("Kata sandi (paling sedikit 8 karakter)").fill("kenari-tiga-belas")
    phone.get_by_label("Ulangi kata sandi").fill("kenari-tiga-belas")
    phone.get_by_role("button", name="Daftar").click()
    expect(phone.get_by_role("link", name="Pesanan saya")).to_be_visible()
    expect(phone.get_by_role("link", name="Keranjang")).to_be_visible()
    assert phone.url.endswith("/")
