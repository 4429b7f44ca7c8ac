"""The restore drill: a city with orders, payments, refunds, a settlement and payouts is backed
up with `peken backup`, restored with `peken restore` into an empty database, and checked there
with `peken check-invariants`: every rule holds and every figure equals the source's. And the
check can fail: a database broken on purpose is reported, rule by rule."""

import contextlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import payment_steps
from ops_steps import peken_run, scratch_postgres_database
from peken.accounts.models import User
from peken.demo.services import demo_load
from peken.integrity.invariants import RULES, integrity_figures, invariants_check
from peken.ledger.models import LedgerEntry, LedgerLine
from peken.ordering.models import Order
from peken.ordering.services import order_transition
from peken.payments.complaints import complaint_decide
from peken.payments.models import Complaint, Payment
from peken.payouts.services import payouts_run, settlement_import
from peken.quotas.models import MerchantMonthQuota
from peken.reports.models import MerchantMonth


def city_with_money_moving() -> None:
    """The demo city (paid and completed orders, a payout batch, an open complaint), then a
    complaint refunded, a paid order cancelled, a settlement and a second payout batch."""
    assert demo_load() is True
    admin = User.objects.get(username="admin")
    complaint = Complaint.objects.get(status=Complaint.Status.OPEN)
    complaint_decide(
        actor=admin, complaint=complaint, refund_amount=10_000, note="Telur kurang, dikembalikan."
    )
    paid = Order.objects.filter(status=Order.Status.PAID).order_by("pk").first()
    order_transition(order=paid, action="expire_acceptance", actor=None, actor_kind="system")
    payments = Payment.objects.filter(status=Payment.Status.PAID).order_by("pk")[:5]
    report = "reference,gross,fee\n" + "".join(
        f"{payment.reference},{payment.amount},{payment.amount // 100}\n" for payment in payments
    )
    settlement_import(actor=admin, data=report.encode(), filename="settlement.csv")
    for order in Order.objects.filter(status=Order.Status.PAID).order_by("pk")[:3]:
        payment_steps.complete(order)
    payouts_run(actor=admin)


def restore_target():
    """(DATABASE_URL or None, data dir) of an empty database of the test database's kind."""
    if connection.vendor == "postgresql":
        return scratch_postgres_database(connection.settings_dict, "peken_drill_restore")
    return contextlib.nullcontext(None)


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_backup_restores_into_an_empty_database_with_every_figure_and_rule(
    live_db, demo_settings, tmp_path
):
    city_with_money_moving()
    assert all(result.holds for result in invariants_check()), [
        (result.name, result.examples) for result in invariants_check() if not result.holds
    ]
    source = json.loads(json.dumps(integrity_figures(), default=str))
    assert source["refunds_amount"] > 0 and source["payouts"] > 0
    assert source["ledger_balances"]["gateway_fees"] > 0
    assert source["orders"]["cancelled"] >= 1 and source["rollups"]["reports_merchantday"]["rows"]

    backup = tmp_path / "peken.backup"
    call_command("backup", str(backup))
    assert backup.stat().st_size > 10_000

    with restore_target() as database_url:
        data_dir = tmp_path / "restored"
        restored = peken_run("restore", str(backup), database_url=database_url, data_dir=data_dir)
        assert restored.returncode == 0, restored.stderr
        assert "dipulihkan" in restored.stdout
        assert f"Semua {len(RULES)} aturan terpenuhi." in restored.stdout

        checked = peken_run(
            "check-invariants", "--json", database_url=database_url, data_dir=data_dir
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        report = json.loads(checked.stdout)
        assert report["holds"] is True
        assert report["figures"] == source

        again = peken_run("restore", str(backup), database_url=database_url, data_dir=data_dir)
        assert again.returncode == 1
        assert "Basis data tujuan tidak kosong" in again.stderr


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    backup = tmp_path / "peken.backup"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="tidak kosong"):
        call_command("restore", str(backup))


@pytest.mark.django_db
def test_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "kemarin.backup"
    existing.write_bytes(b"cadangan kemarin")
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("backup", str(existing))
    assert existing.read_bytes() == b"cadangan kemarin"


# --- the check can fail --------------------------------------------------------------------


@pytest.fixture
def paid_checkout(db):
    checkout, orders = payment_steps.two_shop_checkout()
    payment_steps.pay(payment_steps.charge(checkout))
    payment_steps.complete(Order.objects.get(pk=orders[0].pk))
    return checkout


def _execute(statement: str, *values) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, values)


def _break_quota(checkout):
    table = MerchantMonthQuota._meta.db_table
    _execute(f"UPDATE {table} SET used = used + 1 WHERE id = (SELECT MIN(id) FROM {table})")


def _break_ledger(checkout):
    # The ledger refuses UPDATE and DELETE (a trigger); a stray INSERT is what could slip in,
    # where PostgreSQL's check at commit is switched off (rolled back with the test).
    entry = LedgerEntry.objects.order_by("pk").first()
    if connection.vendor == "postgresql":
        _execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's own entries checked now
        _execute(f"ALTER TABLE {LedgerLine._meta.db_table} DISABLE TRIGGER ledger_entry_balanced")
    _execute(
        f"INSERT INTO {LedgerLine._meta.db_table} (entry_id, account, amount) VALUES (%s, %s, %s)",
        entry.pk,
        "platform_bank",
        500,
    )


def _break_rollup(checkout):
    _execute(f"UPDATE {MerchantMonth._meta.db_table} SET goods = goods + 1000")


def _break_payment(checkout):
    _execute(f"UPDATE {Payment._meta.db_table} SET amount = amount + 1")


def _break_order_status(checkout):
    # A paid order put back to "waiting" by hand: its ledger and its payment now disagree.
    order = checkout.orders.order_by("pk").last()
    _execute(
        f"UPDATE {Order._meta.db_table} SET status = 'awaiting_payment' WHERE id = %s", order.pk
    )


@pytest.mark.parametrize(
    ("breaking", "broken_rules"),
    [
        (_break_quota, {"quota_equals_orders"}),
        (_break_ledger, {"ledger_entries_balance", "cash_accounts_match"}),
        (_break_rollup, {"rollups_match_orders"}),
        (_break_payment, {"payments_match_orders", "cash_accounts_match"}),
        (
            _break_order_status,
            {
                "orders_paid_once",
                "payments_match_orders",
                "funds_held_match_orders",
                "rollups_match_orders",
            },
        ),
    ],
    ids=["quota", "ledger", "rollup", "payment", "order"],
)
def test_check_invariants_names_each_broken_rule(paid_checkout, breaking, broken_rules, capsys):
    call_command("check_invariants")
    assert f"Semua {len(RULES)} aturan terpenuhi." in capsys.readouterr().out

    breaking(paid_checkout)

    with pytest.raises(CommandError, match="aturan dilanggar") as failure:
        call_command("check_invariants")
    output = capsys.readouterr().out
    failed = {
        line.split()[1].rstrip(":") for line in output.splitlines() if line.startswith("GAGAL")
    }
    assert failed == broken_rules, output
    for name in broken_rules:
        assert name in str(failure.value)


def test_the_quota_past_its_cap_is_reported(paid_checkout):
    """The database refuses used > cap (a check constraint); dropped, a bug could pass it."""
    quota = MerchantMonthQuota.objects.order_by("pk").first()
    table = MerchantMonthQuota._meta.db_table
    if connection.vendor == "postgresql":
        _execute("SET CONSTRAINTS ALL IMMEDIATE")  # the fixture's own entries checked now
        _execute(f"ALTER TABLE {table} DROP CONSTRAINT quota_used_within_cap")
    else:
        pytest.skip("SQLite cannot drop a check constraint without rebuilding the table")
    _execute(f"UPDATE {table} SET cap = used - 1 WHERE id = %s", quota.pk)
    broken = {result.name for result in invariants_check() if not result.holds}
    assert broken == {"quota_within_cap"}


def test_stock_against_a_baseline(paid_checkout):
    from peken.catalog.models import Product

    stock = dict(Product.objects.values_list("pk", "stock"))
    # two_shop_checkout took 2 of each product from 50.
    baseline = dict.fromkeys(stock, 50)
    assert all(result.holds for result in invariants_check(stock_baseline=baseline))
    Product.objects.filter(pk=min(stock)).update(stock=49)
    broken = [result for result in invariants_check(stock_baseline=baseline) if not result.holds]
    assert [result.name for result in broken] == ["stock_matches_baseline"]
    assert "awal 50 − dipesan 2" in broken[0].examples[0]
