"""What every page shares: where a refused or finished action sends a person back to, and the
links drawn many times a page."""

import pytest
from django.test import RequestFactory

from peken.web.pages import back_to


def request_from(referer: str | None, method: str = "post"):
    headers = {"Referer": referer} if referer else {}
    return getattr(RequestFactory(), method)("/keranjang/tambah/", headers=headers)


def test_back_to_the_page_the_person_came_from():
    assert back_to(request_from("http://testserver/cari/?q=beras")) == "/cari/?q=beras"


def test_an_origin_without_a_path_is_the_home_page():
    assert back_to(request_from("http://testserver")) == "/"


def test_another_site_is_never_a_way_back():
    assert back_to(request_from("https://evil.example/phish")) == "/"
    assert back_to(request_from(None)) == "/"


def test_pages_speak_indonesian_by_default_and_english_on_request(client, db):
    indonesian = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert "Masuk" in indonesian and ">Sign in<" in english
    assert 'lang="en"' in english


@pytest.mark.parametrize(
    ("name", "args"),
    [("web:product", [7]), ("web:shop", [12345]), ("web:cart-add", []), ("login", [])],
)
def test_path_to_gives_what_url_gives(name, args):
    from django.urls import reverse

    from peken.web.templatetags.peken_urls import path_to

    assert path_to(name, *args) == reverse(name, args=args)
    assert path_to(name, *args) == reverse(name, args=args)  # the second, from the pattern
