"""A generated month, built once per test module (through the real services it takes seconds)
inside a transaction that the module's tests run within and that is rolled back after the
module. Module scope on purpose: the directory is no package, so a wider scope would keep the
transaction open for the rest of the session."""

import pytest
import time_machine
from django.db import transaction

from reports.month_steps import CITY_REGISTERED, city_build, month_generate


def generated_month(django_db_blocker, checkouts: int):
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(CITY_REGISTERED, tick=False):
            city = city_build()
        month_generate(city, checkouts=checkouts)
        yield city
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def march(django_db_setup, django_db_blocker):
    """About 200 orders in March 2026, with every kind of fate an order can have."""
    yield from generated_month(django_db_blocker, checkouts=125)


@pytest.fixture(scope="module")
def quiet_march(django_db_setup, django_db_blocker):
    """A smaller March, for tests of pages and files rather than of arithmetic."""
    yield from generated_month(django_db_blocker, checkouts=40)


@pytest.fixture
def city(march, db):
    """The generated month, for a test with the usual per-test rollback on top."""
    return march
