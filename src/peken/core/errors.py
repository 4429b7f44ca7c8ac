"""One tree of domain errors, each with a stable machine code and an Indonesian message.

The API maps them to HTTP once (see peken.api); pages show `message`. Codes never change once
published: mobile clients switch on them.
"""

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400
    default_message = "Permintaan tidak dapat diproses."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class InvalidInput(DomainError):
    """Input that breaks a rule of its own (a NIK of the wrong length, an unknown code)."""

    code = "invalid_input"
    http_status = 422
    default_message = "Data yang dikirim tidak valid."


class NotFound(DomainError):
    code = "not_found"
    http_status = 404
    default_message = "Data tidak ditemukan."


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403
    default_message = "Anda tidak berwenang melakukan tindakan ini."


class OutsideArea(PermissionDenied):
    code = "outside_area"
    default_message = "Data ini berada di luar wilayah tugas Anda."


class NotAuthenticated(DomainError):
    code = "not_authenticated"
    http_status = 401
    default_message = "Silakan masuk terlebih dahulu."


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = "Data bertentangan dengan keadaan saat ini."


class TooManyRequests(DomainError):
    code = "too_many_requests"
    http_status = 429
    default_message = "Terlalu banyak percobaan. Coba lagi nanti."
