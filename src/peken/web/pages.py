"""What every page shares: who may open it, and how a refused action reads to a person.

Views call the same services and selectors as the API. A DomainError becomes a message in
Indonesian on the page the person came from (or in the page's #pesan area for htmx requests),
never a 500; NotFound is a 404 and PermissionDenied a 403, as in the API."""

from functools import wraps
from urllib.parse import urlparse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html

from peken.accounts.permissions import has_role, is_writer
from peken.core.errors import DomainError, NotFound, PermissionDenied


def role_required(*roles: str):
    """Signed in (else to /masuk/) and holding one of `roles` (else 403)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def checked(request, *args, **kwargs):
            if roles and not has_role(request.user, *roles):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return checked

    return decorate


def writer_required(view):
    """Signed in, and not an auditor only: the auditor reads everything and changes nothing,
    so a form that would change something is refused before it is filled in."""

    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_writer(request.user):
            raise DjangoPermissionDenied
        return view(request, *args, **kwargs)

    return checked


def domain_errors(view):
    """A refused action (cap reached, stock gone, wrong status …) is told, not crashed on."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except PermissionDenied as error:
            raise DjangoPermissionDenied(error.message) from error
        except DomainError as error:
            return error_response(request, error)

    return guarded


def error_response(request, error: DomainError) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(
            format_html(
                '<p class="flash error" role="alert" data-code="{}">{}</p>',
                error.code,
                error.message,
            )
        )
        response["HX-Retarget"] = "#pesan"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, error.message, extra_tags=error.code)
    return redirect(back_to(request))


def back_to(request, fallback: str = "/") -> str:
    """Where the person came from, if it is one of our pages."""
    referer = request.headers.get("Referer", "")
    parsed = urlparse(referer)
    if referer and parsed.netloc == request.get_host():
        # A browser may send just the origin ("https://host", no path): that is the home page.
        return (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    return request.path if request.method == "GET" else fallback
