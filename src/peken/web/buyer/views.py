"""Browsing: the buyer's home, search, a category, a shop and a product. Visitors may browse
too; buying needs an ASN or warga account (see access.py)."""

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.core.paginator import Paginator
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from peken.accounts.models import Role
from peken.accounts.permissions import has_role, is_buyer
from peken.catalog import search
from peken.catalog.fairness import Shopper, shopper_of
from peken.catalog.models import Category
from peken.catalog.selectors import categories, product_public_get, products_visible
from peken.core.cache import ACCOUNTS, LISTING, cached
from peken.core.db_router import is_anonymous_request, reads_may_lag
from peken.core.months import WIB, Month
from peken.merchants.rules import DAYS
from peken.merchants.selectors import merchant_public
from peken.obligations.rules import ObligationFigures
from peken.obligations.selectors import NotAnAsn, obligation_of
from peken.ordering.reviews import shop_rating, shop_reviews
from peken.regions.selectors import kelurahan_list
from peken.web.buyer.queries import home_kelurahan_code, shop_is_capped_for
from peken.web.buyer.search_form import (
    MERCHANT_KIND_CHOICES,
    SearchForm,
    products_found,
    sort_choices,
)
from peken.web.pages import domain_errors
from peken.web.shared_pages import CSRF_STAND_IN, shared_page

SHOPS_ON_HOME = 8
REGIONS_KEPT_SECONDS = 3600
SHOP_PRODUCTS_PER_PAGE = 20
# The newest reviews shown; the rest are in the average and the count beside the stars.
SHOP_REVIEWS_SHOWN = 10
PRODUCT_REVIEWS_SHOWN = 3


@dataclass(frozen=True)
class MonthObligation:
    """An ASN's figures for this WIB month, with the days still left in it (today included)."""

    figures: ObligationFigures
    month: Month
    days_left: int


def buyer_home(request):
    """What an ASN or warga sees first: (ASN) this month's obligation, shops near home, and
    the categories. Called by the site's home view for buyers. The shops are the same for
    neighbours; the greeting and the obligation bar are the reader's own."""
    user = request.user
    shopper = shopper_of(user)

    def draw():
        context = {
            "shops": shops_near_home(user, shopper),
            "categories": list(categories()),
            "obligation": None if getattr(request, "page_shared", False) else top()[1],
        }
        return render(request, "web/buyer/home.html", context)

    def top() -> tuple[str, MonthObligation | None]:
        obligation = this_month_obligation(user)
        context = {"user": user, "obligation": obligation}
        return render_to_string("web/buyer/_home_top.html", context, request), obligation

    home_code = home_kelurahan_code(user)
    return shared_page(request, (shopper, home_code), draw, {"home-top": lambda: top()[0]})


def this_month_obligation(user) -> MonthObligation | None:
    if not has_role(user, Role.ASN):
        return None
    now = timezone.now()
    month = Month.of(now)
    try:
        figures = obligation_of(user=user, month=month)
    except NotAnAsn:
        return None
    today = now.astimezone(WIB).date()
    last_day = month.end().date() - dt.timedelta(days=1)
    return MonthObligation(figures, month, (last_day - today).days + 1)


def shops_near_home(user, shopper: Shopper | None) -> list:
    """An ASN gets the fair order (their kelurahan, their kecamatan, then the rest; smaller
    turnover first), without shops at their cap; others the shops nearest their kelurahan."""
    home_code = None if shopper is not None and shopper.fair_ranking else home_kelurahan_code(user)

    def nearest() -> list:
        if home_code:
            return search.merchant_search(
                shopper=shopper, sort="nearest", near_kelurahan=home_code, page_size=SHOPS_ON_HOME
            ).items
        return search.merchant_search(shopper=shopper, page_size=SHOPS_ON_HOME).items

    # Neighbours share the list: the same shopper (home, month, fair order) or home kelurahan.
    asked = ("home", shopper, home_code)
    return cached(LISTING, asked, settings.PEKEN_LISTING_CACHE_SECONDS, nearest)


# A visitor's search may come from the read replica: they wrote nothing they could miss.
@reads_may_lag(when=is_anonymous_request)
def search_page(request):
    return product_list(request)


@reads_may_lag(when=is_anonymous_request)
def category_page(request, slug: str):
    category = get_object_or_404(categories(), slug=slug)
    return product_list(request, category=category)


def product_list(request, category: Category | None = None):
    """Search results (or a category's products) with the filters, order and pages."""
    shopper = shopper_of(request.user)
    home_code = home_kelurahan_code(request.user)

    def draw():
        return _product_list_drawn(request, category, shopper, home_code)

    return shared_page(request, (shopper, home_code), draw)


def _product_list_drawn(request, category, shopper, home_code):
    form = SearchForm(request.GET)
    choices = sort_choices(shopper, home_code)
    outcome = products_found(
        form, shopper=shopper, home_code=home_code, category=category.slug if category else ""
    )
    context = {
        "form": form,
        "outcome": outcome,
        "found": outcome.found,
        "category": category,
        # Read only when the filters are drawn, not when they come from the fragment cache.
        "categories": categories(),
        "regions": regions_grouped,
        "sort_choices": choices,
        "filters_key": filters_key(request, category, choices),
        "merchant_kinds": MERCHANT_KIND_CHOICES,
        "can_buy": is_buyer(request.user),
    }
    if outcome.found is not None:
        context["cards"] = product_cards(request, outcome.found.items, context["can_buy"])
    return render(request, "web/buyer/search.html", context)


def product_cards(request, products: list, can_buy: bool) -> str:
    """The result cards, drawn once for everyone shown the same cards in the same language and
    with the same buttons, then given this request's CSRF token."""
    signed_in = request.user.is_authenticated
    shown = [
        (p.pk, p.name, p.price, p.unit, p.stock, p.is_made_to_order, p.merchant_id)
        + (p.merchant.name, p.merchant.kelurahan.name, [photo.pk for photo in p.photos.all()])
        for p in products
    ]
    asked = (
        "cards",
        shown,
        get_language(),
        can_buy,
        signed_in,
        "" if signed_in else request.get_full_path(),  # the "sign in to buy" link's return
    )

    def draw() -> str:
        context = {"products": products, "can_buy": can_buy, "csrf_token": CSRF_STAND_IN}
        context.update(user=request.user, request=request)
        return render_to_string("web/buyer/_product_cards.html", context)

    html = cached(LISTING, asked, settings.PEKEN_LISTING_CACHE_SECONDS, draw)
    if getattr(request, "page_shared", False):  # the whole page's filling puts the token in
        return mark_safe(html)
    return mark_safe(html.replace(CSRF_STAND_IN, get_token(request)))


FILTER_FIELDS = ("category", "merchant_kind", "kecamatan", "kelurahan", "sort", "in_stock")


def filters_key(request, category: Category | None, choices: list) -> str:
    """Everything the filter boxes show: the language, the values chosen or typed, and the
    orders this buyer is offered."""
    chosen = [request.GET.get(name, "")[:80] for name in (*FILTER_FIELDS, "min_price", "max_price")]
    offered = [value for value, _ in choices]
    return repr((get_language(), category.slug if category else "", chosen, offered))


def regions_grouped() -> list[tuple[object, list]]:
    """[(kecamatan, [kelurahan, …]), …] for the area filters: the city's regions change almost
    never, so they are read once an hour (or when one is saved: the ACCOUNTS family)."""

    def read() -> list[tuple[object, list]]:
        rows = list(kelurahan_list())
        return [
            (kecamatan, list(members))
            for kecamatan, members in groupby(rows, key=lambda row: row.kecamatan)
        ]

    return cached(ACCOUNTS, ("regions grouped",), REGIONS_KEPT_SECONDS, read)


@domain_errors
def shop_page(request, merchant_id: int):
    shopper = shopper_of(request.user)
    return shared_page(
        request, capped_view(shopper), lambda: _shop_page_drawn(request, merchant_id, shopper)
    )


def _shop_page_drawn(request, merchant_id: int, shopper):
    merchant = merchant_public(merchant_id=merchant_id)
    products = (
        products_visible()
        .filter(merchant=merchant)
        .select_related("category", "merchant__kelurahan")
        .prefetch_related("photos")
        .order_by("name", "id")
    )
    page = Paginator(products, SHOP_PRODUCTS_PER_PAGE).get_page(request.GET.get("page"))
    average, review_count = shop_rating(merchant.pk)
    is_capped = shop_is_capped_for(shopper, merchant.pk)
    context = {
        "merchant": merchant,
        "page": page,
        "hours": [(day, merchant.opening_hours.get(day)) for day in DAYS],
        "rating": average,
        "review_count": review_count,
        "reviews": shop_reviews(merchant.pk, limit=SHOP_REVIEWS_SHOWN),
        "is_capped": is_capped,
        "can_buy": is_buyer(request.user) and not is_capped,
    }
    context["cards"] = product_cards(request, list(page), context["can_buy"])
    return render(request, "web/buyer/shop.html", context)


@domain_errors
def product_page(request, product_id: int):
    shopper = shopper_of(request.user)
    return shared_page(
        request, capped_view(shopper), lambda: _product_page_drawn(request, product_id, shopper)
    )


def capped_view(shopper: Shopper | None) -> tuple:
    """What a shop's or a product's page shows differently to ASN: whether the shop is at its
    cap this month, the same for every ASN wherever they live (fairness.without_capped)."""
    return ("asn", shopper.month) if shopper else ("not asn",)


def _product_page_drawn(request, product_id: int, shopper):
    product = product_public_get(product_id=product_id)
    is_capped = shop_is_capped_for(shopper, product.merchant_id)
    average, review_count = shop_rating(product.merchant_id)
    context = {
        "product": product,
        "merchant": product.merchant,
        "photos": list(product.photos.all()),
        "rating": average,
        "review_count": review_count,
        "reviews": shop_reviews(product.merchant_id, limit=PRODUCT_REVIEWS_SHOWN),
        "is_capped": is_capped,
        "can_buy": is_buyer(request.user) and not is_capped,
    }
    return render(request, "web/buyer/product.html", context)
