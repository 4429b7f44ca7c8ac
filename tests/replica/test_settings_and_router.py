"""The replica's settings, the PgBouncer switch, and what the router does without a replica
(the embedded default and most installations): every read and write on the primary."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from peken.accounts.models import User
from peken.core.db_router import ReplicaRouter, reads_may_lag, replica_state

PRIMARY = "postgres://peken@db.example:5432/peken"
REPLICA = "postgres://peken@replica.example:5432/peken"


@pytest.fixture
def production(monkeypatch):
    import peken.settings as production

    for name in ("DATABASE_REPLICA_URL", "PEKEN_PGBOUNCER", "PEKEN_DB_CONN_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", PRIMARY)
    return production


def test_without_a_replica_url_there_is_only_the_primary(production):
    assert set(production.databases_settings(["gunicorn"])) == {"default"}


def test_the_replica_has_the_primarys_options_a_short_connect_timeout_and_no_test_database(
    production, monkeypatch
):
    monkeypatch.setenv("DATABASE_REPLICA_URL", REPLICA)
    databases = production.databases_settings(["gunicorn"])
    primary, replica = databases["default"], databases["replica"]
    assert replica["HOST"] == "replica.example" and primary["HOST"] == "db.example"
    assert replica["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"] == 60
    assert replica["CONN_HEALTH_CHECKS"]
    assert replica["OPTIONS"] == {**primary["OPTIONS"], "connect_timeout": 2}
    assert replica["TEST"] == {"MIRROR": "default"}


def test_a_replica_needs_postgresql(production, monkeypatch):
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("DATABASE_REPLICA_URL", REPLICA)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_REPLICA_URL"):
        production.databases_settings(["gunicorn"])


def test_behind_pgbouncer_nothing_is_prepared_and_no_cursor_outlives_its_transaction(
    production, monkeypatch
):
    monkeypatch.setenv("DATABASE_REPLICA_URL", REPLICA)
    direct = production.databases_settings(["gunicorn"])
    assert direct["default"]["OPTIONS"]["prepare_threshold"] == 2
    assert not direct["default"].get("DISABLE_SERVER_SIDE_CURSORS")
    monkeypatch.setenv("PEKEN_PGBOUNCER", "1")
    pooled = production.databases_settings(["gunicorn"])
    for alias in ("default", "replica"):
        assert pooled[alias]["OPTIONS"]["server_side_binding"] is False
        assert pooled[alias]["OPTIONS"]["prepare_threshold"] is None
        assert pooled[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert pooled["default"]["CONN_MAX_AGE"] == 60  # kept: PgBouncer shares the server side


def test_the_router_writes_and_migrates_only_the_primary():
    router = ReplicaRouter()
    assert router.db_for_write(User) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "accounts")
    assert not router.allow_migrate("replica", "accounts")
    assert router.allow_relation(User(), User())


@pytest.mark.django_db
def test_without_a_replica_reads_that_may_lag_read_the_primary(city_admin):
    router = ReplicaRouter()

    @reads_may_lag
    def read():
        assert router.db_for_read(User) == DEFAULT_DB_ALIAS
        return User.objects.get(pk=city_admin.pk)

    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary:
        assert read() == city_admin
    assert len(on_primary.captured_queries) == 1
    assert replica_state().reason == "not configured"
