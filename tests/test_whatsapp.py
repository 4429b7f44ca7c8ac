"""Issue 17, newcomer's gap 2: one helper turns a stored phone number into a wa.me link."""

from urllib.parse import parse_qs, urlsplit

import pytest

from peken.core.whatsapp import phone_international, whatsapp_url


@pytest.mark.parametrize(
    "stored",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "6281234567890",
        "62 812 3456 7890",
        "(0812) 3456.7890",
        "006281234567890",
        "+62 (0)812 3456 7890",
    ],
)
def test_every_usual_way_of_writing_a_mobile_number_gives_the_same_international_digits(stored):
    assert phone_international(stored) == "6281234567890"


def test_a_city_line_keeps_its_area_code():
    assert phone_international("(031) 535-1234") == "62315351234"


@pytest.mark.parametrize(
    "stored", ["", None, "0812", "+1 415 555 0100", "08123456789012345", "0812-ABCD-7890", "62"]
)
def test_what_is_no_indonesian_number_gives_no_number(stored):
    assert phone_international(stored) is None


def test_the_link_opens_a_chat_with_the_text_typed_in():
    url = whatsapp_url("0812-3456-7890", "Halo Toko Bu Sri & Anak, pesanan #12 sudah?")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    # Spaces, `&`, `#` and `?` are encoded: the whole sentence arrives, not the part before `#`.
    assert " " not in url and "#" not in url and "&" not in parts.query
    assert parse_qs(parts.query) == {"text": ["Halo Toko Bu Sri & Anak, pesanan #12 sudah?"]}


def test_no_link_without_a_usable_number():
    assert whatsapp_url("", "Halo") is None
    assert whatsapp_url("12345", "Halo") is None
