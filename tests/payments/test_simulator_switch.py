"""Issue 17, security item 1: the payment simulator marks payments paid without money, so it
exists only when PEKEN_PAYMENT_SIMULATOR is on (DEBUG's demo, the tests, the benchmarks).

Each door to it is tried both ways: the simulate API, the web's pay button and its page, the
simulator's webhook, and a new charge made with it."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

import factories
from payment_steps import charge, two_shop_checkout
from peken.payments.gateways import SimulatorGateway
from peken.payments.models import Payment
from peken.payments.services import SimulatorOff, payment_simulate

pytestmark = pytest.mark.django_db

ON = override_settings(PEKEN_PAYMENT_SIMULATOR=True, PEKEN_PAYMENT_GATEWAY="simulator")
OFF = override_settings(PEKEN_PAYMENT_SIMULATOR=False, PEKEN_PAYMENT_GATEWAY="simulator")
PAY_BUTTON = "Bayar sekarang (simulasi)"


@pytest.fixture
def payment():
    """A pending charge made while the simulator was on (as a demo install switched off later)."""
    with ON:
        checkout, _ = two_shop_checkout()
        return charge(checkout)


def status_of(payment) -> str:
    return Payment.objects.get(pk=payment.pk).status


def simulate_api(api, payment):
    return api(payment.checkout.buyer).post(
        f"/payments/{payment.reference}/simulate", {"status": "paid"}
    )


def test_the_simulate_api_pays_when_on(api, payment):
    with ON:
        response = simulate_api(api, payment)
    assert response.status_code == 200 and response.json()["status"] == "paid"
    assert status_of(payment) == "paid"


def test_the_simulate_api_is_not_found_when_off(api, payment):
    with OFF:
        response = simulate_api(api, payment)
        unknown = api(payment.checkout.buyer).post("/payments/PKN-0-none/simulate", {})
    assert response.status_code == 404 and response.json()["code"] == "simulator_off"
    # Switched off it says nothing about which references exist.
    assert unknown.status_code == 404 and unknown.json()["code"] == "simulator_off"
    assert status_of(payment) == "pending"


def test_the_service_refuses_when_off_whoever_calls_it(payment):
    with OFF, pytest.raises(SimulatorOff):
        payment_simulate(payment=payment, status="paid")
    assert status_of(payment) == "pending"


def payment_page(client, payment):
    client.force_login(payment.checkout.buyer)
    return client.get(reverse("web:payment", args=[payment.reference])).content.decode()


def test_the_pay_button_shows_and_pays_when_on(client, payment):
    simulate_url = reverse("web:payment-simulate", args=[payment.reference])
    with ON:
        page = payment_page(client, payment)
        response = client.post(simulate_url)
    assert PAY_BUTTON in page and f'action="{simulate_url}"' in page
    assert response.status_code == 302 and status_of(payment) == "paid"


def test_the_pay_button_is_gone_and_its_page_is_404_when_off(client, payment):
    simulate_url = reverse("web:payment-simulate", args=[payment.reference])
    with OFF:
        page = payment_page(client, payment)
        signed_in = client.post(simulate_url)
        client.logout()
        anonymous = client.post(simulate_url)
        asked_with_get = client.get(simulate_url)
    assert "Rp " in page and PAY_BUTTON not in page and simulate_url not in page
    assert (signed_in.status_code, anonymous.status_code, asked_with_get.status_code) == (
        404,
        404,
        404,
    )
    assert status_of(payment) == "pending"


def signed_paid_notification(payment):
    """What the simulator's webhook would receive, signed with the simulator's own key."""
    return SimulatorGateway.from_settings().notification_build(payment.reference, "paid")


def post_webhook(client, signed):
    return client.post(
        "/api/v1/payments/webhooks/simulator",
        signed.body,
        content_type="application/json",
        headers={key: value for key, value in signed.headers.items() if key != "Content-Type"},
    )


def test_the_simulator_webhook_applies_a_signed_notification_when_on(client, payment):
    with ON:
        response = post_webhook(client, signed_paid_notification(payment))
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    assert status_of(payment) == "paid"


def test_the_simulator_webhook_does_not_exist_when_off(client, payment):
    signed = signed_paid_notification(payment)  # a correctly signed one, even
    with OFF:
        response = post_webhook(client, signed)
    assert response.status_code == 404 and response.json()["code"] == "gateway_unknown"
    assert status_of(payment) == "pending"


def start_payment(api):
    checkout, _ = two_shop_checkout()
    return api(checkout.buyer).post(f"/checkouts/{checkout.pk}/payment", {"method": "qris"})


def test_a_charge_with_the_simulator_is_made_when_on(api):
    with ON:
        response = start_payment(api)
    assert response.status_code == 201 and response.json()["qris_payload"]
    assert Payment.objects.get().gateway == "simulator"


def test_a_charge_with_the_simulator_is_refused_when_off(api):
    with OFF:
        response = start_payment(api)
    assert response.status_code == 503 and response.json()["code"] == "gateway_not_configured"
    assert not Payment.objects.exists()


def test_the_web_checkout_says_payment_is_not_set_up_when_off(client):
    checkout, orders = two_shop_checkout(factories.warga().user)
    client.force_login(checkout.buyer)
    with OFF:
        response = client.post(
            reverse("web:payment-start", args=[checkout.pk]), {"method": "qris"}, follow=True
        )
    assert response.status_code == 200
    assert "layanan pembayaran belum disiapkan" in response.content.decode()
    assert not Payment.objects.exists()


def simulator_setting(**environment) -> bool:
    """PEKEN_PAYMENT_SIMULATOR as a fresh process reads it from this environment."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    for name in ("DATABASE_URL", "PEKEN_PAYMENT_SIMULATOR"):
        env.pop(name, None)
    env.update(SECRET_KEY="x" * 50, **environment)
    code = "import peken.settings as s; print(s.PEKEN_PAYMENT_SIMULATOR)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "True"


def test_the_setting_follows_debug_unless_set(tmp_path):
    data = str(tmp_path)
    assert simulator_setting(DEBUG="0", PEKEN_DATA_DIR=data) is False  # production: off
    assert simulator_setting(DEBUG="1", PEKEN_DATA_DIR=data) is True  # `make run`: on
    assert simulator_setting(DEBUG="0", PEKEN_PAYMENT_SIMULATOR="1", PEKEN_DATA_DIR=data) is True
    assert simulator_setting(DEBUG="1", PEKEN_PAYMENT_SIMULATOR="0", PEKEN_DATA_DIR=data) is False
