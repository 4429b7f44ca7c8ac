"""Merchant onboarding and verification: owners apply, officers of the area decide."""

import io

import pytest
from PIL import Image

import factories
from factories import KARANG_PILANG, KEDUNGDORO
from peken.accounts.models import Role, User
from peken.catalog.models import Product
from peken.core.models import AuditEntry
from peken.merchants.models import Merchant

pytestmark = pytest.mark.django_db


def shop_payload(**changes):
    payload = {
        "name": "Toko Bu Sri",
        "kind": "toko_kelontong",
        "phone": "081234500001",
        "address": "Jl. Kedungdoro No. 12",
        "kelurahan_code": KEDUNGDORO,
        "is_mbr": True,
        "opening_hours": {"senin": ["06:00", "21:00"], "minggu": ["07:00", "12:00"]},
        "bank": {"bank_code": "BRI", "account_number": "0012-0100-1234", "holder_name": "Sri"},
    }
    payload.update(changes)
    return payload


@pytest.fixture
def owner():
    return factories.user("srihartini", Role.WARGA, nik=factories.valid_nik(female=True))


def test_owner_registers_a_draft_submits_and_an_officer_verifies(api, owner):
    created = api(owner).post("/my/merchants", shop_payload())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["bank"]["account_number"] == "001201001234"
    assert body["opening_hours"] == {"senin": ["06:00", "21:00"], "minggu": ["07:00", "12:00"]}
    merchant_id = body["id"]
    assert User.objects.get(pk=owner.pk).has_role(Role.MERCHANT)
    assert api().get(f"/merchants/{merchant_id}").status_code == 404  # not yet public

    submitted = api(owner).post(f"/my/merchants/{merchant_id}/submit")
    assert submitted.json()["status"] == "submitted"

    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    queue = api(officer).get("/officer/merchants", {"status": "submitted"}).json()["items"]
    assert [item["id"] for item in queue] == [merchant_id]
    assert queue[0]["owner"]["nik"] != owner.nik  # a list never shows NIKs in clear
    shown = api(officer).get(f"/officer/merchants/{merchant_id}").json()
    assert shown["owner"]["nik"] == owner.nik  # the officer checks the KTP on the shop's page
    verified = api(officer).post(f"/officer/merchants/{merchant_id}/verify")
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    assert api().get(f"/merchants/{merchant_id}").json()["name"] == "Toko Bu Sri"
    actions = list(
        AuditEntry.objects.filter(target_type="merchants.Merchant", target_id=str(merchant_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["merchant.register", "merchant.submit", "merchant.verify"]


def test_rejection_carries_a_reason_the_owner_sees_and_they_may_resubmit(api, owner):
    merchant = factories.merchant(KEDUNGDORO, status="submitted", owner=owner)
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    without_reason = api(officer).post(f"/officer/merchants/{merchant.pk}/reject", {"reason": ""})
    assert without_reason.status_code == 422
    rejected = api(officer).post(
        f"/officer/merchants/{merchant.pk}/reject", {"reason": "Foto KTP tidak terbaca"}
    )
    assert rejected.json()["status"] == "rejected"
    mine = api(owner).get(f"/my/merchants/{merchant.pk}").json()
    assert mine["status_label"] == "Ditolak" and mine["status_reason"] == "Foto KTP tidak terbaca"
    assert api(owner).post(f"/my/merchants/{merchant.pk}/submit").json()["status"] == "submitted"
    assert api(owner).get(f"/my/merchants/{merchant.pk}").json()["status_reason"] == ""


def test_suspension_hides_a_shop_and_its_products_until_reinstated(api):
    merchant = factories.merchant(KEDUNGDORO)
    product = factories.product(merchant)
    officer = factories.officer(kecamatan_code="35.78.05")
    assert api().get(f"/merchants/{merchant.pk}").status_code == 200
    suspended = api(officer).post(
        f"/officer/merchants/{merchant.pk}/suspend", {"reason": "Menjual rokok berulang kali"}
    )
    assert suspended.json()["status"] == "suspended"
    assert api().get(f"/merchants/{merchant.pk}").status_code == 404
    from peken.catalog.selectors import products_visible

    assert not products_visible().filter(pk=product.pk).exists()
    api(officer).post(f"/officer/merchants/{merchant.pk}/reinstate")
    assert products_visible().filter(pk=product.pk).exists()


def test_an_officer_cannot_verify_outside_their_area(api):
    merchant = factories.merchant(KARANG_PILANG, status="submitted")
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    response = api(officer).post(f"/officer/merchants/{merchant.pk}/verify")
    assert response.status_code == 403
    assert response.json()["code"] == "outside_area"
    merchant.refresh_from_db()
    assert merchant.status == "submitted"
    assert api(officer).get("/officer/merchants").json()["items"] == []


@pytest.mark.parametrize("role", [Role.ASN, Role.WARGA, Role.MERCHANT, Role.AUDITOR])
def test_only_officers_and_city_admins_decide(api, role):
    merchant = factories.merchant(KEDUNGDORO, status="submitted")
    response = api(factories.user(None, role)).post(f"/officer/merchants/{merchant.pk}/verify")
    assert response.status_code == 403


def test_a_city_admin_decides_anywhere(api, city_admin):
    merchant = factories.merchant(KARANG_PILANG, status="submitted")
    assert api(city_admin).post(f"/officer/merchants/{merchant.pk}/verify").status_code == 200


@pytest.mark.parametrize(
    "status, action",
    [
        ("draft", "verify"),
        ("verified", "verify"),
        ("rejected", "reinstate"),
        ("submitted", "suspend"),
        ("suspended", "reject"),
    ],
)
def test_impossible_transitions_are_409_and_change_nothing(api, city_admin, status, action):
    merchant = factories.merchant(KEDUNGDORO, status=status)
    response = api(city_admin).post(
        f"/officer/merchants/{merchant.pk}/{action}", {"reason": "alasan cukup panjang"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "merchant_status_conflict"
    merchant.refresh_from_db()
    assert merchant.status == status


def test_an_officer_registers_a_toko_for_its_owner(api):
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    nik = factories.valid_nik(female=True)
    payload = {
        **shop_payload(name="Warung Mbok Yem"),
        "owner_full_name": "Mbok Yem",
        "owner_nik": nik,
        "owner_phone": "085712345678",
    }
    created = api(officer).post("/officer/merchants", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "submitted" and body["is_registered_by_officer"] is True
    owner = User.objects.get(nik=nik)
    assert owner.full_name == "Mbok Yem" and owner.has_role(Role.MERCHANT)
    assert nik not in owner.username
    elsewhere = api(officer).post(
        "/officer/merchants",
        {**payload, "kelurahan_code": KARANG_PILANG, "owner_nik": factories.valid_nik()},
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "outside_area"
    entry = AuditEntry.objects.get(action="merchant.register_for_owner")
    assert entry.actor == officer and nik not in str(entry.after)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kelurahan_code": "35.78.99.9999"}, "kelurahan_code"),
        ({"kind": "umkm", "line": ""}, "kind"),
        ({"kind": "toko_kelontong", "line": "kuliner"}, "kind"),
        ({"kind": "pabrik"}, "kind"),
        ({"name": "X"}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"nib": "12345"}, "nib"),
        ({"address": ""}, "address"),
        ({"opening_hours": {"senin": ["21:00", "06:00"]}}, "opening_hours"),
        ({"opening_hours": {"someday": ["06:00", "21:00"]}}, "opening_hours"),
        (
            {"bank": {"bank_code": "XYZ", "account_number": "123456", "holder_name": "Sri"}},
            "bank_account",
        ),
        (
            {"bank": {"bank_code": "BRI", "account_number": "12", "holder_name": "Sri"}},
            "bank_account",
        ),
    ],
)
def test_bad_merchant_input_is_422_naming_the_field_and_writes_nothing(api, owner, changes, field):
    response = api(owner).post("/my/merchants", shop_payload(**changes))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == field
    assert not Merchant.objects.exists()


def test_an_owner_without_nik_must_give_a_valid_one(api):
    person = factories.user("tanpanik")
    refused = api(person).post("/my/merchants", shop_payload(owner_nik="123"))
    assert refused.status_code == 422 and refused.json()["field"] == "owner_nik"
    nik = factories.valid_nik()
    assert api(person).post("/my/merchants", shop_payload(owner_nik=nik)).status_code == 201
    assert User.objects.get(pk=person.pk).nik == nik


def test_an_owner_sees_only_their_own_shops(api, owner):
    mine = factories.merchant(KEDUNGDORO, owner=owner, status="draft")
    theirs = factories.merchant(KEDUNGDORO, status="draft")
    assert [item["id"] for item in api(owner).get("/my/merchants").json()] == [mine.pk]
    assert api(owner).get(f"/my/merchants/{theirs.pk}").status_code == 404
    assert api(owner).put(f"/my/merchants/{theirs.pk}", shop_payload()).status_code == 404
    assert api(owner).post(f"/my/merchants/{theirs.pk}/submit").status_code == 404


def test_renaming_a_shop_renames_it_in_its_products_search_words(api, owner):
    merchant = factories.merchant(KEDUNGDORO, owner=owner, name="Toko Lama")
    product = factories.product(merchant, name="Gula Pasir 1 kg")
    response = api(owner).put(f"/my/merchants/{merchant.pk}", shop_payload(name="Toko Barokah"))
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert "Toko Barokah" in product.search_text and "Toko Lama" not in product.search_text
    entry = AuditEntry.objects.get(action="merchant.update")
    assert entry.before["name"] == "Toko Lama" and entry.after["name"] == "Toko Barokah"
    assert Product.objects.get(pk=product.pk).name == "Gula Pasir 1 kg"


def picture_bytes(image_format="JPEG", size=(800, 600)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=image_format)
    buffer.seek(0)
    return buffer


def upload_photo(api, user, merchant_id, data: io.BytesIO, name: str):
    data.name = name
    client = api(user)
    return client.client.post(
        f"/api/v1/my/merchants/{merchant_id}/photo", {"photo": data}, headers=client.headers
    )


def test_shop_photo_is_re_encoded(api, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    merchant = factories.merchant(KEDUNGDORO, owner=owner)
    response = upload_photo(api, owner, merchant.pk, picture_bytes("PNG", (3000, 2000)), "toko.png")
    assert response.status_code == 200, response.content
    merchant.refresh_from_db()
    with Image.open(merchant.photo.path) as stored:
        assert stored.format == "WEBP" and max(stored.size) <= 1600


@pytest.mark.parametrize(
    "data, name",
    [
        (io.BytesIO(b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"), "ktp.jpg"),
        (io.BytesIO(b"\xff\xd8\xff\xe0" + b"\x00" * 200), "rusak.jpg"),
    ],
    ids=["pdf-renamed-jpg", "truncated-jpeg"],
)
def test_what_is_not_a_photo_is_refused(api, owner, settings, tmp_path, data, name):
    settings.MEDIA_ROOT = tmp_path
    merchant = factories.merchant(KEDUNGDORO, owner=owner)
    response = upload_photo(api, owner, merchant.pk, data, name)
    assert response.status_code == 422
    assert response.json()["code"] == "image_invalid"
    merchant.refresh_from_db()
    assert not merchant.photo


def test_a_20_megabyte_photo_is_refused(api, owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    merchant = factories.merchant(KEDUNGDORO, owner=owner)
    big = io.BytesIO(picture_bytes().getvalue() + b"\x00" * (20 * 1024 * 1024))
    response = upload_photo(api, owner, merchant.pk, big, "besar.jpg")
    assert response.status_code == 422
    assert "terlalu besar" in response.json()["message"]
