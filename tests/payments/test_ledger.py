"""The ledger: balanced entries only, never rewritten, balances derived from lines."""

import pytest
from django.db import IntegrityError, connection, transaction

from payment_steps import charge, complete, pay, two_shop_checkout
from peken.core.append_only import AppendOnlyError
from peken.ledger import rules
from peken.ledger.models import LedgerEntry, LedgerLine
from peken.ledger.rules import LedgerRuleError, credit, debit
from peken.ledger.selectors import account_balances, ledger_is_balanced, merchant_balance
from peken.ledger.services import ledger_post


def test_an_entry_must_balance():
    with pytest.raises(LedgerRuleError, match="balance"):
        rules.entry_check([debit("gateway_clearing", 100), credit("buyer_funds_held", 99)])


def test_amounts_are_whole_rupiah_on_known_accounts():
    with pytest.raises(LedgerRuleError, match="whole"):
        rules.entry_check([debit("gateway_clearing", 1.5), credit("buyer_funds_held", 1.5)])
    with pytest.raises(LedgerRuleError, match="unknown"):
        rules.entry_check([debit("petty_cash", 5), credit("buyer_funds_held", 5)])
    with pytest.raises(LedgerRuleError, match="merchant"):
        rules.entry_check([debit("gateway_clearing", 5), credit("merchant_payable", 5)])


def test_a_refund_comes_off_the_goods_first():
    assert rules.refund_split(goods_left=100, delivery_left=10, amount=30) == (30, 0)
    assert rules.refund_split(goods_left=100, delivery_left=10, amount=105) == (100, 5)
    with pytest.raises(LedgerRuleError):
        rules.refund_split(goods_left=100, delivery_left=10, amount=111)


def test_liabilities_read_positive_when_owed():
    assert rules.balance("merchant_payable", -500) == 500
    assert rules.balance("gateway_clearing", 500) == 500


@pytest.mark.django_db
def test_entries_and_lines_cannot_be_changed_or_deleted():
    entry = ledger_post(
        kind="settlement",
        reference="test",
        lines=[debit("platform_bank", 10), credit("gateway_clearing", 10)],
    )
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerLine.objects.filter(entry=entry).update(amount=11)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    refused = pytest.raises(Exception, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_ledgerline SET amount = amount + 1")


@pytest.mark.django_db
def test_the_life_of_a_paid_order_in_the_ledger():
    checkout, orders = two_shop_checkout()
    payment = charge(checkout)
    pay(payment)
    first = orders[0]
    complete(first)
    assert merchant_balance(first.merchant_id) == first.total
    balances = account_balances()
    assert balances["buyer_funds_held"] == payment.amount - first.total
    assert balances["merchant_payable"] == first.total
    assert ledger_is_balanced()


@pytest.mark.django_db
def test_an_order_is_paid_once_in_the_ledger_whatever_races():
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    from peken.ledger.services import ledger_order_paid

    with pytest.raises(IntegrityError), transaction.atomic():
        ledger_order_paid(order=orders[0], reference="again")


def test_postgresql_refuses_to_commit_an_unbalanced_entry(live_db):
    if connection.vendor != "postgresql":
        pytest.skip("the commit-time balance trigger is PostgreSQL's")
    with pytest.raises(Exception, match="does not balance"), transaction.atomic():
        entry = LedgerEntry.objects.create(kind="settlement", reference="raw")
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_ledgerline (entry_id, account, amount)"
                " VALUES (%s, 'platform_bank', 10)",
                [entry.pk],
            )
    assert not LedgerEntry.objects.filter(reference="raw").exists()
