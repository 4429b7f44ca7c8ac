"""Search for buyers: products and shops by keyword, filters and order. One set of selectors for
the API and the pages; only what buyers may see is searched (`products_visible`,
`merchants_visible`). Keyword matching per database is in peken.catalog.search_keywords.

A page costs a fixed few queries: a lookup per category or region code given (one for `near`,
which reads every kelurahan), the hits or a count that stops at COUNT_CAP, the ids of the page
(ordered on the searched table, its joins only as the filters need), and the rows of those ids
with their shop and region. Close spellings add up to three; "nearest" over many hits, up to
two (the nearest kelurahan first).
"""

import math
import re
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from peken.catalog import search_keywords as keywords
from peken.catalog.fairness import FAIR_ORDER, Shopper, with_fair_order, without_capped
from peken.catalog.models import Category
from peken.catalog.selectors import products_visible
from peken.core.errors import InvalidInput
from peken.merchants.models import Merchant
from peken.merchants.selectors import merchants_visible
from peken.regions.models import Kecamatan, Kelurahan

QUERY_MAX_LENGTH = 200
WORDS_MAX = 8  # a longer query adds cost, not precision
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 50
PAGE_MAX = 100  # deep OFFSETs are slow and nobody reads page 101
# With many hits, "nearest" first looks in the nearest kelurahan that should hold the page
# twice over if hits were spread evenly over the city; first guessing 25 times the hits counted.
RING_MARGIN = 2
RING_OPTIMISM = 25
KM_PER_DEGREE = 111.195  # Earth's mean radius × π / 180

PRODUCT_SORTS = ("relevance", "price_asc", "price_desc", "newest", "nearest")
MERCHANT_SORTS = ("relevance", "name", "newest", "nearest")
PRODUCT_ORDER = {
    "relevance": ("-relevance", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "newest": ("-created_at", "-id"),
    "nearest": ("distance", "-id"),
    "fair": FAIR_ORDER,
}
MERCHANT_ORDER = {
    "relevance": ("-relevance", "-id"),
    "name": ("name", "id"),
    "newest": ("-created_at", "-id"),
    "nearest": ("distance", "name", "id"),
    "fair": FAIR_ORDER,
}
PRODUCT_FIELDS = (
    *("id", "name", "price", "unit", "stock", "is_made_to_order", "created_at"),
    *("category", "category__slug", "merchant", "merchant__name", "merchant__kind"),
    *("merchant__kelurahan", "merchant__kelurahan__code", "merchant__kelurahan__name"),
    *("merchant__kelurahan__kecamatan__code", "merchant__kelurahan__kecamatan__name"),
)
MERCHANT_FIELDS = (
    *("id", "name", "kind", "line", "is_mbr", "created_at"),
    *("kelurahan", "kelurahan__code", "kelurahan__name"),
    *("kelurahan__kecamatan__code", "kelurahan__kecamatan__name"),
)

WORD = re.compile(r"[^\W_]+")
SLUG = re.compile(r"[-\w]{1,50}", re.ASCII)
REGION_CODE = re.compile(r"[0-9.]{1,13}")


class QueryTooLong(InvalidInput):
    code = "query_too_long"
    default_message = f"Kata kunci terlalu panjang (paling banyak {QUERY_MAX_LENGTH} karakter)."


class UnknownCategory(InvalidInput):
    code = "unknown_category"
    default_message = "Kategori tidak dikenal."


class UnknownKecamatan(InvalidInput):
    code = "unknown_kecamatan"
    default_message = "Kecamatan tidak dikenal."


class UnknownKelurahan(InvalidInput):
    code = "unknown_kelurahan"
    default_message = "Kelurahan tidak dikenal."


class PriceRangeInvalid(InvalidInput):
    code = "price_range_invalid"
    default_message = "Harga terendah tidak boleh melebihi harga tertinggi."


class NearRequired(InvalidInput):
    code = "near_required"
    default_message = "Urutan terdekat memerlukan kelurahan asal (near)."


@dataclass(frozen=True)
class SearchPage:
    """One page of results. `total` stops at keywords.COUNT_CAP; then `total_is_exact` is false."""

    items: list
    total: int
    total_is_exact: bool
    page: int
    page_size: int
    is_fuzzy: bool  # close spellings were searched too (few exact hits)

    @property
    def has_next(self) -> bool:
        if self.page >= PAGE_MAX:
            return False
        if self.total_is_exact:
            return self.page * self.page_size < self.total
        return len(self.items) == self.page_size


def product_search(
    *,
    q: str | None = None,
    category: str | None = None,
    merchant_kind: str | None = None,
    kecamatan: str | None = None,
    kelurahan: str | None = None,
    min_price: int | None = None,
    max_price: int | None = None,
    in_stock: bool = False,
    sort: str | None = None,
    near_kelurahan: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE_DEFAULT,
    shopper: Shopper | None = None,
) -> SearchPage:
    """Visible products; codes are a category slug and Kemendagri region codes. Rows carry only
    what a result list shows (PRODUCT_FIELDS) and `distance_km` when `near_kelurahan` is given.
    An ASN `shopper` does not see shops at their cap, and gets the fair order by default."""
    words = search_words(q)
    sort = sort_choose(sort, words=words, allowed=PRODUCT_SORTS, default="newest", shopper=shopper)
    page_check(page, page_size)
    price_range_check(min_price, max_price)
    rows = products_visible().select_related("category", "merchant__kelurahan__kecamatan")
    rows = rows.only(*PRODUCT_FIELDS)
    if category:
        rows = rows.filter(category_id=category_id(category))
    if merchant_kind:
        rows = rows.filter(merchant__kind=choice(merchant_kind, Merchant.Kind, "merchant_kind"))
    if kecamatan:
        rows = rows.filter(merchant__kelurahan__kecamatan_id=kecamatan_find(kecamatan).pk)
    if kelurahan:
        rows = rows.filter(merchant__kelurahan_id=kelurahan_find(kelurahan).pk)
    if min_price is not None:
        rows = rows.filter(price__gte=min_price)
    if max_price is not None:
        rows = rows.filter(price__lte=max_price)
    if in_stock:
        rows = rows.filter(Q(stock__gt=0) | Q(is_made_to_order=True))
    rows = for_shopper(
        rows, shopper, sort, merchant_id="merchant_id", kelurahan="merchant__kelurahan"
    )
    plan = SearchPlan(
        rows=rows,
        words=words,
        keyword_index=keywords.PRODUCT_KEYWORDS,
        ordering=PRODUCT_ORDER[sort],
        origin=origin_find(near_kelurahan, sort),
        kelurahan_path="merchant__kelurahan",
        may_look_nearby_first=sort == "nearest" and not kelurahan,
    )
    return search(plan, page=page, page_size=page_size)


def merchant_search(
    *,
    q: str | None = None,
    kind: str | None = None,
    line: str | None = None,
    kecamatan: str | None = None,
    kelurahan: str | None = None,
    sort: str | None = None,
    near_kelurahan: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE_DEFAULT,
    shopper: Shopper | None = None,
) -> SearchPage:
    """Verified merchants by name and description; the same codes and paging as products."""
    words = search_words(q)
    sort = sort_choose(sort, words=words, allowed=MERCHANT_SORTS, default="name", shopper=shopper)
    page_check(page, page_size)
    rows = merchants_visible().select_related("kelurahan__kecamatan").only(*MERCHANT_FIELDS)
    if kind:
        rows = rows.filter(kind=choice(kind, Merchant.Kind, "kind"))
    if line:
        rows = rows.filter(line=choice(line, Merchant.Line, "line"))
    if kecamatan:
        rows = rows.filter(kelurahan__kecamatan_id=kecamatan_find(kecamatan).pk)
    if kelurahan:
        rows = rows.filter(kelurahan_id=kelurahan_find(kelurahan).pk)
    rows = for_shopper(rows, shopper, sort, merchant_id="id", kelurahan="kelurahan")
    plan = SearchPlan(
        rows=rows,
        words=words,
        keyword_index=keywords.MERCHANT_KEYWORDS,
        ordering=MERCHANT_ORDER[sort],
        origin=origin_find(near_kelurahan, sort),
        kelurahan_path="kelurahan",
        may_look_nearby_first=sort == "nearest" and not kelurahan,
    )
    return search(plan, page=page, page_size=page_size)


# --- input ------------------------------------------------------------------------------------


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
        raise InvalidInput("Urutan adil hanya untuk ASN, selama kota menyalakannya.", field="sort")
    if sort and sort not in (*allowed, "fair"):
        raise InvalidInput(f"Urutan harus salah satu dari: {', '.join(allowed)}.", field="sort")
    if not sort and fair:
        return "fair"
    if not sort or (sort == "relevance" and not words):
        return "relevance" if words else default
    return sort


def for_shopper(
    rows: QuerySet, shopper: Shopper | None, sort: str, *, merchant_id: str, kelurahan: str
) -> QuerySet:
    """An ASN's view: no shop at its cap; the fair order's keys when that is the order."""
    if shopper is None:
        return rows
    rows = without_capped(rows, shopper, merchant_id)
    if sort == "fair":
        rows = with_fair_order(rows, shopper, merchant_id, kelurahan)
    return rows


def page_check(page: int, page_size: int) -> None:
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput(f"Isi halaman 1 sampai {PAGE_SIZE_MAX} baris.", field="page_size")
    if not 1 <= page <= PAGE_MAX:
        raise InvalidInput(f"Halaman 1 sampai {PAGE_MAX}.", field="page")


def price_range_check(min_price: int | None, max_price: int | None) -> None:
    for name, price in (("min_price", min_price), ("max_price", max_price)):
        if price is not None and price < 0:
            raise InvalidInput("Harga tidak boleh negatif.", field=name)
    if min_price is not None and max_price is not None and min_price > max_price:
        raise PriceRangeInvalid(field="min_price")


def choice(value: str, choices, field_name: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(v for v in choices.values if v)
        raise InvalidInput(f"Pilihan harus salah satu dari: {allowed}.", field=field_name)
    return value


def category_id(slug: str) -> int:
    # The pattern first: a NUL or a 5,000-character code never reaches the database.
    found = SLUG.fullmatch(slug) and Category.objects.filter(slug=slug).values("pk").first()
    if not found:
        raise UnknownCategory(unknown_message("Kategori", slug), field="category")
    return found["pk"]


def kecamatan_find(code: str) -> Kecamatan:
    found = REGION_CODE.fullmatch(code) and Kecamatan.objects.filter(code=code).first()
    if not found:
        raise UnknownKecamatan(unknown_message("Kecamatan", code), field="kecamatan")
    return found


def kelurahan_find(code: str, field_name: str = "kelurahan") -> Kelurahan:
    found = REGION_CODE.fullmatch(code) and Kelurahan.objects.filter(code=code).first()
    if not found:
        raise UnknownKelurahan(unknown_message("Kelurahan", code), field=field_name)
    return found


def origin_find(near_kelurahan: str | None, sort: str) -> "Origin | None":
    if not near_kelurahan:
        if sort == "nearest":
            raise NearRequired(field="near")
        return None
    # Every kelurahan in the one query: "nearest" needs them in order of distance.
    places = REGION_CODE.fullmatch(near_kelurahan) and list(
        Kelurahan.objects.values_list("id", "code", "lat", "lon")
    )
    here = next((place for place in places or () if place[1] == near_kelurahan), None)
    if here is None:
        raise UnknownKelurahan(unknown_message("Kelurahan", near_kelurahan), field="near")
    return Origin.of(here[2], here[3], places)


def unknown_message(what: str, code: str) -> str:
    shown = f" dengan kode '{code}'" if len(code) <= 50 and code.isprintable() else ""
    return f"{what}{shown} tidak dikenal."


# --- distance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """The centroid of the buyer's kelurahan, and every kelurahan by distance from it.

    Distances are equirectangular, in degrees of latitude (squared until shown): over a city
    within a fraction of a percent of the great circle, and plain arithmetic on both databases
    (SQLite has no trigonometry; the cosine is taken here)."""

    lat: float
    lon: float
    east_scale: float
    nearest: tuple[tuple[float, int], ...]  # (squared distance, kelurahan id), nearest first

    @classmethod
    def of(cls, lat: float, lon: float, places: list[tuple]) -> "Origin":
        east_scale = math.cos(math.radians(lat))
        squared = sorted(
            ((p_lat - lat) ** 2 + ((p_lon - lon) * east_scale) ** 2, place_id)
            for place_id, _, p_lat, p_lon in places
        )
        return cls(lat, lon, east_scale, tuple(squared))

    def distance(self, kelurahan_path: str) -> ExpressionWrapper:
        north = F(f"{kelurahan_path}__lat") - Value(self.lat)
        east = (F(f"{kelurahan_path}__lon") - Value(self.lon)) * Value(self.east_scale)
        return ExpressionWrapper(north * north + east * east, output_field=FloatField())

    def ring(self, rows_needed: int, hits: int) -> list[int] | None:
        """The nearest kelurahan (with any as near as the farthest of them) that should hold
        `rows_needed` of `hits` spread evenly over the city; None if that is most of it."""
        count = math.ceil(rows_needed * len(self.nearest) / hits * RING_MARGIN)
        if count * 2 >= len(self.nearest):
            return None
        radius = self.nearest[count - 1][0]
        return [place_id for squared, place_id in self.nearest if squared <= radius]


def distance_km(squared_degrees: float) -> float:
    return round(KM_PER_DEGREE * math.sqrt(squared_degrees), 1)


# --- the search -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPlan:
    rows: QuerySet  # visible rows, filtered, with what a result list shows
    words: list[str]
    keyword_index: keywords.KeywordIndex
    ordering: tuple
    origin: Origin | None
    kelurahan_path: str  # from a row to its kelurahan
    may_look_nearby_first: bool  # sorted by distance, and not within one kelurahan anyway

    def with_distance(self, rows: QuerySet) -> QuerySet:
        if self.origin is None:
            return rows
        return rows.annotate(distance=self.origin.distance(self.kelurahan_path))


def search(plan: SearchPlan, *, page: int, page_size: int) -> SearchPage:
    matched = plan.with_distance(plan.rows)
    offset = (page - 1) * page_size
    if plan.words:
        match = keywords.keyword_match(matched, plan.words, plan.keyword_index)
        matched = match.condition.apply(matched)
        total, total_is_exact = match.total, match.total_is_exact
    else:
        match = None
        total, total_is_exact = keywords.capped_count(matched)
    ids = page_ids(plan, matched, match, total_is_exact, offset, page_size) if total else []
    items = rows_in_order(plan, ids)
    is_fuzzy = match is not None and match.is_fuzzy
    return SearchPage(items, total, total_is_exact, page, page_size, is_fuzzy)


def page_ids(
    plan: SearchPlan,
    matched: QuerySet,
    match: keywords.KeywordMatch | None,
    total_is_exact: bool,
    offset: int,
    size: int,
) -> list:
    if match is not None:
        if plan.ordering[0] == "-relevance":
            return match.ranked_ids(offset, size)
        if match.total_is_exact or match.is_fuzzy:
            # Every hit is known (close spellings: the first COUNT_CAP are all that is shown).
            hits = plan.with_distance(plan.rows).filter(pk__in=match.shown_hits)
            return ids_of(hits.order_by(*by_value(plan.ordering)), offset, size)
    if plan.may_look_nearby_first and not total_is_exact:
        # Sorting 200,000 products by distance takes 100 ms; the nearest few kelurahan hold
        # the first pages of a common search. The page is right if a ring fills it: every row
        # outside the ring is farther than every row in it. The first ring guesses many hits
        # (a browse, a staple), the second only the COUNT_CAP known.
        tried: list[int] = []
        for hits in (RING_OPTIMISM * keywords.COUNT_CAP, keywords.COUNT_CAP):
            ring = plan.origin.ring(offset + size, hits)
            if ring is None or ring == tried:
                continue
            nearby = matched.filter(**{f"{plan.kelurahan_path}_id__in": ring})
            ids = ids_of(nearby.order_by(*plan.ordering), offset, size)
            if len(ids) == size:
                return ids
            tried = ring
    ordering = plan.ordering if match is None else by_value(plan.ordering)
    return ids_of(matched.order_by(*ordering), offset, size)


def by_value(ordering: tuple) -> list:
    """The same order, as expressions no index serves. With a keyword, the planner would walk
    the price index hoping to meet a match soon; "beras" is never cheap (nor "gula" dear), so
    that reads 58,000 rows (50 ms) where sorting the 19,000 matches takes 20 ms."""
    values = []
    for name in ordering:
        field_name = name.lstrip("-")
        if field_name in ("price", "created_at"):
            value = Coalesce(F(field_name), F(field_name))
            values.append(value.desc() if name.startswith("-") else value.asc())
        else:
            values.append(name)
    return values


def ids_of(rows: QuerySet, offset: int, size: int) -> list:
    return list(rows.values_list("pk", flat=True)[offset : offset + size])


def rows_in_order(plan: SearchPlan, ids: list) -> list:
    if not ids:
        return []
    found = plan.with_distance(plan.rows).in_bulk(ids)
    items = [found[pk] for pk in ids]
    for item in items:
        item.distance_km = distance_km(item.distance) if plan.origin is not None else None
    return items
