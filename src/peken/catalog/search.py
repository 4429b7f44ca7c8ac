"""Search for buyers: products and shops by keyword, filters and order. One set of selectors for
the API and the pages; only what buyers may see is searched (`products_visible`,
`merchants_visible`). Keyword matching per database is in peken.catalog.search_keywords.

A page costs a fixed few queries: a lookup per category or region code given (one for `near`,
which reads every kelurahan); the hits or a count that stops at COUNT_CAP, and the ids of the
page (ordered on the searched table, its joins only as the filters need), both in one query for
words in an order by value (the sort reads every hit anyway); the rows of those ids with their
shop and region. Close spellings add up to three; "nearest" over many hits, up to two (the
nearest kelurahan first; one with words).
"""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce

from peken.catalog import search_keywords as keywords
from peken.catalog.fairness import FAIR_ORDER, Shopper, with_fair_order, without_capped
from peken.catalog.search_distance import RING_OPTIMISM, Origin, distance_km, origin_find
from peken.catalog.search_input import (
    PAGE_MAX,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    QUERY_MAX_LENGTH,
    NearRequired,
    PriceRangeInvalid,
    QueryTooLong,
    UnknownCategory,
    UnknownKecamatan,
    UnknownKelurahan,
    category_id,
    choice,
    kecamatan_find,
    kelurahan_find,
    page_check,
    price_range_check,
    search_words,
    sort_choose,
)
from peken.catalog.selectors import products_visible
from peken.merchants.models import Merchant
from peken.merchants.selectors import merchants_visible

PRODUCT_SORTS = ("relevance", "price_asc", "price_desc", "newest", "nearest")
MERCHANT_SORTS = ("relevance", "name", "newest", "nearest")
# Newest products with words: a window of the newest products first, 40 times the rows a page
# needs: enough when one product in 20 has the words (beras: one in 10), with a margin of 2.
NEWEST_WINDOW = 40
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
    plan = plan_for(
        rows,
        words=words,
        sort=sort,
        orders=PRODUCT_ORDER,
        keyword_index=keywords.PRODUCT_KEYWORDS,
        near_kelurahan=near_kelurahan,
        within_one_kelurahan=bool(kelurahan),
        shopper=shopper,
        merchant_id="merchant_id",
        kelurahan_path="merchant__kelurahan",
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
    plan = plan_for(
        rows,
        words=words,
        sort=sort,
        orders=MERCHANT_ORDER,
        keyword_index=keywords.MERCHANT_KEYWORDS,
        near_kelurahan=near_kelurahan,
        within_one_kelurahan=bool(kelurahan),
        shopper=shopper,
        merchant_id="id",
        kelurahan_path="kelurahan",
    )
    return search(plan, page=page, page_size=page_size)


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


def plan_for(
    rows: QuerySet,
    *,
    words: list[str],
    sort: str,
    orders: dict,
    keyword_index: keywords.KeywordIndex,
    near_kelurahan: str | None,
    within_one_kelurahan: bool,
    shopper: Shopper | None,
    merchant_id: str,
    kelurahan_path: str,
) -> SearchPlan:
    """The filtered rows, seen as the shopper sees them, and how to order them."""
    return SearchPlan(
        rows=for_shopper(rows, shopper, sort, merchant_id=merchant_id, kelurahan=kelurahan_path),
        words=words,
        keyword_index=keyword_index,
        ordering=orders[sort],
        origin=origin_find(near_kelurahan, sort),
        kelurahan_path=kelurahan_path,
        may_look_nearby_first=sort == "nearest" and not within_one_kelurahan,
    )


def search(plan: SearchPlan, *, page: int, page_size: int) -> SearchPage:
    matched = plan.with_distance(plan.rows)
    offset = (page - 1) * page_size
    if plan.words:
        match, ids = keyword_page(plan, matched, offset, page_size)
        total, total_is_exact, is_fuzzy = match.total, match.total_is_exact, match.is_fuzzy
    else:
        total, total_is_exact = keywords.capped_count(matched)
        ids = browse_page(plan, matched, total_is_exact, offset, page_size) if total else []
        is_fuzzy = False
    items = rows_in_order(plan, ids)
    return SearchPage(items, total, total_is_exact, page, page_size, is_fuzzy)


def keyword_page(
    plan: SearchPlan, matched: QuerySet, offset: int, size: int
) -> tuple[keywords.KeywordMatch, list]:
    """The words' hits, counted up to COUNT_CAP, and the page's ids: the hits counted, ranked;
    or a slice of the catalog first (slice_ids), then a count; or every hit sorted (by price,
    date or distance) and counted in the same pass."""
    words, index = plan.words, plan.keyword_index
    if plan.ordering[0] == "-relevance":
        match = keywords.keyword_match(plan.rows, words, index)
        return match, match.ranked_ids(offset, size) if match.total else []
    exact = keywords.exact_condition(words, index)
    # SQLite: FTS5 lists every hit anyway; rings, as when browsing, save sorting them all.
    rings_only = plan.may_look_nearby_first and not exact.where_row_by_row
    first = slice_ids(plan, exact, offset, size) if exact.where_row_by_row else None
    if first is not None or rings_only:
        match = keywords.keyword_match(plan.rows, words, index)
        if not match.is_fuzzy:  # (a page of fewer than FUZZY_BELOW rows may be)
            if rings_only and match.total:
                first = browse_page(plan, exact.apply(matched), match.total_is_exact, offset, size)
            return match, first or []
    else:
        order = keywords.PageOrder(by_value(plan.ordering), offset, size)
        match = keywords.keyword_match(matched, words, index, order)
        if not match.is_fuzzy:
            return match, match.page
    # Close spellings: the first FUZZY_CAP found are all that is shown.
    hits = matched.filter(pk__in=match.shown_hits).order_by(*by_value(plan.ordering))
    return match, ids_of(hits, offset, size)


def slice_ids(
    plan: SearchPlan, exact: keywords.KeywordCondition, offset: int, size: int
) -> list | None:
    """The page from a slice holding the first rows of the order, if it fills it (every row
    outside is farther, or older); else None. Sorting every hit of a common word reads 13,000
    products (20 ms), a slice 1,600: reached by kelurahan or date, each tested for the words.
    Through the full-text index it would cost every hit, which the planner, misjudging how
    often words come together ("gula pasir 1 kg": 6 rows expected, 5,800 found), may choose."""
    if plan.may_look_nearby_first:
        ring = plan.origin.ring_for_words(offset + size)
        within = Q(**{f"{plan.kelurahan_path}_id__in": ring}) if ring else None
    elif plan.ordering[0] == "-created_at" and plan.keyword_index is keywords.PRODUCT_KEYWORDS:
        within = newest_window(plan, offset + size)
    else:
        return None
    if within is None:
        return None
    rows = exact.apply_row_by_row(plan.with_distance(plan.rows)).filter(within)
    ids = ids_of(rows.order_by(*plan.ordering), offset, size)
    return ids if len(ids) == size else None


def newest_window(plan: SearchPlan, rows_needed: int) -> Q | None:
    """The newest NEWEST_WINDOW times the rows needed; None in a catalog that small. Products
    only: their date is indexed and their words stored (a shop's are computed row by row)."""
    newest = plan.rows.model.objects.order_by("-created_at").values_list("created_at", flat=True)
    boundary = list(newest[rows_needed * NEWEST_WINDOW :][:1])
    return Q(created_at__gte=boundary[0]) if boundary else None


def browse_page(
    plan: SearchPlan, matched: QuerySet, total_is_exact: bool, offset: int, size: int
) -> list:
    """The page of a browse (or of words on SQLite, nearest first). Sorting 200,000 products by
    distance takes 100 ms; the nearest few kelurahan hold the first pages. The page is right
    if a ring of them fills it: every row outside the ring is farther than every row in it.
    The first ring guesses many hits, the second only the COUNT_CAP known."""
    if plan.may_look_nearby_first and not total_is_exact:
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
    return ids_of(matched.order_by(*plan.ordering), offset, size)


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


# Names the API and tests reach through this module.
__all__ = [
    "PAGE_MAX",
    "PAGE_SIZE_DEFAULT",
    "PAGE_SIZE_MAX",
    "QUERY_MAX_LENGTH",
    "NearRequired",
    "Origin",
    "PriceRangeInvalid",
    "QueryTooLong",
    "SearchPage",
    "UnknownCategory",
    "UnknownKecamatan",
    "UnknownKelurahan",
    "merchant_search",
    "product_search",
]
