"""A newcomer's account journeys in a real browser."""

import re

from django.conf import settings
from playwright.sync_api import expect

import factories
from browser_steps import PHONE, log_in
from outbox_steps import outbox_sent, texts_sent
from peken.accounts import sms
from peken.accounts.models import AsnProfile, Role


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


def _code_from(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _set_password_with_code(page, identifier: str, read_code, password: str) -> None:
    page.goto("/masuk/")
    page.get_by_role("link", name="Belum pernah masuk atau lupa kata sandi?").click()
    page.get_by_label("NIP, NIK, nomor HP, e-mail atau nama pengguna").fill(identifier)
    page.get_by_role("button", name="Kirim kode").click()
    expect(page.get_by_role("heading", name="Buat kata sandi baru")).to_be_visible()
    page.get_by_label("Kode 6 angka dari e-mail atau SMS").fill(read_code())
    page.get_by_label("Kata sandi baru (paling sedikit 8 karakter)").fill(password)
    page.get_by_label("Ulangi kata sandi baru").fill(password)
    page.get_by_role("button", name="Simpan kata sandi").click()
    expect(page.get_by_text("Kata sandi sudah disimpan. Silakan masuk.")).to_be_visible()


def test_an_asn_from_the_roster_sets_a_first_password_by_sms_code_and_logs_in(phone, settings):
    settings.PEKEN_SMS_BACKEND = "peken.accounts.sms.MemoryBackend"
    sms.outbox.clear()
    person = factories.user("asn-roster", Role.ASN)
    person.set_unusable_password()  # as the roster import leaves them
    person.email, person.phone = "", "081299887766"
    person.save()
    nip = factories.valid_nip()
    AsnProfile.objects.create(
        user=person,
        nip=nip,
        golongan="III/a",
        opd=factories.opd(),
        domicile_kelurahan=factories.kelurahan(),
    )
    _set_password_with_code(
        phone, nip, lambda: _code_from(texts_sent()[-1][1]), "kenari-tiga-belas"
    )
    log_in(phone, nip, "kenari-tiga-belas")
    expect(phone.get_by_role("link", name="Pesanan saya")).to_be_visible()


def test_a_locked_out_warga_resets_by_e_mail_code_and_logs_in(phone):
    siti = factories.user("siti", Role.WARGA)
    siti.email = "siti@example.org"
    siti.save()
    for attempt in range(settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        log_in(phone, "siti", f"salah-{attempt}")
    log_in(phone, "siti", factories.PASSWORD)
    expect(phone.get_by_role("alert")).to_contain_text("Terlalu banyak percobaan")
    _set_password_with_code(
        phone, "siti@example.org", lambda: _code_from(outbox_sent()[-1].body), "kenari-tiga-belas"
    )
    log_in(phone, "siti", "kenari-tiga-belas")
    expect(phone.get_by_role("link", name="Pesanan saya")).to_be_visible()
