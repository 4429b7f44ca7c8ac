"""Logging in: tokens for mobile clients, sessions for the web, Argon2, and lockouts."""

import datetime as dt
import hashlib

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings
from django.utils import timezone

import factories
from peken.accounts.models import ApiToken, AsnProfile, LoginThrottle, Role

pytestmark = pytest.mark.django_db


def token_for(api, username, password=factories.PASSWORD, **headers):
    return api().post("/auth/token", {"username": username, "password": password}, **headers)


def test_production_hashes_passwords_with_argon2():
    import peken.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert identify_hasher(make_password("peken-demo")).algorithm == "argon2"


def test_token_login_then_bearer_requests(api):
    factories.user("siti", Role.WARGA)
    response = token_for(api, "siti")
    assert response.status_code == 200
    token = response.json()["token"]
    me = api().get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "siti"


def test_tokens_are_stored_hashed_and_can_be_revoked(api):
    factories.user("siti", Role.WARGA)
    token = token_for(api, "siti").json()["token"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.key_hash, stored.prefix}
    headers = {"Authorization": f"Bearer {token}"}
    assert api().delete("/auth/token", headers=headers).status_code == 204
    assert api().get("/me", headers=headers).status_code == 401
    assert api().get("/me", headers=headers).json()["code"] == "not_authenticated"


def test_anonymous_and_forged_tokens_get_401(api):
    assert api().get("/me").status_code == 401
    forged = api().get("/me", headers={"Authorization": "Bearer pkn_forged"})
    assert forged.status_code == 401


def test_asn_log_in_with_their_nip(api):
    person = factories.user("asnuji", Role.ASN)
    AsnProfile.objects.create(
        user=person,
        nip="199003122015031001",
        golongan="III/a",
        opd=factories.opd(),
        domicile_kelurahan=factories.kelurahan(),
    )
    assert token_for(api, "199003122015031001").status_code == 200


def test_wrong_password_is_401_with_a_code(api):
    factories.user("siti", Role.WARGA)
    response = token_for(api, "siti", "salah")
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Nama pengguna atau kata sandi salah.",
    }


def test_twenty_wrong_passwords_lock_the_account_even_for_the_right_one(api):
    factories.user("siti", Role.WARGA)
    statuses = [
        token_for(api, "siti", f"salah{attempt}", REMOTE_ADDR=f"10.0.0.{attempt}").status_code
        for attempt in range(20)
    ]
    limit = settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}
    right = token_for(api, "siti", REMOTE_ADDR="10.0.1.1")
    assert right.status_code == 429
    body = right.json()
    assert body["code"] == "login_locked" and "menit" in body["message"]
    assert int(right["Retry-After"]) > 0


def test_lock_expires(api):
    factories.user("siti", Role.WARGA)
    for _ in range(settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        token_for(api, "siti", "salah")
    assert token_for(api, "siti").status_code == 429
    LoginThrottle.objects.update(locked_until=None)
    assert token_for(api, "siti").status_code == 200


@override_settings(PEKEN_LOGIN_MAX_FAILURES_PER_IP=5)
def test_one_address_past_its_limit_gets_one_guess_per_account(api):
    factories.user("siti", Role.WARGA)
    factories.user("budi", Role.WARGA)
    for index in range(5):
        token_for(api, f"tidakada{index}", "salah", REMOTE_ADDR="10.9.9.9")
    # The address is locked, but it has not failed on siti: her right password still works.
    assert token_for(api, "siti", REMOTE_ADDR="10.9.9.9").status_code == 200
    # One wrong guess on budi from the locked address and budi is closed to that address ...
    assert token_for(api, "budi", "salah", REMOTE_ADDR="10.9.9.9").status_code == 429
    assert token_for(api, "budi", REMOTE_ADDR="10.9.9.9").status_code == 429
    # ... but not to anyone else.
    assert token_for(api, "budi", REMOTE_ADDR="10.9.9.10").status_code == 200
    # Names already guessed from the address stay closed to it, known or not.
    assert token_for(api, "tidakada0", "salah", REMOTE_ADDR="10.9.9.9").status_code == 429


@override_settings(PEKEN_LOGIN_MAX_FAILURES_PER_IP=5, PEKEN_TRUSTED_PROXIES=["10.0.0.1"])
def test_an_attacker_behind_the_city_proxy_cannot_lock_out_the_city(api):
    factories.user("siti", Role.WARGA)
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for index in range(20):
        token_for(api, f"korban{index}", "salah", **attacker)
    citizen = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert token_for(api, "siti", **citizen).status_code == 200
    # The attacker's own address is the one that was counted, not the proxy's.
    assert LoginThrottle.objects.get(scope="ip", key="203.0.113.66").failures == 20
    assert not LoginThrottle.objects.filter(scope="ip", key="10.0.0.1").exists()


@override_settings(PEKEN_LOGIN_MAX_FAILURES_PER_IP=3)
def test_forwarded_for_is_ignored_without_a_trusted_proxy(api):
    factories.user("siti", Role.WARGA)
    for index in range(3):
        forged = {"REMOTE_ADDR": "10.9.9.9", "HTTP_X_FORWARDED_FOR": f"192.0.2.{index}"}
        token_for(api, "siti", "salah", **forged)
    assert LoginThrottle.objects.get(scope="ip", key="10.9.9.9").failures == 3


def test_web_login_counts_the_forwarded_client_behind_a_trusted_proxy(client, settings):
    settings.PEKEN_TRUSTED_PROXIES = ["127.0.0.0/8"]
    factories.user("siti", Role.WARGA)
    client.post(
        "/masuk/",
        {"username": "siti", "password": "salah"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 127.0.0.2",
    )
    assert LoginThrottle.objects.filter(scope="ip", key="198.51.100.7").exists()


def test_web_login_uses_the_same_lockout(client):
    factories.user("siti", Role.WARGA)
    page = client.post("/masuk/", {"username": "siti", "password": factories.PASSWORD})
    assert page.status_code == 302
    client.logout()
    for _ in range(settings.PEKEN_LOGIN_MAX_FAILURES_PER_ACCOUNT):
        client.post("/masuk/", {"username": "siti", "password": "salah"})
    locked = client.post("/masuk/", {"username": "siti", "password": factories.PASSWORD})
    assert locked.status_code == 200
    assert "Terlalu banyak percobaan" in locked.content.decode()


def test_web_session_also_authenticates_the_api(client):
    person = factories.user("siti", Role.WARGA)
    client.force_login(person)
    assert client.get("/api/v1/me").json()["username"] == "siti"


def test_warga_sign_up_gives_a_token_and_checks_identity(api):
    payload = {
        "username": "budi",
        "password": "rahasia-panjang",
        "full_name": "Budi Santoso",
        "nik": factories.valid_nik(),
        "phone": "+62 812 3456 7890",
        "kelurahan_code": "35.78.05.1003",
    }
    created = api().post("/auth/register", payload)
    assert created.status_code == 201
    token = created.json()["token"]
    me = api().get("/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["phone"] == "081234567890" and me["nik"] == payload["nik"]
    assert [role["role"] for role in me["roles"]] == ["warga"]
    again = api().post("/auth/register", {**payload, "username": "budi2"})
    assert again.status_code == 409 and again.json()["code"] == "identity_taken"


@pytest.mark.parametrize(
    "field, value",
    [
        ("nik", "123"),
        ("nik", "3578013202900001"),
        ("kelurahan_code", "35.78.99.9999"),
        ("phone", "12"),
        ("password", "pendek"),
    ],
)
def test_warga_sign_up_refuses_bad_input_with_422(api, field, value):
    payload = {
        "username": "budi",
        "password": "rahasia-panjang",
        "full_name": "Budi Santoso",
        "nik": factories.valid_nik(),
        "phone": "081234567890",
        "kelurahan_code": "35.78.05.1003",
        field: value,
    }
    response = api().post("/auth/register", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("password", ["password123", "12345678901234", "budisantoso"])
def test_warga_sign_up_refuses_a_weak_password(api, password):
    payload = {
        "username": "budisantoso",
        "password": password,
        "full_name": "Budi Santoso",
        "nik": factories.valid_nik(),
        "phone": "081234567890",
        "kelurahan_code": "35.78.05.1003",
    }
    response = api().post("/auth/register", payload)
    assert response.status_code == 422
    assert response.json()["code"] == "weak_password"
    assert not ApiToken.objects.exists()


def test_a_token_unused_for_the_idle_period_expires_with_a_code(api):
    factories.user("siti", Role.WARGA)
    token = token_for(api, "siti").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert api().get("/me", headers=headers).status_code == 200
    idle = dt.timedelta(days=settings.PEKEN_API_TOKEN_IDLE_DAYS, minutes=1)
    ApiToken.objects.update(last_used_at=timezone.now() - idle, created_at=timezone.now() - idle)
    expired = api().get("/me", headers=headers)
    assert expired.status_code == 401 and expired.json()["code"] == "token_expired"


def test_a_token_in_use_slides_its_expiry_and_logout_revokes_it(api):
    factories.user("siti", Role.WARGA)
    token = token_for(api, "siti").json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    nearly = dt.timedelta(days=settings.PEKEN_API_TOKEN_IDLE_DAYS - 1)
    ApiToken.objects.update(
        last_used_at=timezone.now() - nearly, created_at=timezone.now() - 2 * nearly
    )
    assert api().get("/me", headers=headers).status_code == 200
    assert ApiToken.objects.get().last_used_at > timezone.now() - dt.timedelta(minutes=1)
    assert api().delete("/auth/token", headers=headers).status_code == 204
    assert api().get("/me", headers=headers).status_code == 401


@override_settings(PEKEN_SIGN_UP_MAX_PER_IP=3)
def test_sign_ups_are_counted_per_address_so_nik_lookups_are_slow(api):
    taken = factories.user("siti", Role.WARGA)
    taken.nik = factories.valid_nik()
    taken.save()
    payload = {
        "password": "rahasia-panjang",
        "full_name": "Budi Santoso",
        "phone": "081234567890",
        "kelurahan_code": "35.78.05.1003",
    }
    statuses = [
        api()
        .post(
            "/auth/register",
            {**payload, "username": f"budi{index}", "nik": taken.nik},
            REMOTE_ADDR="10.7.7.7",
        )
        .status_code
        for index in range(5)
    ]
    assert statuses == [409, 409, 409, 429, 429]
    other = api().post(
        "/auth/register",
        {**payload, "username": "ani", "nik": factories.valid_nik(female=True)},
        REMOTE_ADDR="10.7.7.8",
    )
    assert other.status_code == 201
