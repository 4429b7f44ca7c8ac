"""Run by tests/replica/test_read_replica.py in a pytest of its own (cluster_settings): the
database is the primary's real one, migrated here, and its replica follows it by streaming."""

import pytest
from django.core.management import call_command
from replica_pair import PRIMARY_URL, database_recreate, replica_catch_up

from peken.core.db_router import replica_forget
from peken.regions.models import Kelurahan
from peken.regions.services import regions_import_bundled


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker):
    database_recreate(PRIMARY_URL)  # each run starts from an empty database, as a test run does
    with django_db_blocker.unblock():
        call_command("migrate", verbosity=0)
        if not Kelurahan.objects.exists():
            regions_import_bundled(actor="tests")
    replica_catch_up()


@pytest.fixture(autouse=True)
def database(django_db_setup, django_db_blocker, settings):
    """Real commits on the primary (the replica sees only those); a fresh look at the replica."""
    settings.PEKEN_REPLICA_MAX_LAG_SECONDS = 3600
    replica_forget()
    with django_db_blocker.unblock():
        yield
    replica_forget()
