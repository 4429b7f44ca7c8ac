"""Issue 17, security item 6: input a client should never send gets a clear 4xx, never a 500.

NUL characters, bodies over the limit, multipart without its boundary, numbers past 64 bits,
caps outside Rp 1 .. Rp 10^12, months outside 1900–2999, a webhook of a gateway not set up.
Web requests get a page, /api/ requests the API's JSON error (`code` and `message`)."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DataError
from django.test import Client, override_settings

import factories
from factories import KEDUNGDORO
from peken.accounts.models import Role
from peken.core.middleware import RequestGuardMiddleware, is_number_overflow
from peken.policy.models import CityPolicy
from peken.policy.selectors import policy_current
from peken.quotas.models import MerchantCap

pytestmark = pytest.mark.django_db

PAST_64_BITS = 2**63


def json_post(client, path, payload, **extra):
    return client.post(path, json.dumps(payload), content_type="application/json", **extra)


def api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"]
    return body


def web_refusal(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


# --- NUL characters ----------------------------------------------------------------------------


URLENCODED = "application/x-www-form-urlencoded"


def test_a_nul_in_the_anonymous_login_form_is_refused():
    form = {"username": "asn\x00", "password": "rahasia-sekali"}
    page = web_refusal(Client().post("/masuk/", form), 400)  # multipart, as the client sends
    assert 'data-code="invalid_characters"' in page
    encoded = urlencode(form)
    assert "%00" in encoded
    web_refusal(Client().post("/masuk/", encoded, content_type=URLENCODED), 400)


def test_a_nul_in_the_sign_up_form_is_refused():
    form = {
        "full_name": "Budi\x00",
        "nik": factories.valid_nik(),
        "phone": "081234567890",
        "kelurahan_code": KEDUNGDORO,
        "address": "Jl. Kedungdoro 5",
        "password": "kuda-lari-cepat-9",
        "password_again": "kuda-lari-cepat-9",
    }
    web_refusal(Client().post("/daftar/", form), 400)


def test_a_nul_in_a_query_string_is_refused_on_pages_and_in_the_api():
    web_refusal(Client().get("/cari/", {"q": "beras\x00"}), 400)
    api_error(Client().get("/api/v1/products", {"q": "beras\x00"}), 400, "invalid_characters")


def test_a_nul_in_a_url_path_is_refused(api):
    buyer = factories.asn(KEDUNGDORO)
    api_error(api(buyer).get("/payments/PKN%00-1"), 400, "invalid_characters")
    client = Client()
    client.force_login(buyer)
    web_refusal(client.get("/bayar/PKN%00-1/"), 400)


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/api/v1/auth/token", {"username": "asn\u0000", "password": "x"}),
        (
            "/api/v1/auth/register",
            {
                "username": "budi",
                "password": "kuda-lari-cepat-9",
                "full_name": "Budi\u0000",
                "nik": "3578050101900001",
                "phone": "081234567890",
                "kelurahan_code": KEDUNGDORO,
            },
        ),
        ("/api/v1/auth/password-code", {"identifier": "\u0000"}),
    ],
)
def test_a_nul_in_an_api_json_body_is_refused(path, payload):
    api_error(json_post(Client(), path, payload), 400, "invalid_characters")


def test_an_escaped_backslash_before_u0000_is_not_a_nul(api):
    """`"\\\\u0000"` is a backslash and the text u0000: allowed (the login simply fails)."""
    response = json_post(Client(), "/api/v1/auth/token", {"username": "\\u0000", "password": "x"})
    assert response.status_code == 401


def test_a_nul_in_a_signed_in_api_body_is_refused(api):
    buyer = factories.asn(KEDUNGDORO)
    response = api(buyer).post(
        "/checkout", {"items": [], "fulfilment": "delivery", "address": "Jl.\u0000"}
    )
    api_error(response, 400, "invalid_characters")


def test_a_nul_in_a_multipart_text_field_is_refused_but_a_file_may_hold_any_byte(api):
    admin = factories.user("adminkota", Role.CITY_ADMIN)
    refused = api(admin).upload(
        "/asn/import",
        {"file": ("roster.csv", b"nip\x00,nama\n", "text/csv")},
        deactivate_missing="tr\x00ue",
    )
    api_error(refused, 400, "invalid_characters")


# --- sizes and shapes of bodies ----------------------------------------------------------------


def too_big() -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def test_a_json_body_over_the_limit_is_413():
    response = json_post(Client(), "/api/v1/auth/token", {"username": too_big(), "password": "x"})
    api_error(response, 413, "request_too_large")


def test_a_form_over_the_limit_is_413():
    form = {"username": too_big(), "password": "x"}
    web_refusal(Client().post("/masuk/", form), 413)
    web_refusal(Client().post("/masuk/", urlencode(form), content_type=URLENCODED), 413)


def test_multipart_without_a_boundary_is_400_on_pages_and_in_the_api(api):
    admin = factories.user("adminkota", Role.CITY_ADMIN)
    page = Client().post("/masuk/", b"--x--", content_type="multipart/form-data")
    web_refusal(page, 400)
    response = api(admin).client.post(
        "/api/v1/asn/import",
        b"--x--",
        content_type="multipart/form-data",
        headers=api(admin).headers,
    )
    api_error(response, 400, "multipart_invalid")


# --- numbers past 64 bits ----------------------------------------------------------------------


def test_a_page_past_64_bits_is_400_number_too_large(api):
    buyer = factories.asn(KEDUNGDORO)
    api_error(api(buyer).get("/orders", {"page": PAST_64_BITS}), 400, "number_too_large")
    api_error(Client().get("/api/v1/products", {"page": 10**30}), 400, "number_too_large")
    client = Client()
    client.force_login(buyer)
    web_refusal(client.get("/pesanan/", {"page": PAST_64_BITS}), 400)


def test_a_page_whose_offset_passes_64_bits_is_refused_not_crashed():
    response = Client().get("/api/v1/products", {"page": 10**18})
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in {"invalid_input", "number_too_large"}


def test_an_id_past_64_bits_in_a_url_is_refused(api):
    buyer = factories.asn(KEDUNGDORO)
    api_error(api(buyer).get(f"/orders/{PAST_64_BITS}"), 400, "number_too_large")
    client = Client()
    client.force_login(buyer)
    web_refusal(client.get(f"/pesanan/{10**20}/"), 400)


def test_an_id_past_64_bits_in_a_json_body_is_refused(api):
    buyer = factories.asn(KEDUNGDORO)
    response = api(buyer).post(
        "/checkout",
        {"items": [{"product_id": PAST_64_BITS, "quantity": 1}], "fulfilment": "pickup"},
    )
    assert 400 <= response.status_code < 500, response.content[:300]


# --- caps: Rp 1 .. Rp 10^12 --------------------------------------------------------------------


@pytest.fixture
def city_admin_api(api):
    return api(factories.user("adminkota", Role.CITY_ADMIN))


@pytest.mark.parametrize("cap", [0, -5, 10**12 + 1, 10**15, PAST_64_BITS, 2**64])
def test_a_merchant_cap_outside_the_range_is_refused_in_indonesian(city_admin_api, cap):
    shop = factories.merchant(KEDUNGDORO)
    response = city_admin_api.put(f"/admin/merchants/{shop.pk}/cap", {"cap": cap})
    body = api_error(response, 422, "invalid_input")
    assert "Rp 1" in body["message"] and "1.000.000.000.000" in body["message"]
    assert not MerchantCap.objects.exists()


def test_a_merchant_cap_of_rp_10_12_is_accepted(city_admin_api):
    shop = factories.merchant(KEDUNGDORO)
    response = city_admin_api.put(f"/admin/merchants/{shop.pk}/cap", {"cap": 10**12})
    assert response.status_code == 200 and response.json()["cap"] == 10**12


@pytest.mark.parametrize("cap", [0, 10**15, PAST_64_BITS])
def test_a_default_cap_outside_the_range_is_refused_in_indonesian(city_admin_api, cap):
    before = policy_current().default_cap
    response = city_admin_api.put("/admin/policy", {"default_cap": cap})
    body = api_error(response, 422, "invalid_input")
    assert "1.000.000.000.000" in body["message"]
    assert policy_current().default_cap == before


def back_office(client):
    client.force_login(factories.user("adminkota", Role.CITY_ADMIN))
    return client


@pytest.mark.parametrize("cap", ["0", str(10**15), str(PAST_64_BITS)])
def test_the_back_office_refuses_a_merchant_cap_outside_the_range_in_indonesian(client, cap):
    shop = factories.merchant(KEDUNGDORO)
    response = back_office(client).post(
        "/kelola/quotas/merchantcap/add/", {"merchant": shop.pk, "cap": cap}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "errornote" in page
    assert "Rp 1.000.000.000.000" in page and "Constraint" not in page
    assert not MerchantCap.objects.exists()


@pytest.mark.parametrize("cap", ["0", str(10**15), str(PAST_64_BITS)])
def test_the_back_office_refuses_a_default_cap_outside_the_range_in_indonesian(client, cap):
    before, _ = CityPolicy.objects.get_or_create(pk=1)
    form = {
        "default_cap": cap,
        "payment_timeout_minutes": before.payment_timeout_minutes,
        "acceptance_timeout_hours": before.acceptance_timeout_hours,
        "fair_ranking": "on",
    }
    response = back_office(client).post("/kelola/policy/citypolicy/1/change/", form)
    page = response.content.decode()
    assert response.status_code == 200 and "errornote" in page
    assert "Rp 1.000.000.000.000" in page and "Constraint" not in page
    assert policy_current().default_cap == before.default_cap


# --- months ------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "3000-01", "1899-12", "0000-01"])
def test_a_month_outside_1900_2999_is_refused(api, month):
    asn = factories.asn(KEDUNGDORO)
    body = api_error(api(asn).get("/me/obligation", {"month": month}), 422, "invalid_input")
    assert "1900" in body["message"] and "2999" in body["message"]


def test_the_city_dashboard_says_month_9999_12_is_refused_and_shows_this_month(client):
    response = back_office(client).get("/kota/", {"month": "9999-12"})
    assert response.status_code == 200
    assert "tahun 1900 sampai 2999" in response.content.decode()


@pytest.mark.parametrize("month", ["1900-01", "2999-12"])
def test_the_ends_of_the_month_range_are_accepted(api, month):
    asn = factories.asn(KEDUNGDORO)
    response = api(asn).get("/me/obligation", {"month": month})
    assert response.status_code == 200 and response.json()["month"] == month


# --- a gateway not set up ----------------------------------------------------------------------


@override_settings(PEKEN_MIDTRANS_SERVER_KEY="")
def test_the_midtrans_webhook_without_midtrans_is_404_gateway_unknown():
    response = json_post(
        Client(), "/api/v1/payments/webhooks/midtrans", {"order_id": "PKN-1", "status_code": "200"}
    )
    api_error(response, 404, "gateway_unknown")


# --- a number past 64 bits that reaches the database anyway ------------------------------------


class PostgresError(Exception):
    """What psycopg raises: an error with its SQLSTATE."""

    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def database_error(sqlstate):
    error = DataError("from the database")
    error.__cause__ = PostgresError(sqlstate)
    return error


def test_only_a_number_out_of_range_from_the_database_becomes_number_too_large():
    assert is_number_overflow(OverflowError("Python int too large to convert to SQLite INTEGER"))
    assert is_number_overflow(database_error("22003"))  # numeric_value_out_of_range
    assert not is_number_overflow(database_error("22001"))  # string too long: a bug of ours
    assert not is_number_overflow(ValueError("anything else"))


def test_a_page_whose_query_overflows_in_the_database_gets_the_refusal_page(rf):
    request = rf.get("/toko/1/")
    request.user = AnonymousUser()
    request.session = {}
    guard = RequestGuardMiddleware(lambda request: None)
    response = guard.process_exception(request, OverflowError("too large"))
    assert response.status_code == 400 and b'data-code="number_too_large"' in response.content
    assert guard.process_exception(request, database_error("22001")) is None
