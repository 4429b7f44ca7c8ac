"""GET /api/v1/products and /api/v1/merchants: contract, input limits, hostile text, queries."""

import pytest

import factories
from factories import KEDUNGDORO
from peken.catalog import search
from peken.catalog.models import Product
from peken.merchants.models import Merchant

pytestmark = pytest.mark.django_db

HOSTILE = [
    "'; DROP TABLE catalog_product; --",
    "beras'; DELETE FROM merchants_merchant WHERE '1'='1",
    "%",
    "_",
    "%%beras%%",
    "beras_%",
    "'",
    '"',
    "\\",
    '"beras',
    "beras*",
    "* OR *",
    "NEAR(beras gula)",
    "beras OR gula",
    "beras AND NOT gula",
    "- beras",
    "^beras",
    "beras & gula | !telur",
    "beras:*",
    "!!!",
    "():*&|",
    "béras ☕ 米",
    "{} [] ;; $$ $1",
]


def test_product_items_carry_what_a_result_list_shows(api, catalog):
    response = api().get("/products", {"q": "beras pandan", "near": KEDUNGDORO})
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("total", "total_is_exact", "page", "has_next")} == {
        "total": 1,
        "total_is_exact": True,
        "page": 1,
        "has_next": False,
    }
    assert body["items"] == [
        {
            "id": catalog.beras_sri.pk,
            "name": "Beras Pandan Wangi 5 kg",
            "price": 72_000,
            "unit": "pcs",
            "stock": 10,
            "is_made_to_order": False,
            "category": "sembako",
            "merchant": {
                "id": catalog.bu_sri.pk,
                "name": "Toko Bu Sri",
                "kind": "toko_kelontong",
                "kelurahan": {"code": KEDUNGDORO, "name": "Kedungdoro"},
                "kecamatan": {"code": "35.78.05", "name": "Tegalsari"},
            },
            "distance_km": 0.0,
        }
    ]


def test_merchant_items_carry_what_a_result_list_shows(api, catalog):
    response = api().get("/merchants", {"q": "batik", "kind": "umkm", "line": "kerajinan"})
    assert response.status_code == 200
    assert response.json()["items"] == [
        {
            "id": catalog.mbak_rini.pk,
            "name": "Batik Mbak Rini",
            "kind": "umkm",
            "line": "kerajinan",
            "kelurahan": {"code": "35.78.07.1002", "name": "Genteng"},
            "kecamatan": {"code": "35.78.07", "name": "Genteng"},
            "is_mbr": True,
            "distance_km": None,
        }
    ]


def test_search_is_public(api, catalog):
    assert api().get("/products", {"q": "beras"}).json()["total"] == 3
    assert api().get("/merchants").json()["total"] == 3


def test_every_parameter_reaches_the_selector(api, catalog):
    response = api().get(
        "/products",
        {
            "q": "beras",
            "category": "sembako",
            "merchant_kind": "toko_kelontong",
            "kecamatan": "35.78.05",
            "kelurahan": KEDUNGDORO,
            "min_price": 70_000,
            "max_price": 80_000,
            "in_stock": "true",
            "sort": "nearest",
            "near": KEDUNGDORO,
            "page": 1,
            "page_size": 5,
        },
    )
    assert [item["name"] for item in response.json()["items"]] == ["Beras Pandan Wangi 5 kg"]


def test_a_5000_character_query_is_refused_before_the_database(
    api, catalog, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = api().get("/products", {"q": "beras " * 834})
    assert response.status_code == 422
    assert response.json()["code"] == "query_too_long"
    assert api().get("/merchants", {"q": "x" * 201}).json()["code"] == "query_too_long"
    assert api().get("/products", {"q": "x" * 200}).status_code == 200


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_looks_like_sql_or_search_syntax_is_plain_words(api, catalog, text):
    for path in ("/products", "/merchants"):
        response = api().get(path, {"q": text})
        assert response.status_code == 200, response.content
    assert Product.objects.count() == 6
    assert Merchant.objects.count() == 3


def test_operators_between_words_do_not_change_what_is_found(api, catalog):
    plain = api().get("/products", {"q": "beras premium"}).json()["items"]
    for text in ("beras & premium", '"beras" premium*', "beras:* |premium"):
        assert api().get("/products", {"q": text}).json()["items"] == plain


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"category": "perhiasan"}, "unknown_category"),
        ({"category": "'; DROP TABLE catalog_category; --"}, "unknown_category"),
        ({"kecamatan": "35.78.99"}, "unknown_kecamatan"),
        ({"kelurahan": "35.78.05.9999"}, "unknown_kelurahan"),
        ({"near": "35.78.05.9999", "sort": "nearest"}, "unknown_kelurahan"),
        ({"min_price": 80_000, "max_price": 70_000}, "price_range_invalid"),
        ({"sort": "nearest"}, "near_required"),
        ({"sort": "harga"}, "invalid_input"),
        ({"page_size": 51}, "invalid_input"),
        ({"page": 0}, "invalid_input"),
        ({"min_price": -1}, "invalid_input"),
        ({"merchant_kind": "pasar"}, "invalid_input"),
    ],
)
def test_bad_product_parameters_are_422_with_a_code_and_an_indonesian_message(
    api, catalog, params, code
):
    response = api().get("/products", params)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_unknown_codes_are_named_in_the_message(api, catalog):
    body = api().get("/products", {"kecamatan": "35.78.99"}).json()
    assert body == {
        "code": "unknown_kecamatan",
        "message": "Kecamatan dengan kode '35.78.99' tidak dikenal.",
        "field": "kecamatan",
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"kelurahan": "35.78.05.9999"}, "unknown_kelurahan"),
        ({"kecamatan": "1"}, "unknown_kecamatan"),
        ({"sort": "nearest"}, "near_required"),
        ({"line": "otomotif"}, "invalid_input"),
    ],
)
def test_bad_merchant_parameters_are_422(api, catalog, params, code):
    response = api().get("/merchants", params)
    assert (response.status_code, response.json()["code"]) == (422, code)


def test_error_codes_are_documented(api):
    spec = api().client.get("/api/v1/openapi.json").json()
    products = spec["paths"]["/api/v1/products"]["get"]["x-error-codes"]
    merchants = spec["paths"]["/api/v1/merchants"]["get"]["x-error-codes"]
    assert {"query_too_long", "unknown_category", "price_range_invalid"} <= set(products)
    assert {"query_too_long", "unknown_kelurahan", "near_required"} <= set(merchants)


def test_a_page_of_products_takes_a_fixed_few_queries(api, catalog, django_assert_max_num_queries):
    for number in range(30):
        shop = factories.merchant(KEDUNGDORO, name=f"Toko Nomor {number}")
        factories.product(shop, name=f"Beras Nomor {number}")
    everything = {
        "q": "beras",
        "category": "sembako",
        "kecamatan": "35.78.05",
        "kelurahan": KEDUNGDORO,
        "in_stock": "true",
        "sort": "nearest",
        "near": KEDUNGDORO,
        "page_size": 50,
    }
    with django_assert_max_num_queries(7):  # 4 code lookups, count, page ids, page rows
        response = api().get("/products", everything)
    assert len(response.json()["items"]) == 31
    # hits, are the words rare, close spellings (vocabulary; or settings and putting them back
    # inside a caller's transaction, as here), their hits, page ids, page rows
    with django_assert_max_num_queries(7):
        response = api().get("/products", {"q": "bras"})
    assert response.json()["is_fuzzy"] and response.json()["total"] == 33


def test_a_page_of_merchants_takes_a_fixed_few_queries(api, catalog, django_assert_max_num_queries):
    for number in range(30):
        factories.merchant(KEDUNGDORO, name=f"Toko Nomor {number}")
    with django_assert_max_num_queries(5):  # 2 code lookups, count, page ids, page rows
        response = api().get(
            "/merchants", {"q": "toko", "kelurahan": KEDUNGDORO, "near": KEDUNGDORO}
        )
    assert response.json()["total"] == 31
    assert len(response.json()["items"]) == search.PAGE_SIZE_DEFAULT
