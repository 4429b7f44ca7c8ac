"""Issue 17, item 7: the shop's payout bank account number is shown in full only to the shop's
owner; officers, city admins and auditors see its last 4 digits in the API."""

import pytest

import factories
from peken.accounts.models import Role

pytestmark = pytest.mark.django_db

FULL = "0123456789012"  # factories.merchant's account number
MASKED = "*********9012"


def test_the_owner_sees_the_full_number(api):
    shop = factories.merchant()
    body = api(shop.owner).get("/my/merchants").json()
    assert body[0]["bank"]["account_number"] == FULL


@pytest.mark.parametrize("who", ["officer", "city_admin", "auditor"])
def test_others_see_only_the_last_four_digits(api, who):
    shop = factories.merchant()
    viewer = {
        "officer": lambda: factories.officer(kelurahan_code=shop.kelurahan.code),
        "city_admin": lambda: factories.user(None, Role.CITY_ADMIN),
        "auditor": lambda: factories.user(None, Role.AUDITOR),
    }[who]()
    client = api(viewer)
    one = client.get(f"/officer/merchants/{shop.pk}")
    listed = client.get("/officer/merchants")
    seen = [r.content.decode() for r in (one, listed) if r.status_code == 200]
    assert seen, (one.status_code, listed.status_code)
    assert all(FULL not in text for text in seen)
    assert any(MASKED in text for text in seen)


def test_an_auditor_cannot_open_a_shop(api):
    """Issue 17, item 7: the auditor reads everything and changes nothing."""
    from peken.merchants.models import Merchant

    payload = {
        "name": "Toko Auditor",
        "kind": "toko_kelontong",
        "phone": "081234500001",
        "address": "Jl. Kedungdoro No. 12",
        "kelurahan_code": "35.78.05.1003",
        "bank": {"bank_code": "BRI", "account_number": "001201001234", "holder_name": "Audit"},
        "owner_nik": factories.valid_nik(),
    }
    response = api(factories.user(None, Role.AUDITOR)).post("/my/merchants", payload)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Merchant.objects.exists()
