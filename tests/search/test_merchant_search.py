"""merchant_search on a real database: keywords over name and description, filters, sorts."""

import datetime as dt

import pytest
from django.utils import timezone

import factories
from factories import KEDUNGDORO, PAKAL
from peken.catalog.search import merchant_search
from peken.merchants.models import Merchant

pytestmark = pytest.mark.django_db


def names(page) -> list[str]:
    return [item.name for item in page.items]


def test_keywords_search_the_name(catalog):
    assert names(merchant_search(q="bu sri")) == ["Toko Bu Sri"]


def test_keywords_search_the_description(catalog):
    assert names(merchant_search(q="sembako lengkap")) == ["Toko Bu Sri"]


def test_a_typo_in_a_shop_name_still_finds_it(catalog):
    found = merchant_search(q="warung pak darno")
    assert names(found) == ["Warung Pak Darmo"]
    assert found.is_fuzzy


def test_without_keywords_shops_are_listed_by_name(catalog):
    assert names(merchant_search()) == ["Batik Mbak Rini", "Toko Bu Sri", "Warung Pak Darmo"]


def test_filter_by_kind_and_line(catalog):
    assert names(merchant_search(kind="umkm")) == ["Batik Mbak Rini"]
    assert names(merchant_search(line="kerajinan")) == ["Batik Mbak Rini"]
    assert merchant_search(line="kuliner").total == 0
    assert names(merchant_search(kind="toko_kelontong")) == ["Toko Bu Sri", "Warung Pak Darmo"]


def test_filter_by_kecamatan_and_kelurahan(catalog):
    assert names(merchant_search(kecamatan="35.78.30")) == ["Warung Pak Darmo"]
    assert names(merchant_search(kelurahan=KEDUNGDORO)) == ["Toko Bu Sri"]


def test_sort_newest(catalog):
    Merchant.objects.filter(pk=catalog.pak_darmo.pk).update(
        created_at=timezone.now() + dt.timedelta(days=1)
    )
    assert names(merchant_search(sort="newest"))[0] == "Warung Pak Darmo"


def test_sort_nearest(catalog):
    assert names(merchant_search(sort="nearest", near_kelurahan=KEDUNGDORO)) == [
        "Toko Bu Sri",
        "Batik Mbak Rini",
        "Warung Pak Darmo",
    ]
    assert names(merchant_search(sort="nearest", near_kelurahan=PAKAL))[0] == "Warung Pak Darmo"


def test_relevance_is_the_default_with_keywords(catalog):
    factories.merchant(KEDUNGDORO, name="Toko Kue Basah", description="Kue basah dan kue kering")
    factories.merchant(KEDUNGDORO, name="Aneka Jajan", description="Ada kue juga")
    assert names(merchant_search(q="kue")) == ["Toko Kue Basah", "Aneka Jajan"]
    assert names(merchant_search(q="kue", sort="name")) == ["Aneka Jajan", "Toko Kue Basah"]


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "suspended"])
def test_shops_not_verified_are_found_by_nobody(catalog, status):
    factories.merchant(KEDUNGDORO, status=status, name="Toko Tersembunyi")
    assert merchant_search(q="tersembunyi").total == 0
    assert "Toko Tersembunyi" not in names(merchant_search(kelurahan=KEDUNGDORO))
    assert merchant_search().total == 3
