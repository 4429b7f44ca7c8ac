"""Paying shops what completed orders earned them, and checking the gateway's settlement."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import factories
from outbox_steps import outbox_sent
from payment_steps import charge, complete, pay, two_shop_checkout
from peken.core.money import format_rupiah
from peken.core.tabular import ImportRejected
from peken.ledger.selectors import account_balances, ledger_is_balanced, merchant_balance
from peken.notifications.models import Notification
from peken.ordering.services import checkout_place
from peken.payments.models import Payment
from peken.payouts.models import PayoutBatch
from peken.payouts.services import payouts_daily, payouts_run, settlement_import

pytestmark = pytest.mark.django_db


def test_a_shop_with_several_completed_orders_gets_one_payout():
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    shop = orders[0].merchant
    product = shop.products.get()
    again = checkout_place(
        buyer=checkout.buyer, lines=[(product.pk, 1)], fulfilment="pickup"
    ).orders[0]
    pay(charge(again.checkout))
    for order in (orders[0], again):
        complete(order)
    batch = payouts_daily()
    payout = batch.payouts.get()
    assert payout.merchant_id == shop.pk
    assert payout.amount == orders[0].total + again.total == batch.total
    assert merchant_balance(shop.pk) == 0
    assert payouts_daily() is None  # once a day
    rows = list(csv.DictReader(io.StringIO(batch.bank_file)))
    assert rows == [
        {
            "bank": "BRI",
            "account_number": "0123456789012",
            "holder_name": shop.owner.full_name,
            "amount": str(payout.amount),
            "reference": payout.reference,
        }
    ]
    assert ledger_is_balanced()


def test_nothing_owed_makes_no_batch():
    checkout, _ = two_shop_checkout()
    pay(charge(checkout))  # paid, not completed: held, not owed
    assert payouts_daily() is None
    assert not PayoutBatch.objects.exists()


def test_on_demand_run_is_for_city_admins(api):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    complete(orders[1])
    assert api(factories.asn()).post("/admin/payouts").status_code == 403
    admin = factories.person_with("city_admin")
    response = api(admin).post("/admin/payouts")
    assert response.status_code == 201 and response.json()["total"] == orders[1].total
    assert api(admin).post("/admin/payouts").status_code == 204
    file = api(admin).get(f"/admin/payouts/{response.json()['id']}/bank-file")
    assert file["Content-Type"].startswith("text/csv") and b"PKN-PO" in file.content


def test_the_owner_sees_balance_payouts_and_statement(api):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    complete(orders[0])
    owner = orders[0].merchant.owner
    money = api(owner).get("/merchant/money").json()
    assert money["balance"] == orders[0].total and money["statement"][0]["kind"] == "completion"
    payouts_run(actor=factories.person_with("city_admin"))
    money = api(owner).get("/merchant/money").json()
    assert money["balance"] == 0 and len(money["payouts"]) == 1
    other = api(factories.merchant().owner).get(
        f"/merchant/money?merchant_id={orders[0].merchant_id}"
    )
    assert other.status_code == 404


def report(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["order_id", "gross_amount", "fee"])
    writer.writerows(rows)
    return out.getvalue().encode()


def test_reconciliation_lists_a_missing_and_an_extra_line():
    payments = []
    for _ in range(3):
        checkout, _ = two_shop_checkout()
        payments.append(charge(checkout))
        pay(payments[-1])
    first, second, third = payments
    data = report(
        [
            (first.reference, f"{first.amount}.00", 700),
            (second.reference, second.amount + 1, 700),  # the gateway says more than we charged
            ("PKN-999-unknown", 10_000, 70),  # not ours
        ]
    )
    admin = factories.person_with("city_admin")
    result = settlement_import(actor=admin, data=data, filename="settlement.csv")
    differences = {(d.kind, d.reference) for d in result.differences.all()}
    assert differences == {
        ("missing", third.reference),
        ("amount", second.reference),
        ("extra", "PKN-999-unknown"),
    }
    assert result.matched_count == 1
    balances = account_balances()
    assert balances["platform_bank"] == first.amount - 700
    assert balances["gateway_fees"] == 700
    assert balances["gateway_clearing"] == second.amount + third.amount
    again = settlement_import(actor=admin, data=data, filename="again.csv")
    assert ("already_settled", first.reference) in {
        (d.kind, d.reference) for d in again.differences.all()
    }
    assert account_balances()["gateway_fees"] == 700  # not settled twice


def test_a_bad_settlement_file_changes_nothing():
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    pay(payment)
    admin = factories.person_with("city_admin")
    data = report([(payment.reference, "seratus", 0), ("", 5, 0)])
    with pytest.raises(ImportRejected) as error:
        settlement_import(actor=admin, data=data, filename="rusak.csv")
    assert {problem.line for problem in error.value.problems} == {2, 3}
    assert Payment.objects.get().status == "paid"
    assert account_balances()["platform_bank"] == 0


def test_settlement_upload_over_the_api(api):
    checkout, _ = two_shop_checkout()
    payment = charge(checkout)
    pay(payment)
    admin = factories.person_with("city_admin")
    upload = SimpleUploadedFile("s.csv", report([(payment.reference, payment.amount, 500)]))
    response = api(admin).upload("/admin/settlements", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["matched_count"] == 1 and response.json()["differences"] == []


def test_the_owner_is_told_of_the_payout(mailoutbox):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    shop = orders[0].merchant
    shop.owner.email = "sri@example.id"
    shop.owner.save()
    complete(orders[0])
    outbox_sent()
    mailoutbox.clear()  # the order's own news
    payouts_daily()
    note = Notification.objects.get(user=shop.owner, kind="payout_sent")
    assert format_rupiah(orders[0].total) in note.text and "****9012" in note.text
    assert mailoutbox == []  # the worker sends it
    assert len(outbox_sent()) == 1 and mailoutbox[0].to == ["sri@example.id"]
