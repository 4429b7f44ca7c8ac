"""Midtrans Core API: QRIS and virtual account charges, status, refunds and notifications.

Requests use HTTP Basic auth with the server key as user name and no password. Midtrans answers
with a JSON `status_code` that can disagree with the HTTP status (an HTTP 200 can carry a 404),
so both are read. Its times are WIB wall-clock strings; its amounts are strings like "15000.00".
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from peken.core.months import WIB
from peken.payments.gateways.base import (
    VA_BANKS,
    Charge,
    ChargeNotFound,
    ChargeRequest,
    GatewayRejected,
    GatewayResponseInvalid,
    GatewayUnavailable,
    Notification,
    NotificationMalformed,
    ReferenceUsed,
    Refund,
    RefundRejected,
    SignatureInvalid,
    notification_json,
)

logger = logging.getLogger(__name__)

GATEWAY_NAME = "midtrans"
SANDBOX_BASE_URL = "https://api.sandbox.midtrans.com"
PRODUCTION_BASE_URL = "https://api.midtrans.com"
MIDTRANS_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

TRANSACTION_STATUSES = {
    "settlement": "paid",
    "pending": "pending",
    "authorize": "pending",
    "expire": "expired",
    "cancel": "failed",
    "deny": "failed",
    "failure": "failed",
    "refund": "refunded",
    "partial_refund": "refunded",
    # A chargeback returns the money to the payer through the bank: for us it is a refund.
    "chargeback": "refunded",
    "partial_chargeback": "refunded",
}
CAPTURE_FRAUD_STATUSES = {"accept": "paid", "challenge": "pending", "deny": "failed"}


def midtrans_status(transaction_status: str, fraud_status: str | None = None) -> str:
    """Our status for a Midtrans transaction_status (and fraud_status, for card captures)."""
    if transaction_status == "capture":
        return CAPTURE_FRAUD_STATUSES.get(fraud_status or "accept", "pending")
    status = TRANSACTION_STATUSES.get(transaction_status)
    if status is None:
        # A status Midtrans added after this was written: pending changes nothing and
        # reconciliation asks again later, where guessing paid or failed could lose money.
        logger.warning("Unknown Midtrans transaction_status %r", transaction_status)
        return "pending"
    return status


def midtrans_signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


class MidtransGateway:
    name = GATEWAY_NAME

    def __init__(
        self,
        *,
        server_key: str,
        base_url: str = SANDBOX_BASE_URL,
        timeout_seconds: float = 10.0,
        qris_acquirer: str = "gopay",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not server_key:
            raise ImproperlyConfigured("PEKEN_MIDTRANS_SERVER_KEY must be set to use Midtrans.")
        self.server_key = server_key
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.qris_acquirer = qris_acquirer
        self.clock = clock
        credentials = base64.b64encode(f"{server_key}:".encode()).decode()
        self._authorization = f"Basic {credentials}"

    @classmethod
    def from_settings(cls) -> "MidtransGateway":
        return cls(
            server_key=getattr(settings, "PEKEN_MIDTRANS_SERVER_KEY", ""),
            base_url=getattr(settings, "PEKEN_MIDTRANS_BASE_URL", SANDBOX_BASE_URL),
            timeout_seconds=float(getattr(settings, "PEKEN_MIDTRANS_TIMEOUT_SECONDS", 10)),
            qris_acquirer=getattr(settings, "PEKEN_MIDTRANS_QRIS_ACQUIRER", "gopay"),
        )

    def charge_create(self, request: ChargeRequest) -> Charge:
        answer = self._call("POST", "/v2/charge", _charge_body(request, self.qris_acquirer))
        if TRANSACTION_STATUSES.get(answer.get("transaction_status", "")) == "failed":
            raise GatewayRejected(gateway_message=answer.get("status_message", ""))
        try:
            return self._charge_of(request, answer)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            raise GatewayResponseInvalid(reason=f"charge answer: {error!r}") from error

    def charge_status(self, reference: str) -> Notification:
        answer = self._call("GET", f"/v2/{_quoted(reference)}/status")
        try:
            return _notification_of(answer, notification_id="")
        except (KeyError, TypeError, ValueError) as error:
            raise GatewayResponseInvalid(reason=f"status answer: {error!r}") from error

    def notification_parse(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        data = notification_json(body)
        parts = [data.get(name) for name in ("order_id", "status_code", "gross_amount")]
        signature = data.get("signature_key")
        if not all(isinstance(part, str) and part for part in parts):
            raise NotificationMalformed()
        if not isinstance(signature, str) or not signature:
            raise SignatureInvalid(message=_("Notifikasi pembayaran tidak bertanda tangan."))
        expected = midtrans_signature(*parts, self.server_key)
        if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
            raise SignatureInvalid()
        try:
            return _notification_of(data, notification_id=_event_id(data))
        except (KeyError, TypeError, ValueError) as error:
            raise NotificationMalformed(reason=repr(error)) from error

    def refund_create(
        self, reference: str, amount: int, reason: str, *, refund_key: str | None = None
    ) -> Refund:
        # Midtrans takes letters, digits, dash and underscore; the same key never refunds twice.
        key = refund_key or re.sub(r"[^A-Za-z0-9_-]", "-", f"{reference}-{uuid.uuid4().hex[:12]}")
        body = {"refund_key": key, "amount": amount, "reason": reason}
        answer = self._call("POST", f"/v2/{_quoted(reference)}/refund", body, RefundRejected)
        try:
            refunded = _rupiah(answer.get("refund_amount", amount))
            refund_id = answer.get("refund_chargeback_id") or answer.get("refund_chargeback_uuid")
        except (TypeError, ValueError) as error:
            raise GatewayResponseInvalid(reason=f"refund answer: {error!r}") from error
        return Refund(
            gateway=GATEWAY_NAME,
            reference=reference,
            refund_key=answer.get("refund_key") or key,
            gateway_refund_id=str(refund_id or ""),
            amount=refunded,
            reason=reason,
            status="done"
            if answer.get("transaction_status") in ("refund", "partial_refund")
            else "pending",
            created_at=self.clock(),
            raw=answer,
        )

    def _charge_of(self, request: ChargeRequest, answer: dict) -> Charge:
        expiry = answer.get("expiry_time")
        if expiry:
            expires_at = _wib_time(expiry)
        else:
            expires_at = self.clock() + timedelta(minutes=request.expires_in_minutes)
        return Charge(
            gateway=GATEWAY_NAME,
            reference=request.reference,
            gateway_transaction_id=answer["transaction_id"],
            method=request.method,
            amount=request.amount,
            expires_at=expires_at,
            raw=answer,
            **_payment_instructions(request.method, answer),
        )

    def _call(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        rejected: type[GatewayRejected] = GatewayRejected,
    ) -> dict:
        request = urllib.request.Request(
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Authorization": self._authorization,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                http_status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            http_status, text = error.code, error.read()
            error.close()
        except (OSError, http.client.HTTPException) as error:  # timeouts, refusals, resets
            raise GatewayUnavailable(reason=str(error)) from error
        return _answer_checked(http_status, text, rejected)


def _charge_body(request: ChargeRequest, qris_acquirer: str) -> dict:
    body: dict = {
        "transaction_details": {"order_id": request.reference, "gross_amount": request.amount},
        "custom_expiry": {"expiry_duration": request.expires_in_minutes, "unit": "minute"},
    }
    if request.customer_name:
        body["customer_details"] = {"first_name": request.customer_name[:255]}
    if request.method == "qris":
        return body | {"payment_type": "qris", "qris": {"acquirer": qris_acquirer}}
    bank = VA_BANKS[request.method]
    if bank == "mandiri":
        # Mandiri's bill payment shows these lines at the ATM: 10 and 30 characters at most.
        bill = {"bill_info1": "Pembayaran", "bill_info2": "Belanja di Peken"}
        return body | {"payment_type": "echannel", "echannel": bill}
    return body | {"payment_type": "bank_transfer", "bank_transfer": {"bank": bank}}


def _payment_instructions(method: str, answer: dict) -> dict:
    if method == "qris":
        return {"qris_payload": _required(answer, "qr_string")}
    bank = VA_BANKS[method]
    if bank == "mandiri":
        return {
            "va_bank": bank,
            "va_number": _required(answer, "bill_key"),
            "va_biller_code": _required(answer, "biller_code"),
        }
    if bank == "permata" and answer.get("permata_va_number"):
        return {"va_bank": bank, "va_number": answer["permata_va_number"]}
    numbers = {entry["bank"]: entry["va_number"] for entry in answer["va_numbers"]}
    return {"va_bank": bank, "va_number": numbers[bank]}


def _answer_checked(http_status: int, text: bytes, rejected: type[GatewayRejected]) -> dict:
    try:
        answer = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        answer = None
    if http_status >= 500:
        raise GatewayUnavailable(http_status=http_status)
    if not isinstance(answer, dict):
        raise GatewayResponseInvalid(http_status=http_status)
    # A transaction in the answer is data, whatever its code: 407 means "expired", not an error.
    if "transaction_status" in answer and http_status < 400:
        return answer
    status = http_status if http_status >= 400 else _status_code(answer)
    if status < 300:
        return answer
    details = {"gateway_status": status, "gateway_message": str(answer.get("status_message", ""))}
    if status >= 500:
        raise GatewayUnavailable(**details)
    if status == 404:
        raise ChargeNotFound(**details)
    if status == 406:
        raise ReferenceUsed(**details)
    raise rejected(**details)


def _status_code(answer: dict) -> int:
    code = str(answer.get("status_code", ""))
    return int(code) if code.isdigit() else 200


def _notification_of(data: dict, *, notification_id: str) -> Notification:
    status = midtrans_status(data["transaction_status"], data.get("fraud_status"))
    return Notification(
        gateway=GATEWAY_NAME,
        reference=_required(data, "order_id"),
        gateway_transaction_id=_required(data, "transaction_id"),
        status=status,
        amount=_rupiah(data["gross_amount"]),
        occurred_at=_occurred_at(data, status),
        raw=data,
        notification_id=notification_id,
        refunded_amount=_refunded_amount(data, status),
    )


def _occurred_at(data: dict, status: str) -> datetime:
    refunds = data.get("refunds") or []
    candidates = {
        "paid": [data.get("settlement_time")],
        "expired": [data.get("expiry_time")],
        "refunded": [refunds[-1].get("created_at") if refunds else None],
    }.get(status, [])
    for text in [*candidates, data.get("transaction_time")]:
        if text:
            return _wib_time(text)
    raise ValueError("no transaction_time")


def _refunded_amount(data: dict, status: str) -> int:
    if data.get("refunds"):
        return sum(_rupiah(refund["refund_amount"]) for refund in data["refunds"])
    if "refund_amount" in data:
        return _rupiah(data["refund_amount"])
    if data.get("transaction_status") == "refund":
        return _rupiah(data["gross_amount"])
    return 0


def _event_id(data: dict) -> str:
    """Midtrans sends no notification id; a retried notification repeats these fields exactly,
    while a new event (paid, then a second partial refund) changes at least one of them."""
    parts = [
        str(data.get(name, ""))
        for name in ("transaction_id", "transaction_status", "fraud_status", "status_code")
    ]
    parts.append(str(data.get("refund_amount", "")))
    parts.append(str(len(data.get("refunds") or [])))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _rupiah(value: object) -> int:
    """'15000.00' or 15000 → 15000; a fraction of a rupiah is refused, never rounded."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"not an amount: {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {value!r}") from error
    if not amount.is_finite() or amount != amount.to_integral_value() or amount < 0:
        raise ValueError(f"not whole rupiah: {value!r}")
    return int(amount)


def _wib_time(text: str) -> datetime:
    return datetime.strptime(text, MIDTRANS_TIME_FORMAT).replace(tzinfo=WIB).astimezone(UTC)


def _required(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"missing {name}")
    return value


def _quoted(reference: str) -> str:
    return urllib.parse.quote(reference, safe="")
