"""Officer pages: the verification queue, a shop's review and decisions, a toko registered for
its owner, and complaints decided — each only inside the officer's own area."""

import pytest
from django.test import Client
from django.urls import reverse

import factories
from factories import KARANG_PILANG
from payment_steps import KEDUNGDORO, charge, complete, pay, two_shop_checkout
from peken.core.models import AuditEntry
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.payments.complaints import complaint_open
from peken.payments.models import Complaint

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def shop_page(merchant) -> str:
    return reverse("web:officer-merchant", args=[merchant.pk])


def decide(client, merchant, action, reason=""):
    return client.post(
        reverse("web:officer-merchant-decide", args=[merchant.pk, action]),
        {"reason": reason},
        headers={"Referer": "http://testserver" + shop_page(merchant)},
        follow=True,
    )


def status_of(merchant) -> str:
    return Merchant.objects.get(pk=merchant.pk).status


@pytest.fixture
def officer():
    return factories.officer(kelurahan_code=KEDUNGDORO)


@pytest.fixture
def outsider():
    return factories.officer(kelurahan_code=KARANG_PILANG)


# --- queue ------------------------------------------------------------------------------------


def test_the_queue_shows_submitted_shops_of_the_area_with_the_nik_masked(officer):
    waiting = factories.merchant(KEDUNGDORO, status="submitted", name="Toko Bu Ani")
    factories.merchant(KEDUNGDORO, status="verified", name="Toko Sudah Jalan")
    factories.merchant(KARANG_PILANG, status="submitted", name="Toko Wilayah Lain")
    page = signed_in(officer).get(reverse("web:officer-queue"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Toko Bu Ani" in html and waiting.owner.full_name in html
    assert "Toko Sudah Jalan" not in html and "Toko Wilayah Lain" not in html
    assert waiting.owner.masked_nik in html and waiting.owner.nik not in html
    assert "Toko kelontong" in html and "Kedungdoro" in html


def test_the_queue_filters_by_status(officer):
    factories.merchant(KEDUNGDORO, status="submitted", name="Toko Menunggu")
    factories.merchant(KEDUNGDORO, status="suspended", name="Toko Beku")
    html = signed_in(officer).get(reverse("web:officer-queue"), {"status": "suspended"})
    assert "Toko Beku" in html.content.decode()
    assert "Toko Menunggu" not in html.content.decode()


def test_a_kecamatan_officer_sees_every_kelurahan_of_the_kecamatan():
    camat_officer = factories.officer(kecamatan_code="35.78.05")
    factories.merchant(KEDUNGDORO, status="submitted", name="Toko Kedungdoro")
    html = signed_in(camat_officer).get(reverse("web:officer-queue")).content.decode()
    assert "Toko Kedungdoro" in html


@pytest.mark.parametrize("role", ["warga", "asn", "merchant", "opd_admin"])
def test_only_officers_and_city_admins_open_the_officer_pages(role):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    client = signed_in(factories.person_with(role))
    assert client.get(reverse("web:officer-queue")).status_code == 403
    assert client.get(shop_page(shop)).status_code == 403
    assert decide(client, shop, "verify").status_code == 403
    assert client.get(reverse("web:officer-complaints")).status_code == 403
    assert status_of(shop) == "submitted"


def test_a_visitor_is_sent_to_log_in():
    response = Client().get(reverse("web:officer-queue"))
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_a_city_admin_sees_the_whole_city(city_admin):
    factories.merchant(KARANG_PILANG, status="submitted", name="Toko Karang Pilang")
    html = signed_in(city_admin).get(reverse("web:officer-queue")).content.decode()
    assert "Toko Karang Pilang" in html


def test_the_queue_costs_the_same_queries_for_many_shops(officer, django_assert_max_num_queries):
    for _ in range(3):
        factories.merchant(KEDUNGDORO, status="submitted")
    client = signed_in(officer)
    client.get(reverse("web:officer-queue"))  # session and caches warmed alike for both
    with django_assert_max_num_queries(8):
        assert client.get(reverse("web:officer-queue")).status_code == 200
    for _ in range(12):
        factories.merchant(KEDUNGDORO, status="submitted")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("web:officer-queue")).content.decode().count("<li>") >= 15


# --- one shop ---------------------------------------------------------------------------------


def test_the_shop_page_shows_what_the_officer_checks(officer):
    shop = factories.merchant(
        KEDUNGDORO, status="submitted", nib="1234567890123", is_mbr=True, name="Warung Bu Sri"
    )
    factories.product(shop, name="Sambal Pecel Bu Sri", price=15_000)
    html = signed_in(officer).get(shop_page(shop)).content.decode()
    assert "Warung Bu Sri" in html and "Sambal Pecel Bu Sri" in html and "Rp 15.000" in html
    assert "1234567890123" in html  # NIB
    assert "*********9012" in html and "0123456789012" not in html  # account number masked
    assert shop.owner.nik in html  # an officer of the area checks the KTP: NIK in clear
    assert "Setujui dan verifikasi" in html and "Alasan penolakan" in html


def test_a_shop_outside_the_area_is_not_found(outsider):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    assert signed_in(outsider).get(shop_page(shop)).status_code == 404


def test_approving_verifies_the_shop_and_audits_it(officer):
    shop = factories.merchant(KEDUNGDORO, status="submitted", name="Toko Bu Ani")
    page = decide(signed_in(officer), shop, "verify")
    assert page.status_code == 200
    assert "Toko Bu Ani terverifikasi" in page.content.decode()
    assert status_of(shop) == "verified"
    assert AuditEntry.objects.filter(action="merchant.verify", actor=officer).exists()


def test_rejecting_without_a_reason_is_refused_in_indonesian(officer):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    page = decide(signed_in(officer), shop, "reject", reason="  ")
    assert "Tuliskan alasannya" in page.content.decode()
    assert status_of(shop) == "submitted"


def test_rejecting_with_a_reason_tells_the_owner_why(officer):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    decide(signed_in(officer), shop, "reject", reason="Foto toko tidak jelas.")
    shop.refresh_from_db()
    assert (shop.status, shop.status_reason) == ("rejected", "Foto toko tidak jelas.")


def test_suspending_and_reinstating_a_verified_shop(officer):
    shop = factories.merchant(KEDUNGDORO, status="verified")
    client = signed_in(officer)
    assert "Bekukan" in client.get(shop_page(shop)).content.decode()
    decide(client, shop, "suspend", reason="Menjual barang terlarang.")
    assert status_of(shop) == "suspended"
    assert "Aktifkan kembali" in client.get(shop_page(shop)).content.decode()
    decide(client, shop, "reinstate")
    assert status_of(shop) == "verified"


def test_a_decision_that_no_longer_fits_the_status_is_told(officer):
    shop = factories.merchant(KEDUNGDORO, status="verified")
    page = decide(signed_in(officer), shop, "verify")
    assert "tidak dapat diverifikasi" in page.content.decode()
    assert status_of(shop) == "verified"


def test_an_officer_of_another_area_cannot_decide(outsider):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    response = signed_in(outsider).post(
        reverse("web:officer-merchant-decide", args=[shop.pk, "verify"])
    )
    assert response.status_code == 403
    assert status_of(shop) == "submitted"


def test_an_unknown_decision_is_not_found(officer):
    shop = factories.merchant(KEDUNGDORO, status="submitted")
    response = signed_in(officer).post(
        reverse("web:officer-merchant-decide", args=[shop.pk, "submit"])
    )
    assert response.status_code == 404 and status_of(shop) == "submitted"


# --- registering for an owner -----------------------------------------------------------------


registration = factories.officer_registration


def test_the_register_form_offers_only_the_officers_kelurahan(officer):
    html = signed_in(officer).get(reverse("web:officer-register")).content.decode()
    assert f'value="{KEDUNGDORO}"' in html
    assert f'value="{KARANG_PILANG}"' not in html


def test_registering_puts_the_toko_in_the_queue(officer):
    response = signed_in(officer).post(reverse("web:officer-register"), registration())
    shop = Merchant.objects.get(name="Toko Bu Siti")
    assert response.status_code == 302 and response["Location"] == shop_page(shop)
    assert shop.status == "submitted" and shop.registered_by == officer
    assert shop.owner.full_name == "Siti Aminah" and not shop.owner.has_usable_password()
    assert shop.bank_account.account_number == "0011223344"


def test_a_wrong_nik_is_shown_on_the_form_and_nothing_is_made(officer):
    response = signed_in(officer).post(
        reverse("web:officer-register"), registration(owner_nik="1234")
    )
    assert response.status_code == 422
    assert "NIK harus 16 angka." in response.content.decode()
    assert 'value="Toko Bu Siti"' in response.content.decode()  # what was typed stays
    assert not Merchant.objects.filter(name="Toko Bu Siti").exists()


def test_an_unknown_bank_account_number_is_shown_on_the_form(officer):
    response = signed_in(officer).post(
        reverse("web:officer-register"), registration(account_number="12")
    )
    assert "Nomor rekening harus 6 sampai 20 angka." in response.content.decode()
    assert not Merchant.objects.exists()


def test_registering_outside_the_area_is_refused(officer):
    response = signed_in(officer).post(
        reverse("web:officer-register"), registration(kelurahan_code=KARANG_PILANG)
    )
    assert response.status_code == 422
    assert not Merchant.objects.exists()


# --- complaints -------------------------------------------------------------------------------


def complained_order(description="Berasnya basah dan berkutu."):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    order = complete(Order.objects.get(pk=orders[0].pk))
    complaint = complaint_open(
        buyer=order.buyer, order=order, reason="damaged", description=description
    )
    return order, complaint


def complaint_page(complaint) -> str:
    return reverse("web:officer-complaint", args=[complaint.pk])


def test_the_complaint_list_shows_the_area_only(officer, outsider):
    _order, complaint = complained_order()
    html = signed_in(officer).get(reverse("web:officer-complaints")).content.decode()
    assert f"Komplain #{complaint.pk}" in html and "Barang rusak" in html
    other = signed_in(outsider).get(reverse("web:officer-complaints")).content.decode()
    assert f"Komplain #{complaint.pk}" not in other
    assert signed_in(outsider).get(complaint_page(complaint)).status_code == 404
    decision = {"choice": "refund", "amount": "1000", "note": "Bukan wilayah saya."}
    assert signed_in(outsider).post(complaint_page(complaint), decision).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).status == "open"


def test_the_complaint_page_shows_the_order_and_offers_its_remaining_total(officer):
    order, complaint = complained_order()
    html = signed_in(officer).get(complaint_page(complaint)).content.decode()
    assert "Berasnya basah dan berkutu." in html and "Beras 5 kg" in html
    assert f'name="amount" min="1" max="{order.total}"' in html
    assert f'value="{order.total}"' in html


def test_an_officer_refunds_part_of_an_order(officer):
    order, complaint = complained_order()
    response = signed_in(officer).post(
        complaint_page(complaint),
        {"choice": "refund", "amount": "50.000", "note": "Setengah beras rusak."},
        follow=True,
    )
    complaint.refresh_from_db()
    assert complaint.status == "refunded" and complaint.refund.amount == 50_000
    assert "Rp 50.000 dikembalikan" in response.content.decode()


def test_a_refund_beyond_the_order_is_refused_in_indonesian(officer):
    order, complaint = complained_order()
    response = signed_in(officer).post(
        complaint_page(complaint),
        {"choice": "refund", "amount": str(order.total + 1), "note": "Kembalikan semua."},
    )
    assert response.status_code == 422
    assert "Sisa nilai pesanan yang dapat dikembalikan" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == "open"


def test_a_decision_needs_a_note(officer):
    _order, complaint = complained_order()
    response = signed_in(officer).post(
        complaint_page(complaint), {"choice": "reject", "amount": "", "note": ""}
    )
    assert "Catatan keputusan: Tulis 5 sampai 500 huruf." in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == "open"


def test_rejecting_a_complaint_refunds_nothing(officer):
    _order, complaint = complained_order()
    signed_in(officer).post(
        complaint_page(complaint),
        {"choice": "reject", "amount": "100000", "note": "Foto menunjukkan beras baik."},
    )
    complaint.refresh_from_db()
    assert complaint.status == "rejected" and complaint.refund is None


def test_the_complaint_list_costs_the_same_queries_for_many(officer, django_assert_max_num_queries):
    complained_order()
    client = signed_in(officer)
    client.get(reverse("web:officer-complaints"))
    with django_assert_max_num_queries(8):
        client.get(reverse("web:officer-complaints"))
    for _ in range(3):
        complained_order()
    with django_assert_max_num_queries(8):
        html = client.get(reverse("web:officer-complaints")).content.decode()
    assert html.count("Komplain #") == 4
