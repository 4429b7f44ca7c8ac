"""The gateway interface: what a charge request accepts, the registry, the error codes."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from peken.core.errors import DomainError, InvalidInput
from peken.payments.gateways import (
    GATEWAYS,
    ChargeRequest,
    GatewayNotConfigured,
    GatewayUnavailable,
    MidtransGateway,
    NotificationRejected,
    PaymentMethodUnsupported,
    SignatureInvalid,
    UnknownGateway,
    gateway_get,
)
from peken.payments.gateways.base import header_get


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 0},
        {"amount": -1},
        {"amount": 1500.0},
        {"amount": True},
        {"reference": ""},
        {"reference": "PKN 1"},  # a space cannot travel as a gateway order id
        {"reference": "P" * 51},
        {"expires_in_minutes": 0},
    ],
)
def test_a_charge_request_refuses_what_no_gateway_would_take(change):
    fields = {"reference": "PKN-1", "amount": 10_000, "method": "qris"} | change
    with pytest.raises(InvalidInput):
        ChargeRequest(**fields)


def test_an_unknown_method_is_its_own_error():
    with pytest.raises(PaymentMethodUnsupported) as caught:
        ChargeRequest(reference="PKN-1", amount=10_000, method="kartu_kredit")
    assert caught.value.code == "payment_method_unsupported"


def test_errors_carry_stable_codes_and_indonesian_messages():
    assert GatewayUnavailable().as_dict() == {
        "code": "gateway_unavailable",
        "message": "Layanan pembayaran tidak dapat dihubungi. Coba lagi beberapa saat lagi.",
    }
    assert isinstance(GatewayUnavailable(), DomainError)
    rejected = NotificationRejected("notification_stale", "Notifikasi sudah kedaluwarsa.")
    assert (rejected.code, rejected.message) == (
        "notification_stale",
        "Notifikasi sudah kedaluwarsa.",
    )
    assert NotificationRejected.code == "notification_rejected"  # the class keeps its own
    assert SignatureInvalid().code == "signature_invalid"


def test_header_lookup_ignores_case():
    assert header_get({"x-peken-signature": "abc"}, "X-Peken-Signature") == "abc"
    assert header_get({}, "X-Peken-Signature") == ""


def test_gateway_get_knows_the_simulator_and_midtrans(settings):
    assert set(GATEWAYS) == {"simulator", "midtrans"}
    settings.PEKEN_MIDTRANS_SERVER_KEY = "SB-Mid-server-uji"
    settings.PEKEN_MIDTRANS_BASE_URL = "http://127.0.0.1:9/"
    gateway = gateway_get("midtrans")
    assert isinstance(gateway, MidtransGateway)
    assert gateway.base_url == "http://127.0.0.1:9"


def test_the_configured_gateway_is_the_default(settings):
    settings.PEKEN_PAYMENT_GATEWAY = "midtrans"
    settings.PEKEN_MIDTRANS_SERVER_KEY = "SB-Mid-server-uji"
    assert gateway_get().name == "midtrans"


def test_midtrans_without_a_server_key_is_unknown_by_name_and_refuses_charges(settings):
    """Issue 17: its webhook was a 500 (ImproperlyConfigured) on installs without Midtrans."""
    settings.PEKEN_MIDTRANS_SERVER_KEY = ""
    with pytest.raises(UnknownGateway):
        gateway_get("midtrans")
    settings.PEKEN_PAYMENT_GATEWAY = "midtrans"
    with pytest.raises(GatewayNotConfigured) as caught:
        gateway_get()
    assert caught.value.http_status == 503


def test_an_unknown_name_from_a_url_is_not_found_but_a_wrong_setting_is_loud(settings):
    with pytest.raises(UnknownGateway) as caught:
        gateway_get("paypal")
    assert caught.value.http_status == 404
    settings.PEKEN_PAYMENT_GATEWAY = "paypal"
    with pytest.raises(ImproperlyConfigured):
        gateway_get()
