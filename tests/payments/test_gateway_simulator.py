"""The simulator gateway: charges, its clock-driven expiry, signed notifications, refunds."""

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from peken.payments.gateways import (
    ChargeNotFound,
    ChargeRequest,
    NotificationMalformed,
    ReferenceUsed,
    RefundRejected,
    SignatureInvalid,
    SimulatorGateway,
    gateway_get,
)
from peken.payments.gateways.simulator import SIGNATURE_HEADER, SimulatorTransitionInvalid
from peken.payments.gateways.store import CacheStore, MemoryStore
from peken.payments.qris import qris_parse

SECRET = "rahasia-uji"
START = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 WIB


class Clock:
    """A clock the test moves by hand: nothing here waits for real time."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def simulator(clock):
    return SimulatorGateway(store=MemoryStore(), secret=SECRET, clock=clock)


def signed(body: bytes):
    """Signed as a receiver expects, computed here rather than by the code under test."""
    signature = hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()
    return body, {SIGNATURE_HEADER: signature}


def charge(gateway, reference="PKN-1-abcd", amount=150_000, method="qris", minutes=60):
    return gateway.charge_create(
        ChargeRequest(
            reference=reference,
            amount=amount,
            method=method,
            customer_name="Budi",
            expires_in_minutes=minutes,
        )
    )


def test_a_qris_charge_carries_a_payload_for_the_exact_amount(simulator):
    made = charge(simulator, minutes=30)
    fields = qris_parse(made.qris_payload)
    assert fields["amount"] == 150_000
    assert fields["bill_number"] == "PKN-1-abcd"
    assert fields["reference_label"] == made.gateway_transaction_id
    assert made.expires_at == START + timedelta(minutes=30)
    assert made.va_number is None


@pytest.mark.parametrize(
    ("method", "bank", "prefix"),
    [("va_bca", "bca", "39000"), ("va_bni", "bni", "8808"), ("va_bri", "bri", "26215")],
)
def test_a_virtual_account_number_has_the_bank_prefix_and_only_digits(
    simulator, method, bank, prefix
):
    made = charge(simulator, method=method)
    assert made.va_bank == bank
    assert made.va_number.startswith(prefix)
    assert made.va_number.isdigit()
    assert len(made.va_number) == len(prefix) + 11
    assert made.qris_payload is None


def test_mandiri_gives_a_biller_code_and_a_bill_key(simulator):
    made = charge(simulator, method="va_mandiri")
    assert made.va_bank == "mandiri"
    assert made.va_biller_code.isdigit()
    assert made.va_number.isdigit()


def test_two_charges_get_different_account_numbers(simulator):
    first = charge(simulator, reference="A-1", method="va_bca")
    second = charge(simulator, reference="A-2", method="va_bca")
    assert first.va_number != second.va_number


def test_a_reference_is_charged_once(simulator):
    charge(simulator)
    with pytest.raises(ReferenceUsed) as caught:
        charge(simulator, amount=1_000)
    assert caught.value.code == "gateway_reference_used"
    assert simulator.charge_status("PKN-1-abcd").amount == 150_000


def test_status_follows_the_payer(simulator):
    charge(simulator)
    assert simulator.charge_status("PKN-1-abcd").status == "pending"
    simulator.notification_build("PKN-1-abcd", "paid")
    answer = simulator.charge_status("PKN-1-abcd")
    assert (answer.status, answer.amount, answer.reference) == ("paid", 150_000, "PKN-1-abcd")


def test_status_of_an_unknown_reference(simulator):
    with pytest.raises(ChargeNotFound) as caught:
        simulator.charge_status("TIDAK-ADA")
    assert caught.value.code == "gateway_charge_not_found"


def test_a_charge_expires_at_its_deadline_and_cannot_be_paid_after(simulator, clock):
    charge(simulator, minutes=15)
    clock.advance(minutes=14, seconds=59)
    assert simulator.charge_status("PKN-1-abcd").status == "pending"
    clock.advance(seconds=1)
    answer = simulator.charge_status("PKN-1-abcd")
    assert answer.status == "expired"
    assert answer.occurred_at == START + timedelta(minutes=15)
    with pytest.raises(SimulatorTransitionInvalid):
        simulator.notification_build("PKN-1-abcd", "paid")
    body, headers = simulator.notification_build("PKN-1-abcd", "expired")
    assert simulator.notification_parse(body, headers).status == "expired"


def test_a_paid_charge_does_not_expire_or_fail(simulator, clock):
    charge(simulator)
    simulator.notification_build("PKN-1-abcd", "paid")
    clock.advance(days=2)
    assert simulator.charge_status("PKN-1-abcd").status == "paid"
    for status in ("expired", "failed", "pending"):
        with pytest.raises(SimulatorTransitionInvalid):
            simulator.notification_build("PKN-1-abcd", status)


def test_a_notification_round_trips_with_an_id_and_a_timestamp(simulator, clock):
    made = charge(simulator)
    clock.advance(minutes=3)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid")
    notification = simulator.notification_parse(body, headers)
    assert notification.gateway == "simulator"
    assert notification.reference == "PKN-1-abcd"
    assert notification.gateway_transaction_id == made.gateway_transaction_id
    assert notification.status == "paid"
    assert notification.amount == 150_000
    assert notification.occurred_at == START + timedelta(minutes=3)
    assert notification.notification_id == notification.raw["notification_id"]
    assert datetime.fromisoformat(notification.raw["timestamp"]) == START + timedelta(minutes=3)


def test_each_notification_has_its_own_id_but_a_duplicate_repeats_the_bytes(simulator):
    charge(simulator)
    first = simulator.notification_build("PKN-1-abcd", "paid")
    again = simulator.notification_build("PKN-1-abcd", "paid")
    duplicate = simulator.notification_build("PKN-1-abcd", "paid", duplicate=True)
    ids = [simulator.notification_parse(*n).notification_id for n in (first, again, duplicate)]
    assert ids[0] != ids[1]
    assert duplicate == again
    assert ids[2] == ids[1]


def test_a_duplicate_of_a_status_never_sent_is_refused(simulator):
    charge(simulator)
    with pytest.raises(SimulatorTransitionInvalid):
        simulator.notification_build("PKN-1-abcd", "paid", duplicate=True)


def test_an_overridden_amount_is_reported_so_the_receiver_can_catch_it(simulator):
    charge(simulator)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid", amount=15_000)
    assert simulator.notification_parse(body, headers).amount == 15_000
    assert simulator.charge_status("PKN-1-abcd").amount == 15_000


def test_the_signature_is_hmac_sha512_of_the_raw_body(simulator):
    charge(simulator)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid")
    assert headers[SIGNATURE_HEADER] == signed(body)[1][SIGNATURE_HEADER]
    assert headers["Content-Type"] == "application/json"


def test_a_body_of_our_choosing_can_be_signed_to_test_crossed_events(simulator):
    made = charge(simulator)
    simulator.notification_build("PKN-1-abcd", "paid")
    stale = {
        "notification_id": "lama-1",
        "timestamp": START.isoformat(),
        "reference": "PKN-1-abcd",
        "transaction_id": made.gateway_transaction_id,
        "status": "expired",  # sent before the payment, arriving after it
        "amount": 150_000,
        "refunded_amount": 0,
        "occurred_at": START.isoformat(),
    }
    notification = simulator.notification_parse(*simulator.notification_sign(stale))
    assert (notification.status, notification.notification_id) == ("expired", "lama-1")
    assert simulator.charge_status("PKN-1-abcd").status == "paid"  # signing changes nothing


def test_headers_are_found_whatever_their_case(simulator):
    charge(simulator)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid")
    lowered = {name.lower(): value for name, value in headers.items()}
    assert simulator.notification_parse(body, lowered).status == "paid"


def test_a_changed_body_is_rejected(simulator):
    charge(simulator)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid")
    forged = body.replace(b'"amount":150000', b'"amount":1500000')
    assert forged != body
    with pytest.raises(SignatureInvalid) as caught:
        simulator.notification_parse(forged, headers)
    assert caught.value.code == "signature_invalid"
    assert "tidak sah" in caught.value.message


def test_a_notification_signed_with_another_secret_is_rejected(simulator, clock):
    charge(simulator)
    body, headers = simulator.notification_build("PKN-1-abcd", "paid")
    other = SimulatorGateway(store=MemoryStore(), secret="rahasia-lain", clock=clock)
    with pytest.raises(SignatureInvalid):
        other.notification_parse(body, headers)


@pytest.mark.parametrize("signature", [None, "", "zz", "0" * 128])
def test_a_missing_or_wrong_signature_is_rejected(simulator, signature):
    charge(simulator)
    body, _ = simulator.notification_build("PKN-1-abcd", "paid")
    headers = {} if signature is None else {SIGNATURE_HEADER: signature}
    with pytest.raises(SignatureInvalid):
        simulator.notification_parse(body, headers)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 150000.0},
        {"amount": "150000"},
        {"amount": -1},
        {"status": "settlement"},
        {"reference": ""},
        {"timestamp": "2026-03-02T10:00:00"},  # no zone: not a moment
        {"occurred_at": "kemarin"},
    ],
)
def test_a_well_signed_but_malformed_notification_is_rejected(simulator, change):
    charge(simulator)
    body, _ = simulator.notification_build("PKN-1-abcd", "paid")
    altered = json.dumps(json.loads(body) | change).encode()
    with pytest.raises(NotificationMalformed) as caught:
        simulator.notification_parse(*signed(altered))
    assert caught.value.code == "notification_malformed"


def test_a_correctly_signed_body_that_is_not_json_is_malformed(simulator):
    body, headers = signed(b"bukan json")
    with pytest.raises(NotificationMalformed):
        simulator.notification_parse(body, headers)


def test_refunds_only_after_payment_and_never_beyond_it(simulator):
    charge(simulator)
    with pytest.raises(RefundRejected):
        simulator.refund_create("PKN-1-abcd", 50_000, "toko tutup")
    simulator.notification_build("PKN-1-abcd", "paid")
    first = simulator.refund_create("PKN-1-abcd", 50_000, "barang habis")
    assert (first.amount, first.status, first.reason) == (50_000, "done", "barang habis")
    with pytest.raises(RefundRejected) as caught:
        simulator.refund_create("PKN-1-abcd", 100_001, "terlalu banyak")
    assert caught.value.code == "refund_rejected"
    simulator.refund_create("PKN-1-abcd", 100_000, "sisanya")
    answer = simulator.charge_status("PKN-1-abcd")
    assert (answer.status, answer.refunded_amount) == ("refunded", 150_000)
    with pytest.raises(RefundRejected):
        simulator.refund_create("PKN-1-abcd", 1, "sudah habis")


def test_the_same_refund_key_refunds_once(simulator):
    charge(simulator)
    simulator.notification_build("PKN-1-abcd", "paid")
    first = simulator.refund_create("PKN-1-abcd", 20_000, "komplain", refund_key="RF-9")
    again = simulator.refund_create("PKN-1-abcd", 20_000, "komplain", refund_key="RF-9")
    assert again == first
    assert simulator.charge_status("PKN-1-abcd").refunded_amount == 20_000
    with pytest.raises(RefundRejected):
        simulator.refund_create("PKN-1-abcd", 30_000, "komplain", refund_key="RF-9")


def test_a_refund_notification_reports_the_total_refunded(simulator):
    charge(simulator)
    simulator.notification_build("PKN-1-abcd", "paid")
    with pytest.raises(SimulatorTransitionInvalid):
        simulator.notification_build("PKN-1-abcd", "refunded")  # nothing refunded yet
    simulator.refund_create("PKN-1-abcd", 40_000, "komplain")
    notification = simulator.notification_parse(
        *simulator.notification_build("PKN-1-abcd", "refunded")
    )
    assert (notification.status, notification.amount) == ("refunded", 150_000)
    assert notification.refunded_amount == 40_000


def test_the_web_and_the_worker_see_the_same_charge_through_a_shared_store(clock):
    # Two gateway objects over one cache stand for two processes over one shared cache.
    web = SimulatorGateway(store=CacheStore(), secret=SECRET, clock=clock)
    worker = SimulatorGateway(store=CacheStore(), secret=SECRET, clock=clock)
    reference = f"SHARED-{uuid.uuid4().hex[:8]}"  # the cache outlives this test
    charge(web, reference=reference)
    web.notification_build(reference, "paid")
    assert worker.charge_status(reference).status == "paid"


def test_gateway_get_builds_the_simulator_from_settings(settings):
    settings.PEKEN_PAYMENT_GATEWAY = "simulator"
    settings.PEKEN_SIMULATOR_STORE = ""  # unset: Django's cache is the default store
    settings.PEKEN_SIMULATOR_SECRET = "dari-pengaturan"
    gateway = gateway_get()
    assert gateway.name == "simulator"
    assert gateway.secret == b"dari-pengaturan"
    assert isinstance(gateway.store, CacheStore)


def test_the_default_secret_is_derived_from_secret_key_not_equal_to_it(settings):
    settings.PEKEN_SIMULATOR_SECRET = ""
    first = gateway_get("simulator").secret
    assert first and first != settings.SECRET_KEY.encode()
    settings.SECRET_KEY = "kunci-lain-untuk-uji"
    assert gateway_get("simulator").secret != first


def test_a_store_named_in_settings_is_used(settings):
    settings.PEKEN_SIMULATOR_STORE = "peken.payments.gateways.store.MemoryStore"
    assert isinstance(gateway_get("simulator").store, MemoryStore)
