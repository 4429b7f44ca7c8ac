"""The Midtrans adapter against a fake Midtrans on this machine that answers as its docs show."""

import base64
import hashlib
import json
import re
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

from peken.payments.gateways import (
    ChargeNotFound,
    ChargeRequest,
    GatewayRejected,
    GatewayResponseInvalid,
    GatewayUnavailable,
    MidtransGateway,
    NotificationMalformed,
    ReferenceUsed,
    RefundRejected,
    SignatureInvalid,
)
from peken.payments.gateways.midtrans import midtrans_status
from peken.payments.qris import QrisMerchant, qris_build

SERVER_KEY = "SB-Mid-server-uji-123"
TRANSACTION_TIME = "2026-03-02 10:00:00"  # WIB, as Midtrans writes times
TRANSACTION_MOMENT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
STATUS_CODES = {"pending": "201", "settlement": "200", "expire": "407", "deny": "202"}
QR_STRING = qris_build(
    merchant=QrisMerchant(
        name="PEKEN",
        city="SURABAYA",
        postal_code="60272",
        acquirer_gui="ID.CO.GOJEK.WWW",
        pan="9360091430000000001",
        merchant_id="G000000001",
        nmid="ID1020000000001",
    ),
    amount=150_000,
)


class FakeMidtrans:
    """Core API v2 from an in-memory table. `override` answers the next requests as given."""

    def __init__(self):
        self.transactions = {}
        self.requests = []
        self.override = None

    def handle(self, method, path, headers, raw):
        body = json.loads(raw) if raw else None
        self.requests.append({"method": method, "path": path, "headers": headers, "body": body})
        if self.override is not None:
            return self.override
        expected = "Basic " + base64.b64encode(f"{SERVER_KEY}:".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"status_code": "401", "status_message": "Unknown Merchant server_key/id"}
        if method == "POST" and path == "/v2/charge":
            return self.charge(body)
        route = re.fullmatch(r"/v2/([^/]+)/(status|refund)", path)
        transaction = route and self.transactions.get(unquote(route[1]))
        if transaction is None:
            return 404, {"status_code": "404", "status_message": "Transaction doesn't exist."}
        if route[2] == "status":
            return 200, self.with_status_code(transaction)
        return self.refund(transaction, body)

    def charge(self, body):
        details = body["transaction_details"]
        if details["order_id"] in self.transactions:
            # Midtrans says this inside an HTTP 200, as it does for many of its errors.
            return 200, {"status_code": "406", "status_message": "order_id has been utilized"}
        minutes = body["custom_expiry"]["expiry_duration"]
        expiry = datetime.strptime(TRANSACTION_TIME, "%Y-%m-%d %H:%M:%S") + timedelta(
            minutes=minutes
        )
        transaction = {
            "transaction_id": str(uuid.uuid4()),
            "order_id": details["order_id"],
            "merchant_id": "G000000001",
            "gross_amount": f"{details['gross_amount']}.00",
            "currency": "IDR",
            "payment_type": body["payment_type"],
            "transaction_time": TRANSACTION_TIME,
            "transaction_status": "pending",
            "fraud_status": "accept",
            "expiry_time": expiry.strftime("%Y-%m-%d %H:%M:%S"),
            **self.instructions(body),
        }
        self.transactions[details["order_id"]] = transaction
        return 200, self.with_status_code(transaction) | {"status_message": "created"}

    def instructions(self, body):
        if body["payment_type"] == "qris":
            url = "http://127.0.0.1/v2/qris/abc/qr-code"
            return {
                "acquirer": body["qris"]["acquirer"],
                "qr_string": QR_STRING,
                "actions": [{"name": "generate-qr-code", "method": "GET", "url": url}],
            }
        if body["payment_type"] == "echannel":
            return {"bill_key": "990000000260", "biller_code": "70012"}
        bank = body["bank_transfer"]["bank"]
        if bank == "permata":
            return {"permata_va_number": "8562000087926752"}
        return {"va_numbers": [{"bank": bank, "va_number": f"{bank}1234567890"[-11:]}]}

    def refund(self, transaction, body):
        if transaction["transaction_status"] not in ("settlement", "partial_refund"):
            return 200, {"status_code": "412", "status_message": "Transaction cannot be refunded"}
        refunds = transaction.setdefault("refunds", [])
        gross = int(transaction["gross_amount"].removesuffix(".00"))
        refunded = sum(int(r["refund_amount"].removesuffix(".00")) for r in refunds)
        if refunded + body["amount"] > gross:
            return 200, {"status_code": "412", "status_message": "Refund amount exceeds"}
        refund = {
            "refund_chargeback_id": len(refunds) + 1,
            "refund_amount": f"{body['amount']}.00",
            "created_at": "2026-03-02 12:00:00",
            "reason": body["reason"],
            "refund_key": body["refund_key"],
        }
        refunds.append(refund)
        full = refunded + body["amount"] == gross
        transaction["transaction_status"] = "refund" if full else "partial_refund"
        answer = {k: v for k, v in transaction.items() if k != "refunds"}
        return 200, answer | refund | {"status_code": "200", "status_message": "refund approved"}

    def settle(self, order_id):
        self.transactions[order_id] |= {
            "transaction_status": "settlement",
            "settlement_time": "2026-03-02 10:05:00",
        }

    def with_status_code(self, transaction):
        code = STATUS_CODES.get(transaction["transaction_status"], "200")
        return transaction | {"status_code": code}


@pytest.fixture
def fake():
    fake = FakeMidtrans()

    class Handler(BaseHTTPRequestHandler):
        def answer(self, method):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = fake.handle(method, self.path, self.headers, raw)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.answer("GET")

        def do_POST(self):
            self.answer("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def midtrans(fake):
    return MidtransGateway(server_key=SERVER_KEY, base_url=fake.url, timeout_seconds=5)


def charge(gateway, method="qris", reference="PKN-1-abcd", minutes=15):
    request = ChargeRequest(
        reference=reference,
        amount=150_000,
        method=method,
        customer_name="Budi",
        expires_in_minutes=minutes,
    )
    return gateway.charge_create(request)


def notification(key=SERVER_KEY, **fields):
    """A notification as Midtrans posts it, signed the documented way."""
    body = {
        "transaction_time": TRANSACTION_TIME,
        "transaction_status": "settlement",
        "transaction_id": "9aed5972-5b6a-401e-894b-a32c91ed1a3a",
        "status_message": "midtrans payment notification",
        "status_code": "200",
        "settlement_time": "2026-03-02 10:05:00",
        "payment_type": "bank_transfer",
        "order_id": "PKN-1-abcd",
        "gross_amount": "150000.00",
        "fraud_status": "accept",
        "currency": "IDR",
    } | fields
    text = f"{body['order_id']}{body['status_code']}{body['gross_amount']}{key}"
    body.setdefault("signature_key", hashlib.sha512(text.encode()).hexdigest())
    return json.dumps(body).encode()


def test_a_qris_charge_sends_what_midtrans_documents(midtrans, fake):
    made = charge(midtrans, minutes=15)
    sent = fake.requests[-1]
    assert sent["body"]["payment_type"] == "qris"
    assert sent["body"]["qris"] == {"acquirer": "gopay"}
    assert sent["body"]["transaction_details"] == {
        "order_id": "PKN-1-abcd",
        "gross_amount": 150_000,
    }
    assert sent["body"]["custom_expiry"] == {"expiry_duration": 15, "unit": "minute"}
    assert sent["body"]["customer_details"] == {"first_name": "Budi"}
    assert made.qris_payload == QR_STRING
    assert made.gateway == "midtrans"
    assert made.gateway_transaction_id == fake.transactions["PKN-1-abcd"]["transaction_id"]
    assert made.expires_at == TRANSACTION_MOMENT + timedelta(minutes=15)  # from WIB to UTC
    assert made.raw["actions"][0]["name"] == "generate-qr-code"


@pytest.mark.parametrize("bank", ["bca", "bni", "bri"])
def test_a_bank_transfer_charge_returns_the_virtual_account(midtrans, fake, bank):
    made = charge(midtrans, method=f"va_{bank}")
    assert fake.requests[-1]["body"]["bank_transfer"] == {"bank": bank}
    assert made.va_bank == bank
    assert made.va_number == fake.transactions["PKN-1-abcd"]["va_numbers"][0]["va_number"]
    assert made.qris_payload is None


def test_permata_answers_in_its_own_field(midtrans):
    assert charge(midtrans, method="va_permata").va_number == "8562000087926752"


def test_mandiri_is_a_bill_payment_with_a_biller_code(midtrans, fake):
    made = charge(midtrans, method="va_mandiri")
    assert fake.requests[-1]["body"]["payment_type"] == "echannel"
    assert len(fake.requests[-1]["body"]["echannel"]["bill_info1"]) <= 10
    assert (made.va_bank, made.va_number, made.va_biller_code) == (
        "mandiri",
        "990000000260",
        "70012",
    )


def test_a_used_order_id_is_refused_even_inside_an_http_200(midtrans):
    charge(midtrans)
    with pytest.raises(ReferenceUsed) as caught:
        charge(midtrans)
    assert caught.value.details["gateway_status"] == 406


def test_a_wrong_server_key_is_rejected_not_retried(fake):
    gateway = MidtransGateway(server_key="SB-Mid-server-salah", base_url=fake.url)
    with pytest.raises(GatewayRejected) as caught:
        charge(gateway)
    assert caught.value.code == "gateway_rejected"
    assert caught.value.details["gateway_status"] == 401


def test_an_error_code_inside_an_http_200_is_still_an_error(midtrans, fake):
    fake.override = (200, {"status_code": "401", "status_message": "Access denied"})
    with pytest.raises(GatewayRejected):
        charge(midtrans)


@pytest.mark.parametrize(
    "override",
    [
        (500, b"<html>Internal Server Error</html>"),
        (503, {"status_code": "503", "status_message": "Service unavailable"}),
        (200, {"status_code": "500", "status_message": "Sorry, something went wrong"}),
    ],
)
def test_a_server_error_is_gateway_unavailable(midtrans, fake, override):
    fake.override = override
    with pytest.raises(GatewayUnavailable) as caught:
        charge(midtrans)
    assert caught.value.code == "gateway_unavailable"


def test_an_answer_that_is_not_json_is_invalid_and_treated_as_unavailable(midtrans, fake):
    fake.override = (200, b"<html>maintenance</html>")
    with pytest.raises(GatewayResponseInvalid) as caught:
        charge(midtrans)
    assert isinstance(caught.value, GatewayUnavailable)


def test_a_denied_charge_is_rejected(midtrans, fake):
    fake.override = (200, {"status_code": "202", "transaction_status": "deny"})
    with pytest.raises(GatewayRejected):
        charge(midtrans)


def test_a_charge_answer_without_payment_instructions_is_invalid(midtrans, fake):
    fake.override = (200, {"status_code": "201", "transaction_status": "pending"})
    with pytest.raises(GatewayResponseInvalid):
        charge(midtrans)


def test_a_gateway_that_never_answers_times_out_as_unavailable():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections wait in the backlog and nobody ever answers
        port = silent.getsockname()[1]
        gateway = MidtransGateway(
            server_key=SERVER_KEY, base_url=f"http://127.0.0.1:{port}", timeout_seconds=0.2
        )
        started = time.monotonic()
        with pytest.raises(GatewayUnavailable):
            charge(gateway)
        assert time.monotonic() - started < 3


def test_a_refused_connection_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = MidtransGateway(server_key=SERVER_KEY, base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(GatewayUnavailable):
        gateway.charge_status("PKN-1-abcd")


def test_status_follows_the_transaction(midtrans, fake):
    made = charge(midtrans)
    pending = midtrans.charge_status("PKN-1-abcd")
    assert (pending.status, pending.amount) == ("pending", 150_000)
    assert pending.gateway_transaction_id == made.gateway_transaction_id
    fake.settle("PKN-1-abcd")
    paid = midtrans.charge_status("PKN-1-abcd")
    assert paid.status == "paid"
    assert paid.occurred_at == TRANSACTION_MOMENT + timedelta(minutes=5)


def test_an_expired_transaction_answers_407_and_that_is_data_not_an_error(midtrans, fake):
    charge(midtrans)
    fake.transactions["PKN-1-abcd"]["transaction_status"] = "expire"
    answer = midtrans.charge_status("PKN-1-abcd")
    assert answer.status == "expired"
    assert answer.occurred_at == TRANSACTION_MOMENT + timedelta(minutes=15)


def test_status_of_an_unknown_order(midtrans, fake):
    with pytest.raises(ChargeNotFound):
        midtrans.charge_status("TIDAK-ADA")
    fake.override = (200, {"status_code": "404", "status_message": "Transaction doesn't exist."})
    with pytest.raises(ChargeNotFound):
        midtrans.charge_status("TIDAK-ADA")


def test_a_reference_is_escaped_in_the_path(midtrans, fake):
    charge(midtrans, reference="PKN.1~x")
    assert midtrans.charge_status("PKN.1~x").reference == "PKN.1~x"


def test_refunds_after_settlement_partial_then_full(midtrans, fake):
    charge(midtrans)
    with pytest.raises(RefundRejected) as caught:
        midtrans.refund_create("PKN-1-abcd", 50_000, "toko tutup")
    assert caught.value.details["gateway_status"] == 412
    fake.settle("PKN-1-abcd")
    refund = midtrans.refund_create("PKN-1-abcd", 50_000, "barang habis", refund_key="RF-1")
    assert fake.requests[-1]["body"] == {
        "refund_key": "RF-1",
        "amount": 50_000,
        "reason": "barang habis",
    }
    assert (refund.amount, refund.status, refund.refund_key) == (50_000, "done", "RF-1")
    assert refund.gateway_refund_id == "1"
    answer = midtrans.charge_status("PKN-1-abcd")
    assert (answer.status, answer.refunded_amount) == ("refunded", 50_000)
    midtrans.refund_create("PKN-1-abcd", 100_000, "sisanya")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", fake.requests[-1]["body"]["refund_key"])
    assert midtrans.charge_status("PKN-1-abcd").refunded_amount == 150_000


def test_a_refund_of_an_unknown_order(midtrans):
    with pytest.raises(ChargeNotFound):
        midtrans.refund_create("TIDAK-ADA", 1_000, "uji")


def test_a_genuine_notification_is_believed(midtrans):
    parsed = midtrans.notification_parse(notification(), {})
    assert parsed.gateway == "midtrans"
    assert (parsed.reference, parsed.status, parsed.amount) == ("PKN-1-abcd", "paid", 150_000)
    assert parsed.occurred_at == TRANSACTION_MOMENT + timedelta(minutes=5)
    assert parsed.raw["status_message"] == "midtrans payment notification"


def test_a_retried_notification_keeps_its_id_and_a_new_event_gets_another(midtrans):
    first = midtrans.notification_parse(notification(), {})
    retried = midtrans.notification_parse(notification(), {})
    refunded = midtrans.notification_parse(
        notification(transaction_status="refund", refund_amount="150000.00"), {}
    )
    assert first.notification_id == retried.notification_id
    assert refunded.notification_id != first.notification_id
    assert (refunded.status, refunded.refunded_amount) == ("refunded", 150_000)


@pytest.mark.parametrize(
    "body",
    [
        notification(key="SB-Mid-server-orang-lain"),
        notification(signature_key="0" * 128),
        notification(signature_key=""),
        notification().replace(b'"150000.00"', b'"1500000.00"'),  # amount changed after signing
        json.dumps(
            {k: v for k, v in json.loads(notification()).items() if k != "signature_key"}
        ).encode(),
    ],
)
def test_a_notification_with_a_wrong_or_missing_signature_is_rejected(midtrans, body):
    with pytest.raises(SignatureInvalid) as caught:
        midtrans.notification_parse(body, {})
    assert caught.value.code == "signature_invalid"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        notification(order_id=""),
        notification(gross_amount="150000.50"),  # correctly signed, but a fraction of a rupiah
        notification(transaction_time="02/03/2026", settlement_time=None),
    ],
)
def test_an_unreadable_notification_is_malformed(midtrans, body):
    with pytest.raises(NotificationMalformed) as caught:
        midtrans.notification_parse(body, {})
    assert caught.value.code == "notification_malformed"


@pytest.mark.parametrize(
    ("transaction_status", "fraud_status", "ours"),
    [
        ("capture", "accept", "paid"),
        ("capture", "challenge", "pending"),
        ("capture", "deny", "failed"),
        ("settlement", "accept", "paid"),
        ("pending", None, "pending"),
        ("expire", None, "expired"),
        ("cancel", None, "failed"),
        ("deny", None, "failed"),
        ("failure", None, "failed"),
        ("refund", None, "refunded"),
        ("partial_refund", None, "refunded"),
        ("status_baru_midtrans", None, "pending"),  # unknown: change nothing, ask again later
    ],
)
def test_midtrans_statuses_map_to_ours(transaction_status, fraud_status, ours):
    assert midtrans_status(transaction_status, fraud_status) == ours
