"""Trust in verification and payouts: four eyes, the owner's consent, re-review after changes."""

import pytest
from django.test import Client
from django.urls import reverse

import factories
from factories import KARANG_PILANG, KEDUNGDORO, KEPUTRAN, TEGALSARI
from payment_steps import charge, complete, pay, two_shop_checkout
from peken.core.models import AuditEntry
from peken.ledger.selectors import merchant_balance
from peken.merchants.models import BankAccount, Merchant
from peken.payouts.selectors import payouts_held
from peken.payouts.services import payouts_daily

pytestmark = pytest.mark.django_db


def shop_for_owner(**changes):
    payload = {
        "name": "Warung Mbok Yem",
        "kind": "toko_kelontong",
        "phone": "081234500001",
        "address": "Jl. Kedungdoro No. 12",
        "kelurahan_code": KEDUNGDORO,
        "bank": {"bank_code": "BRI", "account_number": "0012-0100-1234", "holder_name": "Yem"},
        "owner_full_name": "Mbok Yem",
        "owner_nik": factories.valid_nik(female=True),
        "owner_phone": "085712345678",
    }
    payload.update(changes)
    return payload


def registered_by(api, officer, **changes) -> dict:
    created = api(officer).post("/officer/merchants", shop_for_owner(**changes))
    assert created.status_code == 201, created.content
    return created.json()


def test_an_officer_cannot_register_a_shop_outside_their_area(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    response = api(officer).post("/officer/merchants", shop_for_owner(kelurahan_code=KARANG_PILANG))
    assert response.status_code == 403 and response.json()["code"] == "outside_area"
    assert not Merchant.objects.exists()


def test_the_registering_officer_cannot_verify_even_with_consent(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    shop = registered_by(api, officer)
    owner = Merchant.objects.get(pk=shop["id"]).owner
    assert api(owner).post(f"/my/merchants/{shop['id']}/consent").status_code == 200
    response = api(officer).post(f"/officer/merchants/{shop['id']}/verify")
    assert response.status_code == 403 and response.json()["code"] == "second_person_required"
    assert Merchant.objects.get(pk=shop["id"]).status == "submitted"


def test_an_officer_cannot_verify_their_own_shop(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    merchant = factories.merchant(KEDUNGDORO, status="submitted", owner=officer)
    response = api(officer).post(f"/officer/merchants/{merchant.pk}/verify")
    assert response.status_code == 403 and response.json()["code"] == "second_person_required"
    merchant.refresh_from_db()
    assert merchant.status == "submitted"


def test_no_verification_before_the_owner_consents(api):
    registrar = factories.officer(kelurahan_code=KEDUNGDORO)
    colleague = factories.officer(kecamatan_code=TEGALSARI)
    shop = registered_by(api, registrar)
    assert shop["owner_consented_at"] is None
    response = api(colleague).post(f"/officer/merchants/{shop['id']}/verify")
    assert response.status_code == 409 and response.json()["code"] == "owner_consent_missing"
    assert Merchant.objects.get(pk=shop["id"]).status == "submitted"


def test_with_consent_a_second_officer_verifies(api):
    registrar = factories.officer(kelurahan_code=KEDUNGDORO)
    colleague = factories.officer(kecamatan_code=TEGALSARI)
    shop = registered_by(api, registrar)
    owner = Merchant.objects.get(pk=shop["id"]).owner
    stranger = factories.user(None)
    assert api(stranger).post(f"/my/merchants/{shop['id']}/consent").status_code == 404
    consented = api(owner).post(f"/my/merchants/{shop['id']}/consent")
    assert consented.status_code == 200 and consented.json()["owner_consented_at"]
    response = api(colleague).post(f"/officer/merchants/{shop['id']}/verify")
    assert response.status_code == 200 and response.json()["status"] == "verified"
    actions = list(
        AuditEntry.objects.filter(target_id=str(shop["id"]))
        .order_by("id")
        .values_list("action", "actor_id")
    )
    assert actions == [
        ("merchant.register_for_owner", registrar.pk),
        ("merchant.owner_consent", owner.pk),
        ("merchant.verify", colleague.pk),
    ]


def test_a_bank_change_by_an_officer_after_consent_needs_consent_again(api):
    registrar = factories.officer(kelurahan_code=KEDUNGDORO)
    colleague = factories.officer(kecamatan_code=TEGALSARI)
    shop = registered_by(api, registrar)
    merchant = Merchant.objects.get(pk=shop["id"])
    api(merchant.owner).post(f"/my/merchants/{shop['id']}/consent")
    from peken.merchants.services import MerchantDetails, merchant_update

    details = MerchantDetails(
        name="Warung Mbok Yem",
        kind="toko_kelontong",
        phone="081234500001",
        address="Jl. Kedungdoro No. 12",
        kelurahan_code=KEDUNGDORO,
        bank_code="BCA",
        account_number="9999999999",
        holder_name="Orang Lain",
    )
    merchant_update(actor=registrar, merchant=merchant, details=details)
    response = api(colleague).post(f"/officer/merchants/{shop['id']}/verify")
    assert response.status_code == 409 and response.json()["code"] == "owner_consent_missing"


def owner_payload(merchant, **changes):
    payload = {
        "name": merchant.name,
        "kind": merchant.kind,
        "phone": merchant.phone,
        "address": merchant.address,
        "kelurahan_code": merchant.kelurahan.code,
        "bank": {"bank_code": "BRI", "account_number": "0123456789012", "holder_name": "Sri"},
    }
    payload.update(changes)
    return payload


def test_a_new_bank_account_holds_payouts_until_an_officer_confirms(api, city_admin):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    complete(orders[0])
    shop = orders[0].merchant
    owed = merchant_balance(shop.pk)
    changed = api(shop.owner).put(
        f"/my/merchants/{shop.pk}",
        owner_payload(
            shop,
            bank={"bank_code": "BCA", "account_number": "5550001111", "holder_name": "Sri Rejeki"},
        ),
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "verified" and changed.json()["is_payout_held"] is True

    assert payouts_daily() is None  # the only owed shop is held
    assert merchant_balance(shop.pk) == owed
    [held] = payouts_held()
    assert held.merchant == shop and held.balance == owed and "belum dikonfirmasi" in held.reason

    admin = Client()
    admin.force_login(city_admin)
    listing = admin.get(reverse("admin:payouts_payoutbatch_changelist")).content.decode()
    assert "Pencairan ditahan (1 toko)" in listing and shop.name in listing

    assert api(shop.owner).post(f"/officer/merchants/{shop.pk}/confirm-bank").status_code == 403
    officer = factories.officer(kelurahan_code=shop.kelurahan.code)
    confirmed = api(officer).post(f"/officer/merchants/{shop.pk}/confirm-bank")
    assert confirmed.status_code == 200 and confirmed.json()["is_payout_held"] is False
    assert AuditEntry.objects.filter(action="merchant.bank_confirm", actor=officer).exists()
    payout = payouts_daily().payouts.get()
    assert payout.account_number == "5550001111" and payout.amount == owed


def test_a_move_to_another_kelurahan_returns_the_shop_to_review(api):
    merchant = factories.merchant(KEDUNGDORO, status="verified")
    moved = api(merchant.owner).put(
        f"/my/merchants/{merchant.pk}", owner_payload(merchant, kelurahan_code=KEPUTRAN)
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "submitted"
    assert api().get(f"/merchants/{merchant.pk}").status_code == 404  # no longer sells
    assert not BankAccount.objects.get(merchant=merchant).is_payout_held
    entry = AuditEntry.objects.get(action="merchant.update", target_id=str(merchant.pk))
    assert entry.after["status"] == "submitted" and entry.after["kelurahan"]
    new_officer = factories.officer(kelurahan_code=KEPUTRAN)
    verified = api(new_officer).post(f"/officer/merchants/{merchant.pk}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"


def test_an_unchanged_save_keeps_a_verified_shop_selling_and_paid(api):
    merchant = factories.merchant(KEDUNGDORO, status="verified")
    saved = api(merchant.owner).put(
        f"/my/merchants/{merchant.pk}",
        owner_payload(
            merchant,
            bank={
                "bank_code": "BRI",
                "account_number": "0123456789012",
                "holder_name": merchant.owner.full_name,
            },
        ),
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "verified" and saved.json()["is_payout_held"] is False


def test_an_auditor_cannot_open_a_shop_by_any_door():
    """The web's registration and the API both end in merchant_register: the refusal is there."""
    from peken.accounts.models import Role
    from peken.core.errors import PermissionDenied
    from peken.merchants.services import MerchantDetails, merchant_register

    auditor = factories.user(None, Role.AUDITOR)
    details = MerchantDetails(
        name="Toko Auditor",
        kind="toko_kelontong",
        phone="081234500001",
        address="Jl. Kedungdoro No. 12",
        kelurahan_code=KEDUNGDORO,
        bank_code="BRI",
        account_number="001201001234",
        holder_name="Audit",
    )
    with pytest.raises(PermissionDenied):
        merchant_register(actor=auditor, details=details, owner_nik=factories.valid_nik())
    assert not Merchant.objects.exists()
