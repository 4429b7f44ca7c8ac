"""What every payment gateway offers Peken, in plain values: no database, no HTTP framework.

Amounts are whole rupiah. Times are aware datetimes in UTC. A gateway speaks of a charge by our
`reference` (the payment's idempotency key, sent to the gateway as its order id).
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, get_args

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.core.errors import DomainError, InvalidInput

PaymentMethod = Literal["qris", "va_bca", "va_bni", "va_bri", "va_mandiri", "va_permata"]
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)
VA_BANKS = {method: method.removeprefix("va_") for method in PAYMENT_METHODS if method != "qris"}

ChargeStatus = Literal["paid", "expired", "failed", "pending", "refunded"]
CHARGE_STATUSES: tuple[str, ...] = get_args(ChargeStatus)

RefundStatus = Literal["done", "pending"]

# Midtrans takes order ids of up to 50 characters from this alphabet; every gateway gets the same.
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9._~-]{1,50}")


class GatewayError(DomainError):
    """The payment gateway could not do what was asked."""

    code = "gateway_error"
    http_status = 502
    default_message = gettext_lazy("Layanan pembayaran sedang bermasalah.")


class GatewayUnavailable(GatewayError):
    """No usable answer (timeout, refused connection, 5xx). A charge may still have been made:
    ask `charge_status` before trying again."""

    code = "gateway_unavailable"
    http_status = 503
    default_message = gettext_lazy(
        "Layanan pembayaran tidak dapat dihubungi. Coba lagi beberapa saat lagi."
    )


class GatewayNotConfigured(GatewayUnavailable):
    """The configured gateway is not usable here (the simulator switched off, Midtrans without
    its key): no charge can be made until an administrator sets one up."""

    code = "gateway_not_configured"
    default_message = gettext_lazy(
        "Pembayaran belum dapat dilakukan: layanan pembayaran belum disiapkan oleh pengelola."
    )


class GatewayRejected(GatewayError):
    """The gateway answered and said no (bad credentials, invalid request, reference used)."""

    code = "gateway_rejected"
    default_message = gettext_lazy("Layanan pembayaran menolak permintaan ini.")


class GatewayResponseInvalid(GatewayUnavailable):
    """An answer we cannot read: treat it like no answer and ask charge_status later."""

    code = "gateway_response_invalid"
    default_message = gettext_lazy(
        "Jawaban layanan pembayaran tidak dapat dibaca. Coba lagi beberapa saat lagi."
    )


class ReferenceUsed(GatewayRejected):
    code = "gateway_reference_used"
    http_status = 409
    default_message = gettext_lazy("Referensi pembayaran ini sudah pernah dipakai.")


class UnknownGateway(GatewayError):
    code = "gateway_unknown"
    http_status = 404
    default_message = gettext_lazy("Layanan pembayaran tidak dikenal.")


class ChargeNotFound(GatewayError):
    code = "gateway_charge_not_found"
    http_status = 404
    default_message = gettext_lazy("Transaksi tidak ditemukan di layanan pembayaran.")


class RefundRejected(GatewayRejected):
    code = "refund_rejected"
    http_status = 409
    default_message = gettext_lazy("Pengembalian dana tidak dapat diproses untuk transaksi ini.")


class PaymentMethodUnsupported(GatewayError):
    code = "payment_method_unsupported"
    http_status = 422
    default_message = gettext_lazy("Metode pembayaran ini tidak tersedia.")


class NotificationRejected(GatewayError):
    """A notification we must not believe: forged, altered or unreadable. Answer it with 4xx."""

    code = "notification_rejected"
    http_status = 400
    default_message = gettext_lazy("Notifikasi pembayaran ditolak.")

    def __init__(self, code: str | None = None, message: str | None = None, **details: Any):
        if code is not None:
            self.code = code
        super().__init__(message, **details)


class SignatureInvalid(NotificationRejected):
    code = "signature_invalid"
    http_status = 401
    default_message = gettext_lazy("Tanda tangan notifikasi pembayaran tidak sah.")


class NotificationMalformed(NotificationRejected):
    code = "notification_malformed"
    default_message = gettext_lazy("Isi notifikasi pembayaran tidak dapat dibaca.")


@dataclass(frozen=True)
class ChargeRequest:
    reference: str
    amount: int
    method: str
    customer_name: str = ""
    expires_in_minutes: int = 60

    def __post_init__(self) -> None:
        if not REFERENCE_PATTERN.fullmatch(self.reference or ""):
            raise InvalidInput(_("Referensi pembayaran tidak valid."), field="reference")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount <= 0:
            raise InvalidInput(_("Nominal harus rupiah bulat lebih dari nol."), field="amount")
        if self.method not in PAYMENT_METHODS:
            raise PaymentMethodUnsupported(method=self.method)
        if not isinstance(self.expires_in_minutes, int) or self.expires_in_minutes < 1:
            raise InvalidInput(
                _("Batas waktu pembayaran minimal 1 menit."), field="expires_in_minutes"
            )


@dataclass(frozen=True)
class Charge:
    """What to show the payer: a QRIS payload or a virtual account number, and its deadline."""

    gateway: str
    reference: str
    gateway_transaction_id: str
    method: str
    amount: int
    expires_at: datetime
    qris_payload: str | None = None
    va_bank: str | None = None
    va_number: str | None = None
    va_biller_code: str | None = None  # Mandiri bill payment asks for it before the bill key
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Notification:
    """A charge's state as the gateway tells it, from a webhook or from a status query.

    `notification_id` names the event so a receiver can drop one it has already applied;
    `refunded_amount` is the total returned so far when the status is refunded.
    """

    gateway: str
    reference: str
    gateway_transaction_id: str
    status: str
    amount: int
    occurred_at: datetime
    raw: dict = field(compare=False)
    notification_id: str = ""
    refunded_amount: int = 0


@dataclass(frozen=True)
class Refund:
    gateway: str
    reference: str
    refund_key: str
    gateway_refund_id: str
    amount: int
    reason: str
    status: str
    created_at: datetime
    raw: dict = field(default_factory=dict, compare=False)


class PaymentGateway(Protocol):
    name: str

    def charge_create(self, request: ChargeRequest) -> Charge:
        """Ask the payer for money. A reference can be charged once; a retry after
        gateway_unavailable must first ask charge_status."""
        ...

    def charge_status(self, reference: str) -> Notification:
        """The gateway's current word on a charge, for reconciliation when in doubt."""
        ...

    def notification_parse(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """A verified notification, or NotificationRejected. Does not check for replays."""
        ...

    def refund_create(
        self, reference: str, amount: int, reason: str, *, refund_key: str | None = None
    ) -> Refund:
        """Return part or all of a paid charge. The same refund_key never refunds twice."""
        ...


def header_get(headers: Mapping[str, str], name: str) -> str:
    """A header by name whatever its case: Django's request.headers and plain dicts alike."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def notification_json(body: bytes) -> dict:
    """A notification body as a JSON object, or NotificationMalformed."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise NotificationMalformed() from error
    if not isinstance(data, dict):
        raise NotificationMalformed()
    return data
