"""The city's payout batches and reconciliation results in the back office."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from payment_steps import charge, complete, pay, two_shop_checkout
from peken.ledger.models import LedgerEntry
from peken.payouts.models import PayoutBatch, SettlementImport

pytestmark = pytest.mark.django_db


def test_a_city_admin_runs_payouts_and_downloads_the_bank_file(client, city_admin):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    complete(orders[0])
    client.force_login(city_admin)
    listing = client.get("/kelola/payouts/payoutbatch/")
    assert "Cairkan sekarang" in listing.content.decode()
    response = client.post("/kelola/payouts/payoutbatch/run/")
    batch = PayoutBatch.objects.get()
    assert response.status_code == 302 and batch.total == orders[0].total
    page = client.get(f"/kelola/payouts/payoutbatch/{batch.pk}/change/").content.decode()
    assert f"pencairan-{batch.pk}.csv" in page
    file = client.get(f"/kelola/payouts/payoutbatch/{batch.pk}/bank-file/")
    assert file["Content-Type"].startswith("text/csv") and str(batch.total) in file.content.decode()


def test_an_auditor_sees_batches_but_cannot_run_them(client, auditor):
    client.force_login(auditor)
    assert "Cairkan sekarang" not in client.get("/kelola/payouts/payoutbatch/").content.decode()
    client.post("/kelola/payouts/payoutbatch/run/")
    assert not PayoutBatch.objects.exists()
    assert not LedgerEntry.objects.filter(kind="payout").exists()


def test_a_settlement_upload_shows_its_differences(client, city_admin):
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    pay(payment)
    client.force_login(city_admin)
    data = f"reference,gross,fee\n{payment.reference},{payment.amount},700\nPKN-x,5000,0\n"
    response = client.post(
        "/kelola/payouts/settlementimport/upload/",
        {"file": SimpleUploadedFile("s.csv", data.encode())},
    )
    report = SettlementImport.objects.get()
    assert response.status_code == 302
    page = client.get(f"/kelola/payouts/settlementimport/{report.pk}/change/").content.decode()
    assert "PKN-x" in page
    bad = client.post(
        "/kelola/payouts/settlementimport/upload/",
        {"file": SimpleUploadedFile("b.csv", b"reference,gross,fee\nPKN-y,lima,0\n")},
    )
    assert bad.status_code == 200 and "Baris 2" in bad.content.decode()
    assert SettlementImport.objects.count() == 1
