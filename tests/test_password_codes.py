"""First password and password reset by a code sent by e-mail or SMS."""

import re

import pytest
from django.conf import settings

import factories
from outbox_steps import outbox_sent, texts_sent
from peken.accounts import services, sms
from peken.accounts.models import LoginThrottle, PasswordCode, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.PEKEN_SMS_BACKEND = "peken.accounts.sms.MemoryBackend"
    sms.outbox.clear()
    return sms.outbox


def sent_code(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def test_a_person_without_a_password_sets_one_with_the_code_sent_by_sms(client, sms_outbox):
    owner = factories.user("pemilik", Role.WARGA)
    owner.set_unusable_password()
    owner.email, owner.phone = "", "081234567890"
    owner.save()
    page = client.post("/sandi/kode/", {"identifier": "081234567890"})
    assert page.status_code == 302
    [(phone, text)] = texts_sent()
    assert phone == "081234567890"
    done = client.post(
        "/sandi/baru/",
        {
            "identifier": "081234567890",
            "code": sent_code(text),
            "password": "kenari-tiga-belas",
            "password_again": "kenari-tiga-belas",
        },
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("kenari-tiga-belas")


def test_a_reset_by_e_mail_code_clears_a_lockout():
    siti = factories.user("siti", Role.WARGA)
    siti.email = "siti@example.org"
    siti.save()
    for _ in range(settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(services.DomainError):
            services.login_check(identifier="siti", password="salah", ip_address="10.1.1.1")
    services.password_code_request(identifier="siti@example.org", ip_address="10.1.1.1")
    [message] = outbox_sent()
    assert message.to == ["siti@example.org"]
    services.password_code_redeem(
        identifier="siti", code=sent_code(message.body), password="kenari-tiga-belas"
    )
    assert not LoginThrottle.objects.filter(scope="account").exists()
    user = services.login_check(
        identifier="siti", password="kenari-tiga-belas", ip_address="10.1.1.1"
    )
    assert user == siti


def test_a_code_is_single_use_and_dies_after_five_wrong_tries():
    siti = factories.user("siti", Role.WARGA)
    siti.email = "siti@example.org"
    siti.save()
    services.password_code_request(identifier="siti", ip_address="10.1.1.1")
    code = sent_code(outbox_sent()[-1].body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(services.InvalidCode):
            services.password_code_redeem(identifier="siti", code=wrong, password="kenari-tiga")
    with pytest.raises(services.InvalidCode):  # the right code no longer works either
        services.password_code_redeem(identifier="siti", code=code, password="kenari-tiga-belas")
    services.password_code_request(identifier="siti", ip_address="10.1.1.1")
    code = sent_code(outbox_sent()[-1].body)
    services.password_code_redeem(identifier="siti", code=code, password="kenari-tiga-belas")
    with pytest.raises(services.InvalidCode):
        services.password_code_redeem(identifier="siti", code=code, password="kenari-empat-x")


def test_a_weak_new_password_is_refused_and_keeps_the_code():
    siti = factories.user("siti", Role.WARGA)
    siti.email = "siti@example.org"
    siti.save()
    services.password_code_request(identifier="siti", ip_address="10.1.1.1")
    code = sent_code(outbox_sent()[-1].body)
    with pytest.raises(services.WeakPassword):
        services.password_code_redeem(identifier="siti", code=code, password="password123")
    assert PasswordCode.objects.get().spent_at is None


def test_the_request_page_says_the_same_whether_or_not_the_account_exists(client):
    factories.user("siti", Role.WARGA).__class__.objects.filter(username="siti").update(
        email="siti@example.org"
    )
    known = client.post("/sandi/kode/", {"identifier": "siti"})
    unknown = client.post("/sandi/kode/", {"identifier": "tidakada"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/sandi/baru/"
    assert len(outbox_sent()) == 1


def test_code_requests_are_limited_per_address(settings):
    settings.PEKEN_PASSWORD_CODE_REQUESTS_PER_IP = 2
    for _ in range(2):
        services.password_code_request(identifier="tidakada", ip_address="10.2.2.2")
    with pytest.raises(services.CodeRequestsThrottled):
        services.password_code_request(identifier="tidakada", ip_address="10.2.2.2")
    services.password_code_request(identifier="tidakada", ip_address="10.2.2.3")


def test_the_api_sends_a_code_and_sets_the_password_with_stable_codes(client):
    siti = factories.user("siti", Role.WARGA)
    siti.email = "siti@example.org"
    siti.save()
    sent = client.post(
        "/api/v1/auth/password-code", {"identifier": "siti"}, content_type="application/json"
    )
    unknown = client.post(
        "/api/v1/auth/password-code", {"identifier": "tidakada"}, content_type="application/json"
    )
    assert sent.status_code == unknown.status_code == 202
    code = sent_code(outbox_sent()[-1].body)
    body = {"identifier": "siti", "code": code, "password": "password123"}
    weak = client.post("/api/v1/auth/password", body, content_type="application/json")
    assert weak.status_code == 422 and weak.json()["code"] == "weak_password"
    other = "000000" if code != "000000" else "111111"
    wrong = client.post(
        "/api/v1/auth/password",
        {**body, "code": other, "password": "kenari-tiga-belas"},
        content_type="application/json",
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "invalid_code"
    done = client.post(
        "/api/v1/auth/password",
        {**body, "password": "kenari-tiga-belas"},
        content_type="application/json",
    )
    assert done.status_code == 204
    siti.refresh_from_db()
    assert siti.check_password("kenari-tiga-belas")
