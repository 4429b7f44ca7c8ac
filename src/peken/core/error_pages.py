"""Peken's own pages for 400, 403, 404 and 500, in the visitor's language, each with a way home;
under /api/ the same refusals in the API's JSON shape.

403 and 404 use the site's layout. 400 and 500 use a bare page of their own: a 400 may come from
a request too broken to draw the menu for (a bad Host, a body past the limit), and a 500 may come
from the database or a template, so its page reads neither and falls back to fixed words if even
it cannot be drawn.
"""

import logging

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import requires_csrf_token

from peken.core.errors import DomainError, NotFound, PermissionDenied

log = logging.getLogger(__name__)
API_PREFIX = "/api/"
# The last resort when even 500.html cannot be drawn: both languages, no template, no database.
FIXED_500 = (
    "<!doctype html><html lang='id'><meta charset='utf-8'><title>Peken</title>"
    "<h1>Terjadi kesalahan di server / Server error</h1>"
    "<p>Coba lagi sebentar lagi. / Please try again shortly.</p>"
    "<p><a href='/'>Beranda / Home</a></p></html>"
)


STALE_FORM = gettext_noop(
    "Formulir ini sudah kedaluwarsa atau dikirim dari luar Peken. Muat ulang halamannya lalu "
    "coba lagi."
)


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _message_of(exception) -> str:
    """A refusal's own words when they are ours (a DomainError turned into Http404 or
    PermissionDenied by peken.web.pages); Django's and libraries' are for developers."""
    cause = getattr(exception, "__cause__", None)
    return cause.message if isinstance(cause, DomainError) else ""


def _api(status: int, body: dict) -> JsonResponse:
    return JsonResponse(body, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    if is_api(request):
        return _api(400, {"code": "bad_request", "message": _("Permintaan tidak dapat dibaca.")})
    return HttpResponse(loader.render_to_string("400.html"), status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api(request):
        return _api(403, PermissionDenied().as_dict())
    return render(request, "403.html", {"reason": _message_of(exception)}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api(request):
        return _api(404, NotFound().as_dict())
    return render(request, "404.html", {"reason": _message_of(exception)}, status=404)


def server_error(request):
    if is_api(request):
        return _api(
            500,
            {"code": "server_error", "message": _("Terjadi kesalahan di server. Coba lagi nanti.")},
        )
    try:
        return HttpResponse(loader.render_to_string("500.html"), status=500)
    except Exception:  # the page of last resort must not fail in its turn
        log.exception("500.html could not be drawn")
        return HttpResponse(FIXED_500, status=500)


def csrf_failure(request, reason=""):
    """A form sent after its page went stale (or from elsewhere): say so, not Django's page."""
    if is_api(request):
        return _api(403, PermissionDenied().as_dict())
    return render(request, "403.html", {"reason": _(STALE_FORM)}, status=403)


class NotFoundPageMiddleware:
    """With DEBUG on (`make run`, the demo) Django answers a missing page with its debug page,
    which lists every URL pattern of the site. This answers with Peken's own 404 instead, as
    production does; with DEBUG off Django already calls page_not_found and this steps aside.

    Last in MIDDLEWARE, so the page has the visitor's language and account, and CommonMiddleware
    still turns a 404 for `/keranjang` into a redirect to `/keranjang/`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not _resolves(request):
            return page_not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


def _resolves(request) -> bool:
    try:
        resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return True
