"""Two officers deciding on the same shop at the same moment: exactly one decision lands."""

import threading

import pytest
from django.db import connection

import factories
from peken.core.errors import DomainError
from peken.core.models import AuditEntry
from peken.merchants.models import Merchant
from peken.merchants.services import merchant_transition


def test_verify_and_reject_racing_leave_one_decision(live_db):
    merchant = factories.merchant("35.78.05.1003", status="submitted")
    first = factories.officer(kelurahan_code="35.78.05.1003")
    second = factories.officer(kecamatan_code="35.78.05")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(officer, action):
        try:
            barrier.wait(timeout=10)
            merchant_transition(
                actor=officer, merchant=merchant, action=action, reason="Data usaha tidak sesuai"
            )
            outcomes.append(action)
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, "verify")),
        threading.Thread(target=decide, args=(second, "reject")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes).count("merchant_status_conflict") == 1, outcomes
    final = Merchant.objects.get(pk=merchant.pk).status
    winner = next(action for action in outcomes if action != "merchant_status_conflict")
    assert final == {"verify": "verified", "reject": "rejected"}[winner]
    decisions = AuditEntry.objects.filter(action__in=["merchant.verify", "merchant.reject"])
    assert decisions.count() == 1


@pytest.mark.parametrize("round_", range(2))
def test_reference_data_survives_transactional_tests(live_db, round_):
    from peken.regions.models import Kelurahan

    assert Kelurahan.objects.count() == 153
