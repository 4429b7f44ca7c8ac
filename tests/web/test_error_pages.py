"""Peken's own 400, 403, 404 and 500 pages, in Bahasa Indonesia and in English, each with a way
home; the API's refusals stay JSON; and the demo (DEBUG on) never shows Django's debug page that
lists every URL pattern of the site."""

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

import factories
from peken.core import error_pages
from translation_steps import in_english, visible_text

pytestmark = pytest.mark.django_db

# What each status's page says, as written (the msgid); English is read through the catalogue.
HEADINGS = {
    400: "Permintaan tidak dapat dibaca",
    403: "Anda tidak dapat membuka halaman ini",
    404: "Halaman tidak ditemukan",
    500: "Terjadi kesalahan di server",
}
HOME = "Kembali ke beranda"


def in_language(words: str, language: str) -> str:
    return in_english(words) if language == "en" else words


def client_in(language: str, **options) -> Client:
    client = Client(**options)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_peken_page(response, status: int, language: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f'data-status="{status}"' in html
    assert 'data-testid="home" href="/"' in html or 'href="/" data-testid="home"' in html
    page = visible_text(response)
    assert in_language(HEADINGS[status], language) in page
    assert in_language(HOME, language) in page
    other = "en" if language == "id" else "id"
    assert in_language(HEADINGS[status], other) not in page
    return page


LANGUAGES = pytest.mark.parametrize("language", ["id", "en"])


@LANGUAGES
def test_a_missing_page_is_pekens_404(english_catalogue_with_gaps_marked, language):
    response = client_in(language).get("/tidak-ada-di-sini/")
    assert_peken_page(response, 404, language)
    assert 'class="search"' in response.content.decode()  # the site's layout


@LANGUAGES
def test_a_page_for_another_role_is_pekens_403(english_catalogue_with_gaps_marked, language):
    client = client_in(language)
    client.force_login(factories.warga().user)
    response = client.get("/petugas/")
    assert_peken_page(response, 403, language)
    assert 'class="roles"' in response.content.decode()  # the site's layout, with its menu


@LANGUAGES
def test_a_stale_form_is_a_403_that_says_to_reload(english_catalogue_with_gaps_marked, language):
    client = client_in(language, enforce_csrf_checks=True)
    client.force_login(factories.warga().user)
    response = client.post("/keranjang/tambah/", {"product_id": 1, "quantity": 1})
    page = assert_peken_page(response, 403, language)
    assert in_language(error_pages.STALE_FORM, language) in page


@LANGUAGES
def test_a_bad_host_is_pekens_400(english_catalogue_with_gaps_marked, language):
    response = client_in(language).get("/", headers={"Host": "penipu.example"})
    assert_peken_page(response, 400, language)


@LANGUAGES
def test_a_server_error_is_pekens_500(english_catalogue_with_gaps_marked, monkeypatch, language):
    def database_down():
        raise OperationalError("the database went away")

    monkeypatch.setattr("peken.web.home.categories", database_down)
    client = client_in(language, raise_request_exception=False)
    assert_peken_page(client.get("/"), 500, language)


def test_the_500_page_needs_no_database(rf, django_db_blocker):
    request = rf.get("/")
    with django_db_blocker.block():  # any query now fails the test
        response = error_pages.server_error(request)
    assert response.status_code == 500 and 'data-status="500"' in response.content.decode()


def test_the_500_page_falls_back_to_fixed_words_when_it_cannot_be_drawn(rf, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template storage is gone")

    monkeypatch.setattr(error_pages.loader, "render_to_string", broken)
    response = error_pages.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Server error" in response.content.decode() and "href='/'" in response.content.decode()


def test_a_refusal_of_ours_is_told_on_the_404_page(client):
    client.force_login(factories.warga().user)
    page = visible_text(client.get("/pesanan/999999/"))
    assert "Pesanan tidak ditemukan." in page and HEADINGS[404] in page


def test_djangos_own_words_for_a_404_are_not_shown(client):
    """A library's Http404 message is for developers ("No Order matches …")."""
    response = client.get("/kategori/tidak-ada/")
    assert response.status_code == 404
    assert "matches" not in response.content.decode()


# --- the API stays JSON ----------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_address_is_a_json_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/tidak-ada", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": in_english("Data tidak ditemukan.")}


def test_a_bad_host_on_the_api_is_a_json_400(client):
    response = client.get("/api/v1/regions/kecamatan", headers={"Host": "penipu.example"})
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


# --- the demo: DEBUG on ----------------------------------------------------------------------


def test_the_demo_shows_pekens_404_not_the_list_of_url_patterns(client, settings):
    settings.DEBUG = True
    response = client.get("/tidak-ada-di-sini/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-status="404"' in html and HEADINGS[404] in html
    for debug_words in ["URLconf", "DEBUG = True", "api/v1/", "kelola/", "petugas/"]:
        assert debug_words not in html


def test_the_demo_shows_pekens_404_for_a_refused_lookup_too(client, settings):
    settings.DEBUG = True
    client.force_login(factories.warga().user)
    response = client.get("/pesanan/999999/")
    html = response.content.decode()
    assert response.status_code == 404 and 'data-status="404"' in html
    assert "DEBUG = True" not in html and "Pesanan tidak ditemukan." in html


def test_the_demo_still_adds_the_missing_slash(client, settings):
    settings.DEBUG = True
    response = client.get("/keranjang")
    assert response.status_code == 301 and response["Location"] == "/keranjang/"
