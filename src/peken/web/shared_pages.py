"""Whole buyer pages drawn once for everyone who would see the same page, and kept for a few
seconds (PEKEN_LISTING_CACHE_SECONDS) under the listing generation, so a shop that reaches its
cap leaves every kept page at once. At payday thousands of ASN of the same kelurahan open the
same search and the same home listing: drawing each page once per group instead of once per
request is what keeps the server's CPU per page near a bare view's.

A kept page is drawn with stand-ins where each person's own bits go (the CSRF token, the unread
and cart badges, and any part a view names as personal, such as the greeting and the obligation
bar of the home page); every request fills in its own. A page with a message waiting for the
reader is drawn for that reader alone."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from peken.core.cache import LISTING, cache_key, kept_get, kept_set
from peken.notifications.selectors import unread_count
from peken.web.cart import cart_count

CSRF_STAND_IN = "csrf-stand-in-0f6e2a"
BADGES = {"unread": "unread", "cart": "cart-count"}  # stand-in name → the badge's test id


def stand_in(name: str) -> str:
    """Where a reader's own bit goes on a kept page (safe: drawn into the page as it is)."""
    return mark_safe(f"<!--peken:{name}-->")


def badge(name: str, count: int) -> str:
    """The little number on the bell or the cart; nothing when it is zero."""
    if not count:
        return ""
    return format_html('<span class="badge" data-testid="{}">{}</span>', BADGES[name], count)


def shared_page(
    request,
    parts: tuple,
    draw: Callable[[], HttpResponse],
    personal: dict[str, Callable[[], str]] | None = None,
    family: str | tuple[str, ...] = LISTING,
) -> HttpResponse:
    """The page `draw()` answers, drawn once for everyone asking with the same `parts` (what
    the view shows differently to different people: their home, their fair listing, whether
    they may buy); `personal` names each reader's own parts (stand-in → its HTML). A page
    drawn from other figures than the listings names their `family` (core.cache)."""
    personal = personal or {}
    seconds = settings.PEKEN_LISTING_CACHE_SECONDS
    if seconds <= 0 or request.method != "GET" or len(get_messages(request)):
        return draw()
    user = request.user
    asked = (
        "page",
        request.get_full_path(),
        get_language(),
        user.is_authenticated and tuple(sorted(user.roles)),
        parts,
    )
    key = cache_key(family, asked)
    body = kept_get(key)
    if body is None:
        request.page_shared = True
        try:
            response = draw()
        finally:
            request.page_shared = False
        if response.status_code != 200:
            return response
        body = response.content.decode()
        kept_set(key, body, seconds)
    return HttpResponse(filled(request, body, personal))


def filled(request, body: str, personal: dict[str, Callable[[], str]]) -> str:
    """A kept page with this reader's own bits in place of the stand-ins."""
    counts = personal_counts(request)
    body = body.replace(CSRF_STAND_IN, get_token(request))
    for name in BADGES:
        body = body.replace(stand_in(name), badge(name, counts[f"{name}_count"]), 1)
    for name, html in personal.items():
        body = body.replace(stand_in(name), html(), 1)
    return body


def personal_counts(request) -> dict:
    """The layout's two numbers for this reader: items in the cart, unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"cart_count": 0, "unread_count": 0}
    return {"cart_count": cart_count(request.session), "unread_count": unread_count(user)}
