"""What an ASN sees: shops at their cap are gone, and the order is local and fair."""

import pytest
from django.utils import timezone

import factories
from factories import KEDUNGDORO, KEPUTRAN
from peken.core.months import Month
from peken.policy.models import CityPolicy
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key

pytestmark = pytest.mark.django_db

GENTENG = "35.78.06.1001"  # Genteng: next to Tegalsari
BENOWO = "35.78.24.1001"  # far west of the city


def turnover(shop, used, cap=30_000_000):
    MerchantMonthQuota.objects.create(
        merchant=shop, month=month_key(Month.of(timezone.now())), cap=cap, used=used
    )


@pytest.fixture
def city():
    busy_here = factories.merchant(KEDUNGDORO, name="Toko Ramai")
    quiet_here = factories.merchant(KEDUNGDORO, name="Toko Sepi")
    same_kecamatan = factories.merchant(KEPUTRAN, name="Toko Keputran")
    far = factories.merchant(BENOWO, name="Toko Benowo")
    nearer = factories.merchant(GENTENG, name="Toko Genteng")
    turnover(busy_here, 5_000_000)
    turnover(same_kecamatan, 9_000_000)
    for shop in (busy_here, quiet_here, same_kecamatan, far, nearer):
        factories.product(shop, name=f"Beras di {shop.name}", price=70_000)
    return {
        "busy": busy_here,
        "quiet": quiet_here,
        "kec": same_kecamatan,
        "far": far,
        "near": nearer,
    }


def shop_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    return [item["merchant"]["name"] if "merchant" in item else item["name"] for item in items]


def test_asn_see_their_kelurahan_then_kecamatan_then_by_distance_small_turnover_first(api, city):
    buyer = factories.asn(KEDUNGDORO)
    expected = ["Toko Sepi", "Toko Ramai", "Toko Keputran", "Toko Genteng", "Toko Benowo"]
    assert shop_names(api(buyer).get("/merchants")) == expected
    assert shop_names(api(buyer).get("/products", {"q": "beras"})) == expected
    assert shop_names(api(buyer).get("/products")) == expected


def test_an_asn_living_outside_the_city_is_placed_at_their_workplace_kecamatan(api, city):
    buyer = factories.asn(None)  # works in Tegalsari (35.78.05)
    names = shop_names(api(buyer).get("/merchants"))
    assert names[:3] == ["Toko Sepi", "Toko Ramai", "Toko Keputran"]


def test_a_shop_at_its_cap_is_gone_for_asn_but_not_for_warga_or_visitors(api, city):
    MerchantMonthQuota.objects.filter(merchant=city["busy"]).update(cap=5_000_000)
    asn = factories.asn(KEDUNGDORO)
    assert "Toko Ramai" not in shop_names(api(asn).get("/merchants"))
    assert "Toko Ramai" not in shop_names(api(asn).get("/products", {"q": "beras"}))
    warga = factories.warga(KEDUNGDORO).user
    assert "Toko Ramai" in shop_names(api(warga).get("/products", {"q": "beras"}))
    assert "Toko Ramai" in shop_names(api().get("/merchants"))


def test_others_see_the_ordinary_order_and_cannot_ask_for_the_fair_one(api, city):
    warga = factories.warga(KEDUNGDORO).user
    names = shop_names(api(warga).get("/merchants"))
    assert names == sorted(names)  # by name
    response = api(warga).get("/merchants", {"sort": "fair"})
    assert response.status_code == 422


def test_the_city_can_switch_fair_ranking_off(api, city):
    CityPolicy.objects.create(pk=1, fair_ranking=False)
    buyer = factories.asn(KEDUNGDORO)
    names = shop_names(api(buyer).get("/merchants"))
    assert names == sorted(names)
    assert api(buyer).get("/merchants", {"sort": "fair"}).status_code == 422
    # The cap still holds with fair ranking off.
    MerchantMonthQuota.objects.filter(merchant=city["busy"]).update(cap=5_000_000)
    assert "Toko Ramai" not in shop_names(api(buyer).get("/merchants"))


def test_an_asn_may_still_choose_another_order(api, city):
    buyer = factories.asn(KEDUNGDORO)
    names = shop_names(api(buyer).get("/merchants", {"sort": "name"}))
    assert names == sorted(names)
