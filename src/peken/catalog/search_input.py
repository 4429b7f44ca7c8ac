"""Checking what a search asks for: words, sorts, pages, prices and codes. A bad value is a
clear 422; nothing malformed or oversized reaches the database."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peken.catalog.fairness import Shopper
from peken.catalog.models import Category
from peken.core.errors import InvalidInput, lazy_message
from peken.regions.models import Kecamatan, Kelurahan

QUERY_MAX_LENGTH = 200
WORDS_MAX = 8  # a longer query adds cost, not precision
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 50
PAGE_MAX = 100  # deep OFFSETs are slow and nobody reads page 101

WORD = re.compile(r"[^\W_]+")
SLUG = re.compile(r"[-\w]{1,50}", re.ASCII)
REGION_CODE = re.compile(r"[0-9.]{1,13}")


class QueryTooLong(InvalidInput):
    code = "query_too_long"
    default_message = lazy_message(
        gettext_noop("Kata kunci terlalu panjang (paling banyak %(maximum)s karakter)."),
        maximum=QUERY_MAX_LENGTH,
    )


class UnknownCategory(InvalidInput):
    code = "unknown_category"
    default_message = gettext_lazy("Kategori tidak dikenal.")


class UnknownKecamatan(InvalidInput):
    code = "unknown_kecamatan"
    default_message = gettext_lazy("Kecamatan tidak dikenal.")


class UnknownKelurahan(InvalidInput):
    code = "unknown_kelurahan"
    default_message = gettext_lazy("Kelurahan tidak dikenal.")


class PriceRangeInvalid(InvalidInput):
    code = "price_range_invalid"
    default_message = gettext_lazy("Harga terendah tidak boleh melebihi harga tertinggi.")


class NearRequired(InvalidInput):
    code = "near_required"
    default_message = gettext_lazy("Urutan terdekat memerlukan kelurahan asal (near).")


def search_words(query: str | None) -> list[str]:
    """The words a query looks for: letters and digits, lower case, each once, WORDS_MAX at most.
    Punctuation and operators of any search syntax fall away here."""
    query = query or ""
    if len(query) > QUERY_MAX_LENGTH:
        raise QueryTooLong(max_length=QUERY_MAX_LENGTH)
    return list(dict.fromkeys(WORD.findall(query.lower())))[:WORDS_MAX]


def sort_choose(
    sort: str | None, *, words: list[str], allowed: tuple, default: str, shopper: Shopper | None
) -> str:
    fair = shopper is not None and shopper.fair_ranking
    if sort == "fair" and not fair:
        raise InvalidInput(
            _("Urutan adil hanya untuk ASN, selama kota menyalakannya."), field="sort"
        )
    if sort and sort not in (*allowed, "fair"):
        raise InvalidInput(
            _("Urutan harus salah satu dari: %(choices)s.") % {"choices": ", ".join(allowed)},
            field="sort",
        )
    if not sort and fair:
        return "fair"
    if not sort or (sort == "relevance" and not words):
        return "relevance" if words else default
    return sort


def page_check(page: int, page_size: int) -> None:
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput(
            _("Isi halaman 1 sampai %(maximum)s baris.") % {"maximum": PAGE_SIZE_MAX},
            field="page_size",
        )
    if not 1 <= page <= PAGE_MAX:
        raise InvalidInput(_("Halaman 1 sampai %(maximum)s.") % {"maximum": PAGE_MAX}, field="page")


def price_range_check(min_price: int | None, max_price: int | None) -> None:
    for name, price in (("min_price", min_price), ("max_price", max_price)):
        if price is not None and price < 0:
            raise InvalidInput(_("Harga tidak boleh negatif."), field=name)
    if min_price is not None and max_price is not None and min_price > max_price:
        raise PriceRangeInvalid(field="min_price")


def choice(value: str, choices, field_name: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(v for v in choices.values if v)
        raise InvalidInput(
            _("Pilihan harus salah satu dari: %(choices)s.") % {"choices": allowed},
            field=field_name,
        )
    return value


def category_id(slug: str) -> int:
    # The pattern first: a NUL or a 5,000-character code never reaches the database.
    found = SLUG.fullmatch(slug) and Category.objects.filter(slug=slug).values("pk").first()
    if not found:
        raise UnknownCategory(unknown_message(gettext_noop("Kategori"), slug), field="category")
    return found["pk"]


def kecamatan_find(code: str) -> Kecamatan:
    found = REGION_CODE.fullmatch(code) and Kecamatan.objects.filter(code=code).first()
    if not found:
        raise UnknownKecamatan(unknown_message(gettext_noop("Kecamatan"), code), field="kecamatan")
    return found


def kelurahan_find(code: str, field_name: str = "kelurahan") -> Kelurahan:
    found = REGION_CODE.fullmatch(code) and Kelurahan.objects.filter(code=code).first()
    if not found:
        raise UnknownKelurahan(unknown_message(gettext_noop("Kelurahan"), code), field=field_name)
    return found


def unknown_message(what: str, code: str) -> str:
    """`what` is marked with gettext_noop by the caller; the code is shown when it is readable."""
    if len(code) <= 50 and code.isprintable():
        return _("%(what)s dengan kode '%(code)s' tidak dikenal.") % {"what": _(what), "code": code}
    return _("%(what)s tidak dikenal.") % {"what": _(what)}
