"""The monthly cap as a shop, an officer and the city see it; the city's switches."""

import pytest

import factories
from factories import KEDUNGDORO
from peken.core.models import AuditEntry
from peken.quotas.models import MerchantMonthQuota

pytestmark = pytest.mark.django_db


def buy(api, buyer, product, quantity=1):
    payload = {
        "items": [{"product_id": product.pk, "quantity": quantity}],
        "fulfilment": "pickup",
    }
    return api(buyer).post("/checkout", payload)


def test_quota_shows_cap_used_and_remaining_for_the_current_month(api):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, price=2_500_000, stock=100)
    buy(api, factories.asn(), rice, 5)
    body = api(shop.owner).get(f"/merchants/{shop.pk}/quota").json()
    assert body["cap"] == 30_000_000 and body["used"] == 12_500_000
    assert body["remaining"] == 17_500_000 and len(body["month"]) == 7
    empty = api(shop.owner).get(f"/merchants/{shop.pk}/quota", {"month": "2020-01"}).json()
    assert empty == {"month": "2020-01", "cap": 30_000_000, "used": 0, "remaining": 30_000_000}
    bad = api(shop.owner).get(f"/merchants/{shop.pk}/quota", {"month": "2020-13"})
    assert bad.status_code == 422


def test_who_may_see_a_quota(api, city_admin, auditor):
    shop = factories.merchant(KEDUNGDORO)
    allowed = [
        shop.owner,
        factories.officer(kelurahan_code=KEDUNGDORO),
        factories.officer(kecamatan_code="35.78.05"),
        city_admin,
        auditor,
    ]
    for person in allowed:
        assert api(person).get(f"/merchants/{shop.pk}/quota").status_code == 200
    outside = factories.officer(kelurahan_code="35.78.01.1001")
    assert api(outside).get(f"/merchants/{shop.pk}/quota").status_code == 403
    other_owner = factories.merchant(KEDUNGDORO).owner
    assert api(other_owner).get(f"/merchants/{shop.pk}/quota").status_code == 403
    assert api(factories.asn()).get(f"/merchants/{shop.pk}/quota").status_code == 403


def test_a_city_admin_sets_a_shops_own_cap_and_it_is_audited(api, city_admin):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, price=1_000_000, stock=100)
    buy(api, factories.asn(), rice, 3)
    response = api(city_admin).put(f"/admin/merchants/{shop.pk}/cap", {"cap": 5_000_000})
    assert response.status_code == 200
    assert response.json() | {"month": ""} == {
        "month": "",
        "cap": 5_000_000,
        "used": 3_000_000,
        "remaining": 2_000_000,
    }
    assert AuditEntry.objects.get(action="quota.cap_set").after == {"cap": 5_000_000}
    # Lowered below what is already reserved: the shop keeps its orders and takes no more.
    api(city_admin).put(f"/admin/merchants/{shop.pk}/cap", {"cap": 1_000_000})
    row = MerchantMonthQuota.objects.get(merchant=shop)
    assert (row.cap, row.used) == (3_000_000, 3_000_000)
    assert buy(api, factories.asn(), rice).json()["code"] == "merchant_cap_reached"
    back = api(city_admin).put(f"/admin/merchants/{shop.pk}/cap", {"cap": None}).json()
    assert back["cap"] == 30_000_000
    for bad in (0, -5, 1.5, "5jt"):
        assert (
            api(city_admin).put(f"/admin/merchants/{shop.pk}/cap", {"cap": bad}).status_code == 422
        )
    officer = factories.officer(kelurahan_code=KEDUNGDORO)
    assert api(officer).put(f"/admin/merchants/{shop.pk}/cap", {"cap": 1}).status_code == 403


def test_a_new_default_cap_reaches_this_month_of_shops_without_their_own(api, city_admin):
    plain, special = factories.merchant(KEDUNGDORO), factories.merchant(KEDUNGDORO)
    for shop in (plain, special):
        buy(api, factories.asn(), factories.product(shop, price=100_000))
    api(city_admin).put(f"/admin/merchants/{special.pk}/cap", {"cap": 9_000_000})
    response = api(city_admin).put("/admin/policy", {"default_cap": 20_000_000})
    assert response.status_code == 200 and response.json()["default_cap"] == 20_000_000
    caps = dict(MerchantMonthQuota.objects.values_list("merchant_id", "cap"))
    assert caps == {plain.pk: 20_000_000, special.pk: 9_000_000}
    entry = AuditEntry.objects.get(action="policy.update")
    assert entry.before == {"default_cap": 30_000_000} and entry.after == {
        "default_cap": 20_000_000
    }


def test_policy_is_for_city_admins(api, auditor):
    assert api(auditor).get("/admin/policy").status_code == 200
    assert api(auditor).put("/admin/policy", {"fair_ranking": False}).status_code == 403
    assert api(factories.asn()).get("/admin/policy").status_code == 403


@pytest.mark.parametrize(
    "payload", [{"default_cap": 0}, {"default_cap": "banyak"}, {"payment_timeout_minutes": 1}]
)
def test_bad_policy_values_are_422(api, city_admin, payload):
    assert api(city_admin).put("/admin/policy", payload).status_code == 422
