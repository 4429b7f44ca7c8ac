"""The JSON API (`/api/v1/`): one NinjaAPI, its authentication, and the one place errors become
HTTP responses with stable machine codes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from peken.accounts.api import audit_router, people_router
from peken.accounts.api import router as accounts_router
from peken.accounts.api_auth import SIGNED_IN
from peken.catalog.api import router as catalog_router
from peken.catalog.search_api import router as search_router
from peken.core.errors import (
    DomainError,
    NotAuthenticated,
    NotFound,
    NumberTooLarge,
    PermissionDenied,
)
from peken.core.middleware import is_number_overflow
from peken.merchants.api import router as merchants_router
from peken.obligations.api import router as obligations_router
from peken.ordering.api import router as ordering_router
from peken.payments.api import router as payments_router
from peken.payouts.api import router as payouts_router
from peken.policy.api import router as policy_router
from peken.quotas.api import router as quotas_router
from peken.regions.api import router as regions_router
from peken.reports.api import reports_router

api = NinjaAPI(
    title="Peken API",
    version="1",
    description=(
        "API Peken untuk aplikasi seluler dan alat lain. Masuk dengan `POST /api/v1/auth/token`, "
        "lalu kirim `Authorization: Bearer <token>`. Setiap galat berisi `code` yang stabil dan "
        "`message` untuk orang: dalam bahasa Indonesia, atau bahasa Inggris dengan "
        "`Accept-Language: en`. Setiap operasi dapat menolak permintaan yang rusak: 400 "
        "`invalid_characters` (karakter NUL), 400 `number_too_large` (bilangan melewati 64 bit), "
        "400 `multipart_invalid`, 413 `request_too_large`."
    ),
    auth=SIGNED_IN,
    urls_namespace="api",
)


def _error(request, status: int, payload: dict):
    return api.create_response(request, payload, status=status)


@api.exception_handler(DomainError)
def domain_error(request, error: DomainError):
    response = _error(request, error.http_status, error.as_dict())
    if "retry_after" in error.details:
        response["Retry-After"] = str(error.details["retry_after"])
    return response


@api.exception_handler(ValidationError)
def validation_error(request, error: ValidationError):
    return _error(
        request,
        422,
        {
            "code": "invalid_input",
            "message": _("Data yang dikirim tidak valid."),
            "errors": [
                {
                    "field": ".".join(str(part) for part in item.get("loc", [])[1:]),
                    "message": item.get("msg", ""),
                }
                for item in error.errors
            ],
        },
    )


HTTP_ERROR_CODES = {
    400: ("invalid_json", gettext_lazy("Isi permintaan bukan JSON yang valid.")),
    403: ("permission_denied", PermissionDenied.default_message),
    404: ("not_found", NotFound.default_message),
    429: ("too_many_requests", gettext_lazy("Terlalu banyak permintaan. Coba lagi nanti.")),
}


@api.exception_handler(HttpError)
def http_error(request, error: HttpError):
    """ninja's own refusals (an unreadable body, …), in our shape."""
    code, message = HTTP_ERROR_CODES.get(error.status_code, ("http_error", error.message))
    return _error(request, error.status_code, {"code": code, "message": str(message)})


@api.exception_handler(AuthenticationError)
def authentication_error(request, error):
    return _error(request, 401, NotAuthenticated().as_dict())


@api.exception_handler(Http404)
def not_found(request, error):
    return _error(request, 404, NotFound().as_dict())


@api.exception_handler(DjangoPermissionDenied)
def permission_denied(request, error):
    return _error(request, 403, PermissionDenied().as_dict())


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def number_overflow(request, error):
    """A number past 64 bits that reached the database (inside a JSON body): the client's
    mistake, not ours. (RequestGuardMiddleware does the same for pages and without DEBUG.)"""
    if not is_number_overflow(error):
        raise error
    return _error(request, 400, NumberTooLarge().as_dict())


api.add_router("/regions", regions_router)
api.add_router("/", accounts_router)
api.add_router("/people", people_router)
api.add_router("/audit", audit_router)
api.add_router("/", merchants_router)
api.add_router("/", catalog_router)
api.add_router("/", search_router)
api.add_router("/", ordering_router)
api.add_router("/", quotas_router)
api.add_router("/", policy_router)
api.add_router("/", obligations_router)
api.add_router("/", payments_router)
api.add_router("/", payouts_router)
api.add_router("/", reports_router)
