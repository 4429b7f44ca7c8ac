"""The demo data behind `make run`, the `peken` command, and production-safe settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from peken.accounts.backends import find_user
from peken.accounts.models import OPD, AsnProfile, Role, User
from peken.catalog.models import Product
from peken.demo.services import DEMO_LOGINS, DEMO_PASSWORD, demo_load
from peken.merchants.models import Merchant

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as caught:
        call_command("demo")
    assert "DEBUG" in str(caught.value)
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_demo_loads_people_for_every_role_once(settings, capsys):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert demo_load() is True
    assert AsnProfile.objects.count() >= 500
    assert OPD.objects.count() >= 20
    golongan = set(AsnProfile.objects.values_list("golongan", flat=True))
    assert len(golongan) == 17
    roles = {
        "admin": Role.CITY_ADMIN,
        "petugas": Role.OFFICER,
        "penjual": Role.MERCHANT,
        "asn": Role.ASN,
        "warga": Role.WARGA,
        "opd": Role.OPD_ADMIN,
        "auditor": Role.AUDITOR,
    }
    assert set(roles) == {username for username, _ in DEMO_LOGINS}
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD) and user.has_role(role), username
    asn = User.objects.get(username="asn")
    assert find_user(asn.asn_profile.nip) == asn
    counts = (User.objects.count(), Merchant.objects.count(), Product.objects.count())
    assert demo_load() is False
    assert (User.objects.count(), Merchant.objects.count(), Product.objects.count()) == counts
    call_command("demo")
    assert "peken-demo" in capsys.readouterr().out


def settings_in_a_fresh_process(**environment) -> subprocess.CompletedProcess:
    code = (
        "import json, peken.settings as s; print(json.dumps({"
        "'secure_cookie': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT, 'hosts': s.ALLOWED_HOSTS,"
        "'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'languages': [c for c, _ in s.LANGUAGES],"
        "'engine': s.DATABASES['default']['ENGINE'], 'use_tz': s.USE_TZ}))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.pop("DATABASE_URL", None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_are_safe_by_default(tmp_path):
    import json

    result = settings_in_a_fresh_process(
        DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="peken.example", PEKEN_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["secure_cookie"] and values["csrf_secure"] and values["ssl"]
    assert values["hsts"] >= 31536000
    assert values["hosts"] == ["peken.example"]
    assert values["tz"] == "Asia/Jakarta" and values["use_tz"]
    assert values["lang"] == "id" and values["languages"] == ["id", "en"]
    assert values["engine"].endswith("sqlite3")


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = settings_in_a_fresh_process(DEBUG="0", SECRET_KEY="", PEKEN_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def secret_key_of_a_demo_install(data_dir) -> str:
    code = "import peken.settings as s; print(s.SECRET_KEY)"
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.pop("DATABASE_URL", None)
    env.update(DEBUG="1", SECRET_KEY="", PEKEN_DATA_DIR=str(data_dir))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_demo_install_without_a_secret_key_makes_its_own(tmp_path):
    """Issue 17: a key written in the source let anyone forge the simulator's 'paid' webhooks."""
    first = secret_key_of_a_demo_install(tmp_path / "one")
    assert len(first) >= 50 and "insecure" not in first
    assert secret_key_of_a_demo_install(tmp_path / "one") == first  # kept: sessions survive
    assert secret_key_of_a_demo_install(tmp_path / "two") != first
    assert oct((tmp_path / "one" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_database_url_selects_postgresql(tmp_path):
    import json

    result = settings_in_a_fresh_process(
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/peken",
        PEKEN_DATA_DIR=str(tmp_path),
    )
    assert json.loads(result.stdout)["engine"] == "django.db.backends.postgresql"


def test_the_peken_command_takes_hyphenated_names(tmp_path):
    env = {**os.environ, "DEBUG": "1", "PEKEN_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    peken = Path(sys.executable).parent / "peken"
    result = subprocess.run(
        [str(peken), "import-regions", "--help"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "surabaya_regions.csv" in result.stdout


def run_peken_without_a_secret_key(tmp_path, *arguments) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "0", "PEKEN_DATA_DIR": str(tmp_path)}
    for name in ("SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    peken = Path(sys.executable).parent / "peken"
    return subprocess.run(
        [str(peken), *arguments], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_command_without_a_secret_key_says_so_in_one_line(tmp_path):
    result = run_peken_without_a_secret_key(tmp_path, "migrate")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("peken: SECRET_KEY belum diatur")
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_needs_no_secret_key(tmp_path):
    result = run_peken_without_a_secret_key(tmp_path, "simulate", "--help")
    assert result.returncode == 0, result.stderr
    assert "--compare" in result.stdout


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_runserver_closes_database_connections_after_each_request(monkeypatch):
    import peken.settings as production

    monkeypatch.setenv("DATABASE_URL", "postgres://peken@127.0.0.1:5432/peken")
    monkeypatch.delenv("PEKEN_DB_CONN_MAX_AGE", raising=False)
    assert production.database_settings(["peken", "runserver"])["CONN_MAX_AGE"] == 0
    served = production.database_settings(["gunicorn", "peken.wsgi"])
    assert served["CONN_MAX_AGE"] == 60 and served["CONN_HEALTH_CHECKS"]


def test_a_mistyped_trusted_proxy_stops_the_start(tmp_path):
    result = settings_in_a_fresh_process(
        DEBUG="1",
        PEKEN_TRUSTED_PROXIES="10.0.0.1, 10.0.0.0/8, bukan-alamat",
        PEKEN_DATA_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "PEKEN_TRUSTED_PROXIES" in result.stderr
