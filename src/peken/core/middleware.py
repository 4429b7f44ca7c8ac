"""RequestGuardMiddleware: a request no client of ours would send gets a clear 4xx before any
view reads it, instead of a 500 from deep inside (issue 17).

- a NUL character anywhere in the path, the query, a form or a JSON body: 400 invalid_characters
  (no text of ours holds one, and PostgreSQL refuses to store it);
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE (files of a multipart upload aside): 413
  request_too_large;
- multipart without its boundary, or unreadable: 400 multipart_invalid;
- a whole number past 64 bits as a query value or a path segment: 400 number_too_large; one
  that reaches the database anyway (inside a JSON body, an offset) is caught on its way back.

Pages get a page, /api/ the API's JSON error (`code` and `message`). It sits after the locale
and the session, so the message is in the visitor's language in the usual layout, and before any
view reads the body (the CSRF check reads forms in process_view, which runs after this).
"""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.http import parse_header_parameters

from peken.core.errors import (
    DomainError,
    InvalidCharacters,
    MultipartInvalid,
    NumberTooLarge,
    RequestTooLarge,
)

INT64_MAX = 2**63 - 1
INTEGER = re.compile(r"[+-]?\d+")
# `\u0000` in JSON text becomes a NUL once parsed, unless its backslash is itself escaped.
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# PostgreSQL's "numeric value out of range" (a bigint column or an OFFSET past 64 bits).
NUMERIC_OUT_OF_RANGE = "22003"
# A refused body is read to its end (up to this much) and thrown away before the answer goes out.
# gunicorn drains only 64 KB of a body the application left unread, then closes the connection;
# nginx, still sending the rest, then answers the visitor 502 instead of our 413. Behind nginx,
# which holds the whole body already, the reading is quick; nginx refuses larger bodies itself
# (client_max_body_size in deploy/nginx/peken.conf).
REFUSED_BODY_READ_MAX = 32 * 1024 * 1024


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = request_refusal(request)
        if refusal is not None:
            return refusal_response(request, refusal)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if is_number_overflow(exception):
            return refusal_response(request, NumberTooLarge())
        return None


def request_refusal(request: HttpRequest) -> DomainError | None:
    """Why this request is refused as a whole, or None."""
    if "\x00" in request.path or any(_has_nul(item) for item in request.GET.lists()):
        return InvalidCharacters()
    numbers = [*request.path.split("/"), *(v for _, vs in request.GET.lists() for v in vs)]
    if any(is_past_64_bits(text) for text in numbers):
        return NumberTooLarge()
    return _body_refusal(request)


def _body_refusal(request: HttpRequest) -> DomainError | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.lower().startswith("multipart/"):
        return _multipart_refusal(request, content_type)
    length = _content_length(request)
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        _discard_body(request)
        return RequestTooLarge()
    if length == 0:
        return None
    body = request.body
    if b"\x00" in body or JSON_NUL.search(body):
        return InvalidCharacters()
    if any(_has_nul(item) for item in request.POST.lists()):  # %00 in a form
        return InvalidCharacters()
    return None


def _multipart_refusal(request: HttpRequest, content_type: str) -> DomainError | None:
    _, parameters = parse_header_parameters(content_type)
    if not parameters.get("boundary"):
        return MultipartInvalid()
    if request.method != "POST":
        return None  # Django parses only a POST's fields; the view reads any other itself
    try:
        fields = request.POST  # the files' bytes may hold anything: only text fields are checked
    except MultiPartParserError:
        return MultipartInvalid()
    except RequestDataTooBig:  # its text fields alone are over the limit
        _discard_body(request)
        return RequestTooLarge()
    if any(_has_nul(item) for item in fields.lists()):
        return InvalidCharacters()
    return None


def _discard_body(request: HttpRequest) -> None:
    """Reads what is left of a refused body, in pieces, keeping none of it."""
    remaining = REFUSED_BODY_READ_MAX
    while remaining > 0:
        try:
            piece = request.read(min(remaining, 64 * 1024))
        except OSError:  # the client went away (UnreadablePostError): nothing left to answer
            return
        if not piece:
            return
        remaining -= len(piece)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # as Django reads it: no body


def _has_nul(item: tuple[str, list[str]]) -> bool:
    key, values = item
    return "\x00" in key or any("\x00" in value for value in values)


def is_past_64_bits(text: str) -> bool:
    """A whole number no 64-bit database integer holds (checked on its digits first: int() of a
    very long string is refused by Python itself)."""
    if not INTEGER.fullmatch(text):
        return False
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) > 19 or (len(digits) == 19 and int(digits) > INT64_MAX)


def is_number_overflow(error: BaseException) -> bool:
    """A number too large for the database: SQLite's OverflowError, PostgreSQL's 22003."""
    if isinstance(error, OverflowError):
        return True
    cause = error.__cause__
    return isinstance(error, DataError) and getattr(cause, "sqlstate", None) == NUMERIC_OUT_OF_RANGE


def refusal_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.http_status)
    return render(request, "core/request_refused.html", {"error": error}, status=error.http_status)
