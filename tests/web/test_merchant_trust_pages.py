"""The pages of trust: the owner consents, a second officer verifies, every error of the officer's
form at once beside its field, a draft said to be a draft, a held payout shown on both sides."""

import re

import pytest
from django.test import Client
from django.urls import reverse

import factories
from factories import TEGALSARI
from payment_steps import KEDUNGDORO
from peken.core.models import AuditEntry
from peken.merchants.models import Merchant

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


registration = factories.officer_registration


def test_the_officer_form_shows_every_refused_value_at_once_beside_its_field():
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    response = signed_in(officer).post(
        reverse("web:officer-register"),
        registration(owner_nik="1234", phone="999", account_number="12", nib="55"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    for field in ("owner_nik", "phone", "account_number", "nib"):
        assert f'id="id_{field}_error"' in page, field  # what the input's aria-describedby names
    assert "NIK harus 16 angka." in page
    assert "Nomor rekening harus 6 sampai 20 angka." in page
    assert not Merchant.objects.exists()


def test_the_owner_confirms_on_the_web_and_a_second_officer_verifies():
    registrar = factories.officer(kelurahan_code=KEDUNGDORO)
    signed_in(registrar).post(reverse("web:officer-register"), registration())
    shop = Merchant.objects.get(name="Toko Bu Siti")
    shop_page = reverse("web:officer-merchant", args=[shop.pk])
    assert "diverifikasi oleh petugas lain" in text_of(signed_in(registrar).get(shop_page))
    own = signed_in(registrar).post(
        reverse("web:officer-merchant-decide", args=[shop.pk, "verify"]), follow=True
    )
    assert own.status_code == 403
    colleague = signed_in(factories.officer(kecamatan_code=TEGALSARI))
    assert "Menunggu konfirmasi pemilik" in text_of(colleague.get(shop_page))

    owner = signed_in(shop.owner)
    home = text_of(owner.get(f"{reverse('web:merchant-home')}?toko={shop.pk}"))
    assert "didaftarkan petugas Kelurahan Kedungdoro atas nama Anda" in home
    assert "berakhiran 3344" in home
    owner.post(f"{reverse('web:merchant-consent')}?toko={shop.pk}")
    shop.refresh_from_db()
    assert shop.owner_consented_at is not None
    assert "Dikonfirmasi pemilik" in text_of(colleague.get(shop_page))
    colleague.post(reverse("web:officer-merchant-decide", args=[shop.pk, "verify"]))
    shop.refresh_from_db()
    assert shop.status == "verified"
    assert AuditEntry.objects.filter(action="merchant.owner_consent", actor=shop.owner).exists()


def test_a_draft_tells_the_owner_its_state_and_the_next_step():
    person = factories.warga().user
    shop = factories.merchant(KEDUNGDORO, status="draft", owner=person)
    page = text_of(signed_in(person).get(f"{reverse('web:merchant-home')}?toko={shop.pk}"))
    assert "masih draf dan belum tampil untuk pembeli" in page
    assert "Langkah berikutnya" in page and "Ajukan verifikasi" in page


def test_a_bank_change_keeps_the_shop_selling_and_shows_the_hold_on_both_sides():
    shop = factories.merchant(KEDUNGDORO, status="verified")
    owner = signed_in(shop.owner)
    url = f"{reverse('web:merchant-edit')}?toko={shop.pk}"
    form = {
        "name": shop.name,
        "kind": "toko_kelontong",
        "line": "",
        "phone": shop.phone,
        "address": shop.address,
        "kelurahan_code": KEDUNGDORO,
        "open_days": ["senin"],
        "opens_at": "07:00",
        "closes_at": "20:00",
        "nib": "",
        "bank_code": "BCA",
        "account_number": "5550001111",
        "holder_name": shop.owner.full_name,
    }
    saved = owner.post(url, form, follow=True)
    assert "pencairan ke rekening baru ditahan" in text_of(saved)
    shop.refresh_from_db()
    assert shop.status == "verified" and shop.bank_account.is_payout_held
    assert "Pencairan ditahan" in text_of(saved)
    officer = signed_in(factories.officer(kelurahan_code=KEDUNGDORO))
    page = text_of(officer.get(reverse("web:officer-merchant", args=[shop.pk])))
    assert "rekening baru belum dikonfirmasi" in page
    officer.post(reverse("web:officer-bank-confirm", args=[shop.pk]))
    shop.bank_account.refresh_from_db()
    assert not shop.bank_account.is_payout_held
