"""One tree of domain errors, each with a stable machine code and a message for people.

The API maps them to HTTP once (see peken.api); pages show `message`. Codes never change once
published: mobile clients switch on them. Messages are written in Indonesian and translated: a
class's `default_message` is marked with gettext_lazy, a message given at raise time is passed
through gettext there, and either becomes a plain str in the language of the request when the
error is made (the Indonesian text is the msgid, so Indonesian needs no catalogue). A pure
rule's refusal is translated by str() of it (see peken.core.rule_errors).
"""

from typing import Any

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    default_message = _("Permintaan tidak dapat diproses.")

    def __init__(self, message: str | None = None, **details: Any) -> None:
        # str() resolves a lazy default_message in the language active now, while it is raised.
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), **self.details}


class InvalidInput(DomainError):
    """Input that breaks a rule of its own (a NIK of the wrong length, an unknown code)."""

    code = "invalid_input"
    http_status = 422
    default_message = _("Data yang dikirim tidak valid.")


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = _("Data tidak ditemukan.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = _("Anda tidak berwenang melakukan tindakan ini.")


class OutsideArea(PermissionDenied):
    code = "outside_area"
    default_message = _("Data ini berada di luar wilayah tugas Anda.")


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
    default_message = _("Silakan masuk terlebih dahulu.")


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("Data bertentangan dengan keadaan saat ini.")


class TooManyRequests(DomainError):
    code = "too_many_requests"
    http_status = 429
    default_message = _("Terlalu banyak percobaan. Coba lagi nanti.")


def _interpolated(message: str, params: dict[str, Any]) -> str:
    return gettext(message) % params


_interpolated_lazy = lazy(_interpolated, str)


def lazy_message(message: str, **params: Any) -> Promise:
    """A default_message with values in it, translated when the error is made (`gettext_lazy(…) %`
    would translate at import). Mark `message` with gettext_noop where it is written."""
    return _interpolated_lazy(message, params)


# Refusals of a request as a whole, before any view reads it (see peken.core.middleware).


class InvalidCharacters(DomainError):
    """A NUL character: no text of ours holds one, and PostgreSQL cannot store it."""

    code = "invalid_characters"
    default_message = _("Data berisi karakter yang tidak diizinkan (karakter NUL).")


class RequestTooLarge(DomainError):
    code = "request_too_large"
    http_status = 413
    default_message = _("Permintaan terlalu besar.")


class MultipartInvalid(DomainError):
    code = "multipart_invalid"
    default_message = _("Unggahan tidak dapat dibaca: batas (boundary) multipart tidak ada.")


class NumberTooLarge(DomainError):
    """A whole number past what a 64-bit database integer holds (an id, a page)."""

    code = "number_too_large"
    default_message = _("Angka terlalu besar.")
