"""product_search on a real database: keywords, typos, filters, sorts, pages, visibility."""

import datetime as dt

import pytest
from django.utils import timezone

import factories
from factories import GENTENG, KEDUNGDORO, PAKAL
from peken.catalog import search, search_distance, search_keywords
from peken.catalog.models import Product
from peken.catalog.search import product_search

pytestmark = pytest.mark.django_db


def names(page) -> list[str]:
    return [item.name for item in page.items]


def test_a_keyword_finds_that_staple_at_every_shop_selling_it(catalog):
    found = product_search(q="beras")
    assert {item.merchant.name for item in found.items} == {
        "Toko Bu Sri",
        "Warung Pak Darmo",
        "Batik Mbak Rini",
    }
    assert (found.total, found.total_is_exact) == (3, True)


def test_every_word_must_match(catalog):
    assert names(product_search(q="beras premium")) == ["Beras Premium 5 kg"]


def test_words_are_matched_whatever_their_case_and_punctuation(catalog):
    assert names(product_search(q="  GULA-pasir!! ")) == ["Gula Pasir 1 kg"]


@pytest.mark.parametrize("typo", ["bras", "berass", "beras pandn"])
def test_a_typo_still_finds_beras(catalog, typo):
    found = product_search(q=typo)
    assert found.is_fuzzy
    assert "Beras Pandan Wangi 5 kg" in names(found)
    assert "Gula Pasir 1 kg" not in names(found)


def test_filters_apply_to_close_spellings_too(catalog):
    found = product_search(q="bras", kecamatan="35.78.30")
    assert (names(found), found.is_fuzzy) == (["Beras Premium 5 kg"], True)
    assert product_search(q="bras", category="fashion").total == 0
    assert names(product_search(q="bras", in_stock=True, max_price=72_000)) == [
        "Beras Pandan Wangi 5 kg"
    ]


def test_close_spellings_follow_the_sort_asked_for(catalog):
    found = product_search(q="berass", sort="price_desc")
    assert found.is_fuzzy
    assert names(found) == [
        "Beras Premium 5 kg",
        "Beras Pandan Wangi 5 kg",
        "Beras Merah Organik 1 kg",
    ]


def test_few_hits_because_of_filters_are_no_typo(catalog):
    for number in range(search_keywords.FUZZY_BELOW):
        factories.product(catalog.pak_darmo, name=f"Beras Lokal {number}")
    found = product_search(q="beras", kelurahan=KEDUNGDORO)
    assert (names(found), found.is_fuzzy) == (["Beras Pandan Wangi 5 kg"], False)


def test_colloquial_spelling_telor_finds_telur(catalog):
    assert names(product_search(q="telor")) == ["Telur Ayam Negeri 1 kg"]


def test_with_few_exact_hits_close_spellings_follow_them(catalog):
    factories.product(catalog.bu_sri, name="Timbangan Berat Badan", category_slug="lainnya")
    found = product_search(q="beras")
    assert found.is_fuzzy  # three hits are few
    assert names(found)[-1] == "Timbangan Berat Badan"
    assert found.total == 4


def test_with_enough_exact_hits_no_close_spelling_is_searched(catalog):
    factories.product(catalog.bu_sri, name="Timbangan Berat Badan", category_slug="lainnya")
    for number in range(search_keywords.FUZZY_BELOW):
        factories.product(catalog.pak_darmo, name=f"Beras Lokal {number}")
    found = product_search(q="beras", page_size=50)
    assert not found.is_fuzzy
    assert "Timbangan Berat Badan" not in names(found)


def test_the_shop_name_finds_its_products(catalog):
    found = product_search(q="Toko Bu Sri")
    assert set(names(found)) == {"Beras Pandan Wangi 5 kg", "Telur Ayam Negeri 1 kg"}


def test_a_shorter_better_match_ranks_first(catalog):
    factories.product(
        catalog.pak_darmo,
        name="Nasi Kuning Komplit",
        description="Nasi dari beras pilihan dimasak dengan santan, kunyit, serai dan daun "
        "salam, disajikan dengan ayam goreng, telur pindang, perkedel, sambal dan kerupuk.",
        category_slug="kuliner",
    )
    found = product_search(q="beras")
    assert found.total == 4
    assert names(found)[-1] == "Nasi Kuning Komplit"


def test_nothing_matches_an_unknown_word(catalog):
    found = product_search(q="xylofon")
    assert (found.items, found.total) == ([], 0)


def test_no_keyword_lists_every_visible_product_newest_first(catalog):
    found = product_search()
    assert found.total == 6
    assert names(found)[0] == "Kain Batik Tulis Motif Suroboyo"


# --- filters ----------------------------------------------------------------------------------


def test_filter_by_category(catalog):
    assert names(product_search(category="fashion")) == ["Kain Batik Tulis Motif Suroboyo"]
    assert product_search(category="sembako").total == 5


def test_filter_by_merchant_kind(catalog):
    found = product_search(merchant_kind="umkm", sort="price_asc")
    assert names(found) == ["Beras Merah Organik 1 kg", "Kain Batik Tulis Motif Suroboyo"]


def test_filter_by_kecamatan_and_kelurahan(catalog):
    assert set(names(product_search(kecamatan="35.78.30"))) == {
        "Beras Premium 5 kg",
        "Gula Pasir 1 kg",
    }
    assert set(names(product_search(kelurahan=KEDUNGDORO))) == {
        "Beras Pandan Wangi 5 kg",
        "Telur Ayam Negeri 1 kg",
    }
    assert product_search(kelurahan=GENTENG, kecamatan="35.78.30").total == 0


def test_filter_by_price_range_bounds_included(catalog):
    found = product_search(min_price=28_000, max_price=72_000, sort="price_asc")
    assert names(found) == [
        "Telur Ayam Negeri 1 kg",
        "Beras Merah Organik 1 kg",
        "Beras Pandan Wangi 5 kg",
    ]


def test_in_stock_keeps_made_to_order_and_drops_sold_out(catalog):
    found = product_search(q="beras", in_stock=True)
    assert "Beras Merah Organik 1 kg" not in names(found)
    assert found.total == 2
    assert "Kain Batik Tulis Motif Suroboyo" in names(product_search(in_stock=True))


def test_filters_combine_with_keywords(catalog):
    found = product_search(q="beras", kecamatan="35.78.05", max_price=80_000)
    assert names(found) == ["Beras Pandan Wangi 5 kg"]


# --- sorts ------------------------------------------------------------------------------------


def test_sort_by_price_both_ways(catalog):
    ascending = names(product_search(q="beras", sort="price_asc"))
    assert ascending == [
        "Beras Merah Organik 1 kg",
        "Beras Pandan Wangi 5 kg",
        "Beras Premium 5 kg",
    ]
    assert names(product_search(q="beras", sort="price_desc")) == ascending[::-1]


def test_sort_newest(catalog):
    Product.objects.filter(pk=catalog.beras_darmo.pk).update(
        created_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert names(product_search(q="beras", sort="newest"))[0] == "Beras Premium 5 kg"


def test_sort_nearest_puts_the_shop_in_the_kelurahan_before_a_far_kecamatan(catalog):
    found = product_search(q="beras", sort="nearest", near_kelurahan=KEDUNGDORO)
    assert [item.merchant.name for item in found.items] == [
        "Toko Bu Sri",
        "Batik Mbak Rini",
        "Warung Pak Darmo",
    ]
    distances = [item.distance_km for item in found.items]
    assert distances[0] == 0 and 0 < distances[1] < 3 < 10 < distances[2] < 20


def test_sort_nearest_from_the_other_side_of_the_city(catalog):
    found = product_search(q="beras", sort="nearest", near_kelurahan=PAKAL)
    assert found.items[0].merchant.name == "Warung Pak Darmo"


def test_without_near_there_is_no_distance(catalog):
    assert product_search(q="beras").items[0].distance_km is None


# --- pages ------------------------------------------------------------------------------------


def test_pages_cover_every_hit_once(catalog):
    for number in range(4):
        factories.product(catalog.bu_sri, name=f"Beras Lokal {number}", price=60_000 + number)
    pages = [product_search(q="beras", sort="price_asc", page=n, page_size=3) for n in (1, 2, 3)]
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.has_next for page in pages] == [True, True, False]
    seen = [item.pk for page in pages for item in page.items]
    assert len(seen) == len(set(seen)) == pages[0].total == 7


@pytest.mark.parametrize("sort", [None, "price_asc", "newest", "nearest"])
def test_a_page_past_the_end_is_empty(catalog, sort):
    found = product_search(q="beras", sort=sort, near_kelurahan=PAKAL, page=5, page_size=3)
    assert (found.items, found.total, found.has_next) == ([], 3, False)


def test_the_count_stops_at_the_cap(catalog, monkeypatch):
    monkeypatch.setattr(search_keywords, "COUNT_CAP", 4)
    found = product_search(page_size=2, page=2)
    assert (found.total, found.total_is_exact, found.has_next) == (4, False, True)
    assert len(product_search(page_size=50).items) == 6  # a page is not cut by the cap


# --- visibility -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected", "suspended"])
def test_products_of_a_shop_not_verified_are_found_by_nobody(catalog, status):
    shop = factories.merchant(KEDUNGDORO, status=status, name="Toko Tersembunyi")
    factories.product(shop, name="Beras Rahasia 5 kg")
    for found in (
        product_search(q="beras rahasia"),
        product_search(q="tersembunyi"),
        product_search(q="beras", page_size=50),
        product_search(kelurahan=KEDUNGDORO),
        product_search(sort="nearest", near_kelurahan=KEDUNGDORO),
    ):
        assert "Beras Rahasia 5 kg" not in names(found)


@pytest.mark.parametrize(
    "hidden",
    [{"is_active": False}, {"review": "on_hold"}, {"review": "rejected"}],
    ids=["inactive", "on_hold", "rejected"],
)
def test_inactive_and_unapproved_products_are_found_by_nobody(catalog, hidden):
    factories.product(catalog.bu_sri, name="Beras Tertahan 5 kg", **hidden)
    for found in (product_search(q="tertahan"), product_search(q="beras"), product_search()):
        assert "Beras Tertahan 5 kg" not in names(found)


# --- nearest with many hits: the nearest kelurahan first --------------------------------------


def test_nearest_pages_are_the_same_when_the_nearest_kelurahan_are_searched_first(
    catalog, monkeypatch
):
    places = ["35.78.05.1001", "35.78.05.1002", "35.78.07.1001", "35.78.30.1002", GENTENG]
    for number, place in enumerate(places * 2):
        factories.product(factories.merchant(place), name=f"Beras Nomor {number}")

    def every_page(page_size: int) -> list[int]:
        pages = [
            product_search(
                q="beras",
                sort="nearest",
                near_kelurahan=KEDUNGDORO,
                page=number,
                page_size=page_size,
            )
            for number in range(1, 14 // page_size + 3)
        ]
        return [item.pk for page in pages for item in page.items]

    everything = every_page(50)
    assert len(everything) == 13
    # With few hits counted and a narrow ring, most pages come from the nearest kelurahan.
    monkeypatch.setattr(search_keywords, "COUNT_CAP", search_keywords.FUZZY_BELOW)
    monkeypatch.setattr(search_distance, "RING_MARGIN", 0.01)
    for page_size in (1, 2, 3, 5):
        assert every_page(page_size) == everything


@pytest.mark.parametrize("ring_hits", [2, 13, 40])
def test_nearest_pages_with_words_are_the_same_when_a_ring_of_shops_is_read_first(
    catalog, monkeypatch, ring_hits
):
    places = ["35.78.05.1001", "35.78.05.1002", "35.78.07.1001", "35.78.30.1002", GENTENG]
    for number, place in enumerate(places * 3):
        factories.product(factories.merchant(place), name=f"Beras Nomor {number}")

    def every_page(page_size: int) -> list[int]:
        found = []
        for number in range(1, 18 // page_size + 3):
            page = product_search(
                q="beras nomor",
                sort="nearest",
                near_kelurahan=KEDUNGDORO,
                page=number,
                page_size=page_size,
            )
            assert (page.total, page.total_is_exact) == (15, True)
            found += [item.pk for item in page.items]
        return found

    monkeypatch.setattr(search_distance, "KEYWORD_RING_SHARE", 10**6)  # every hit sorted
    everything = every_page(50)
    assert len(everything) == 15
    # Rings of every size: some fill their page, some fall short of it.
    monkeypatch.setattr(search_distance, "KEYWORD_RING_SHARE", 1)
    monkeypatch.setattr(search_distance, "KEYWORD_RING_HITS", ring_hits)
    for page_size in (1, 2, 4):
        assert every_page(page_size) == everything


@pytest.mark.parametrize("window", [1, 2, 5])
def test_newest_pages_with_words_are_the_same_when_the_newest_products_are_read_first(
    catalog, monkeypatch, window
):
    now = timezone.now()
    for number in range(12):
        beras = factories.product(catalog.pak_darmo, name=f"Beras Nomor {number}")
        sabun = factories.product(catalog.bu_sri, name=f"Sabun Nomor {number}")
        # Two beras at each moment, out of id order (a window may end between them), with
        # products without the words among them.
        hours_ago = (number * 7 % 12) // 2
        Product.objects.filter(pk=beras.pk).update(created_at=now - dt.timedelta(hours=hours_ago))
        sabun_ago = dt.timedelta(hours=number % 6, minutes=30)
        Product.objects.filter(pk=sabun.pk).update(created_at=now - sabun_ago)

    def every_page(page_size: int) -> list[int]:
        pages = [
            product_search(q="beras nomor", sort="newest", page=number, page_size=page_size)
            for number in range(1, 12 // page_size + 3)
        ]
        assert {(page.total, page.total_is_exact) for page in pages} == {(12, True)}
        return [item.pk for page in pages for item in page.items]

    everything = every_page(50)  # a catalog smaller than the window: every hit sorted
    assert len(everything) == 12
    monkeypatch.setattr(search, "NEWEST_WINDOW", window)
    for page_size in (1, 3, 5):
        assert every_page(page_size) == everything


# --- many hits: counted and ranked up to the cap ----------------------------------------------


@pytest.fixture
def many_beras(db, monkeypatch):
    """Eight beras among other goods, with a cap of five hits counted and ranked."""
    shop = factories.merchant(KEDUNGDORO, name="Toko Beras Jaya")
    for name in ("Sabun Mandi", "Gula Pasir", "Kecap Manis"):  # found by the shop's name only
        factories.product(shop, name=name, price=5_000)
    other = factories.merchant(PAKAL, name="Warung Sido Mampir")
    for number in range(8):
        factories.product(other, name=f"Beras Medium {number}", price=60_000 - number * 1_000)
    monkeypatch.setattr(search_keywords, "COUNT_CAP", search_keywords.FUZZY_BELOW)


def test_with_many_hits_relevance_puts_the_word_in_the_name_first(many_beras):
    # PostgreSQL ranks the first hits it finds (here the shop's three goods come first).
    found = product_search(q="beras", page_size=2)
    assert (found.total, found.total_is_exact, found.has_next) == (5, False, True)
    assert all(name.startswith("Beras Medium") for name in names(found))
    later = product_search(q="beras", page_size=2, page=2).items
    assert len(later) == 2 and {item.pk for item in later}.isdisjoint(
        item.pk for item in found.items
    )


def test_with_many_hits_a_price_sort_still_looks_at_every_hit(many_beras):
    cheapest = product_search(q="beras", sort="price_asc", page_size=3)
    assert names(cheapest) == ["Sabun Mandi", "Gula Pasir", "Kecap Manis"]
    assert (cheapest.total, cheapest.total_is_exact, cheapest.has_next) == (5, False, True)
    # Pages beyond the count still come from every hit, in order.
    last = product_search(q="beras", sort="price_asc", page_size=3, page=4)
    assert (names(last), last.has_next) == (["Beras Medium 1", "Beras Medium 0"], False)
    dearest = product_search(q="beras medium", sort="price_desc", page_size=2)
    assert names(dearest) == ["Beras Medium 0", "Beras Medium 1"]
