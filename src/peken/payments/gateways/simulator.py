"""The default gateway: behaves like an Indonesian payment gateway without leaving the machine.

It hands out QRIS payloads and virtual account numbers with a deadline, and it signs the
notifications it sends (HMAC-SHA512 of the raw body in X-Peken-Signature), each carrying a
unique notification_id and a timestamp so a receiver can drop replays. Nobody really pays it:
the demo's "bayar sekarang" button and the tests call `notification_build` to play the payer.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.core.errors import Conflict, InvalidInput
from peken.payments.gateways.base import (
    CHARGE_STATUSES,
    VA_BANKS,
    Charge,
    ChargeNotFound,
    ChargeRequest,
    Notification,
    NotificationMalformed,
    ReferenceUsed,
    Refund,
    RefundRejected,
    SignatureInvalid,
    header_get,
    notification_json,
)
from peken.payments.gateways.delivery import SignedNotification
from peken.payments.gateways.store import SimulatorStore, store_from_settings
from peken.payments.qris import QrisMerchant, qris_build

GATEWAY_NAME = "simulator"
SIGNATURE_HEADER = "X-Peken-Signature"

# Made-up company codes in front of the customer digits, the way each bank shapes its VA numbers.
VA_PREFIXES = {"bca": "39000", "bni": "8808", "bri": "26215", "permata": "8625"}
MANDIRI_BILLER_CODE = "88908"


class SimulatorTransitionInvalid(Conflict):
    code = "simulator_transition_invalid"
    default_message = gettext_lazy("Status transaksi simulasi tidak dapat diubah seperti itu.")


def simulator_secret() -> str:
    """PEKEN_SIMULATOR_SECRET, or a key derived from SECRET_KEY (never SECRET_KEY itself)."""
    configured = getattr(settings, "PEKEN_SIMULATOR_SECRET", "")
    if configured:
        return configured
    return salted_hmac("peken.payments.simulator", "notification-signing").hexdigest()


def simulator_merchant() -> QrisMerchant:
    return QrisMerchant(
        name=getattr(settings, "PEKEN_SIMULATOR_MERCHANT_NAME", "PEKEN"),
        city=getattr(settings, "PEKEN_SIMULATOR_MERCHANT_CITY", "SURABAYA"),
        postal_code=getattr(settings, "PEKEN_SIMULATOR_MERCHANT_POSTAL_CODE", "60272"),
        acquirer_gui="ID.PEKEN.SIMULATOR",
        pan="9360000000000000001",
        merchant_id="PEKENSIM0001",
        nmid="ID0000000000001",
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatorGateway:
    name = GATEWAY_NAME

    def __init__(
        self,
        *,
        store: SimulatorStore,
        secret: str,
        merchant: QrisMerchant | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.secret = secret.encode()
        self.merchant = merchant or simulator_merchant()
        self.clock = clock

    @classmethod
    def from_settings(cls) -> "SimulatorGateway":
        return cls(store=store_from_settings(), secret=simulator_secret())

    # The gateway interface ------------------------------------------------------------------

    def charge_create(self, request: ChargeRequest) -> Charge:
        now = self.clock()
        transaction_id = f"SIM-{uuid.uuid4().hex[:16].upper()}"
        record = {
            "reference": request.reference,
            "transaction_id": transaction_id,
            "method": request.method,
            "amount": request.amount,
            "customer_name": request.customer_name,
            "status": "pending",
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(minutes=request.expires_in_minutes)).isoformat(),
            "status_changed_at": now.isoformat(),
            "paid_amount": None,
            "refunds": [],
            "notifications": [],
            **self._payment_instructions(request, transaction_id),
        }
        if not self.store.add(request.reference, record):
            raise ReferenceUsed(reference=request.reference)
        return _charge_of(record)

    def charge_status(self, reference: str) -> Notification:
        record = self._record(reference)
        return Notification(
            gateway=GATEWAY_NAME,
            reference=reference,
            gateway_transaction_id=record["transaction_id"],
            status=record["status"],
            amount=_reported_amount(record),
            occurred_at=datetime.fromisoformat(record["status_changed_at"]),
            raw=record,
            refunded_amount=_refunded(record),
        )

    def notification_parse(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        self._signature_check(body, header_get(headers, SIGNATURE_HEADER))
        data = notification_json(body)
        _moment(data, "timestamp")  # the receiver judges replays by it: it must at least be a time
        return Notification(
            gateway=GATEWAY_NAME,
            reference=_text(data, "reference"),
            gateway_transaction_id=_text(data, "transaction_id"),
            status=_status(data),
            amount=_whole_rupiah(data, "amount"),
            occurred_at=_moment(data, "occurred_at"),
            raw=data,
            notification_id=_text(data, "notification_id"),
            refunded_amount=_whole_rupiah(data, "refunded_amount"),
        )

    def refund_create(
        self, reference: str, amount: int, reason: str, *, refund_key: str | None = None
    ) -> Refund:
        record = self._record(reference)
        earlier = next((r for r in record["refunds"] if r["refund_key"] == refund_key), None)
        if earlier is not None:
            if earlier["amount"] != amount:
                raise RefundRejected(_("Kunci pengembalian dana sudah dipakai untuk nominal lain."))
            return _refund_of(record, earlier)
        self._refund_check(record, amount)
        now = self.clock()
        refund = {
            "refund_key": refund_key or uuid.uuid4().hex,
            "refund_id": f"SIMR-{uuid.uuid4().hex[:16].upper()}",
            "amount": amount,
            "reason": reason,
            "created_at": now.isoformat(),
        }
        record["refunds"].append(refund)
        record |= {"status": "refunded", "status_changed_at": now.isoformat()}
        self.store.put(reference, record)
        return _refund_of(record, refund)

    # Playing the payer and the gateway's webhook -------------------------------------------

    def notification_build(
        self, reference: str, status: str, *, amount: int | None = None, duplicate: bool = False
    ) -> SignedNotification:
        """A signed notification of `status`, moving the charge there first (pending → paid,
        expired or failed; refunded needs refund_create first). `amount` overrides the amount
        reported, to test a receiver's check. `duplicate` re-sends the last notification of
        that status byte for byte, as a gateway retrying a delivery does."""
        if status not in CHARGE_STATUSES:
            raise InvalidInput(_("Status notifikasi tidak dikenal."), status=status)
        record = self._record(reference)
        if duplicate:
            return self.notification_sign(_last_notification(record, status))
        self._transition(record, status, amount)
        body = {
            "notification_id": uuid.uuid4().hex,
            "timestamp": self.clock().isoformat(),
            "reference": reference,
            "transaction_id": record["transaction_id"],
            "method": record["method"],
            "status": record["status"],
            "amount": record["amount"] if amount is None else amount,
            "refunded_amount": _refunded(record),
            "occurred_at": record["status_changed_at"],
        }
        record["notifications"].append(body)
        self.store.put(reference, record)
        return self.notification_sign(body)

    def notification_sign(self, body: dict) -> SignedNotification:
        """Any body signed as the simulator signs: for tests of events that cross or lie."""
        raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        signature = hmac.new(self.secret, raw, hashlib.sha512).hexdigest()
        return SignedNotification(
            raw, {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
        )

    # Helpers --------------------------------------------------------------------------------

    def _record(self, reference: str) -> dict:
        """The stored charge, expired on read once its deadline has passed, as gateways report."""
        record = self.store.get(reference)
        if record is None:
            raise ChargeNotFound(reference=reference)
        expires_at = datetime.fromisoformat(record["expires_at"])
        if record["status"] == "pending" and self.clock() >= expires_at:
            record |= {"status": "expired", "status_changed_at": record["expires_at"]}
            self.store.put(reference, record)
        return record

    def _transition(self, record: dict, status: str, amount: int | None) -> None:
        current = record["status"]
        if status == current:
            return  # the gateway telling the same state again, under a new notification id
        if current != "pending" or status not in ("paid", "expired", "failed"):
            raise SimulatorTransitionInvalid(current=current, requested=status)
        record |= {"status": status, "status_changed_at": self.clock().isoformat()}
        if status == "paid":
            record["paid_amount"] = record["amount"] if amount is None else amount

    def _refund_check(self, record: dict, amount: int) -> None:
        if record["status"] not in ("paid", "refunded"):
            raise RefundRejected(_("Hanya transaksi yang sudah dibayar yang dapat dikembalikan."))
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise RefundRejected(_("Nominal pengembalian harus rupiah bulat lebih dari nol."))
        if amount > record["paid_amount"] - _refunded(record):
            raise RefundRejected(_("Nominal pengembalian melebihi sisa dana yang dibayar."))

    def _payment_instructions(self, request: ChargeRequest, transaction_id: str) -> dict:
        if request.method == "qris":
            payload = qris_build(
                merchant=self.merchant,
                amount=request.amount,
                bill_number=request.reference if len(request.reference) <= 25 else "",
                reference_label=transaction_id,
            )
            return {"qris_payload": payload}
        bank = VA_BANKS[request.method]
        # Digits from the transaction id: unique enough per charge, stable for one charge.
        digits = int(hashlib.sha256(transaction_id.encode()).hexdigest(), 16) % 10**11
        if bank == "mandiri":
            return {
                "va_bank": bank,
                "va_number": f"9{digits:011d}",
                "va_biller_code": MANDIRI_BILLER_CODE,
            }
        return {"va_bank": bank, "va_number": f"{VA_PREFIXES[bank]}{digits:011d}"}

    def _signature_check(self, body: bytes, signature: str) -> None:
        if not signature:
            raise SignatureInvalid(message=_("Notifikasi pembayaran tidak bertanda tangan."))
        expected = hmac.new(self.secret, body, hashlib.sha512).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
            raise SignatureInvalid()


def _charge_of(record: dict) -> Charge:
    return Charge(
        gateway=GATEWAY_NAME,
        reference=record["reference"],
        gateway_transaction_id=record["transaction_id"],
        method=record["method"],
        amount=record["amount"],
        expires_at=datetime.fromisoformat(record["expires_at"]),
        qris_payload=record.get("qris_payload"),
        va_bank=record.get("va_bank"),
        va_number=record.get("va_number"),
        va_biller_code=record.get("va_biller_code"),
        raw=record,
    )


def _refund_of(record: dict, refund: dict) -> Refund:
    return Refund(
        gateway=GATEWAY_NAME,
        reference=record["reference"],
        refund_key=refund["refund_key"],
        gateway_refund_id=refund["refund_id"],
        amount=refund["amount"],
        reason=refund["reason"],
        status="done",
        created_at=datetime.fromisoformat(refund["created_at"]),
        raw=refund,
    )


def _refunded(record: dict) -> int:
    return sum(refund["amount"] for refund in record["refunds"])


def _reported_amount(record: dict) -> int:
    return record["amount"] if record["paid_amount"] is None else record["paid_amount"]


def _last_notification(record: dict, status: str) -> dict:
    for body in reversed(record["notifications"]):
        if body["status"] == status:
            return body
    raise SimulatorTransitionInvalid(_("Belum ada notifikasi dengan status itu untuk diulang."))


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise NotificationMalformed(field=name)
    return value


def _status(data: dict) -> str:
    status = _text(data, "status")
    if status not in CHARGE_STATUSES:
        raise NotificationMalformed(field="status")
    return status


def _whole_rupiah(data: dict, name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NotificationMalformed(field=name)
    return value


def _moment(data: dict, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(data, name))
    except ValueError as error:
        raise NotificationMalformed(field=name) from error
    if moment.tzinfo is None:
        raise NotificationMalformed(field=name)
    return moment.astimezone(UTC)
