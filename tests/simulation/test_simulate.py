"""A small simulated month through the real services: every invariant holds, the summary has
the documented keys, and the same seed makes the same month."""

import json
import random

import pytest
from django.core.management import call_command
from django.db import connection

from peken.core.months import Month
from peken.simulation import behaviour
from peken.simulation.policy import COMPARED, Policy, policy_parse
from peken.simulation.run import simulation_run

SUMMARY_KEYS = {
    "policy",
    "orders",
    "turnover",
    "cap_refusals",
    "merchants_at_cap",
    "gini",
    "merchants_with_orders_share",
    "home_kecamatan_share",
    "compliance_rate",
    "elapsed_s",
    "orders_per_s",
    "invariants",
}


def test_policies_read_as_a_city_writes_them():
    assert policy_parse("cap=none,fair=off") == Policy(cap=None, fair_ranking=False)
    assert policy_parse("cap=20.000.000") == Policy(cap=20_000_000, fair_ranking=True)
    for bad in ("cap=-5", "cap=10000000000001", "fair=maybe", "speed=fast", "cap="):
        with pytest.raises(ValueError):
            policy_parse(bad)


def test_the_same_seed_plans_the_same_month():
    def plans(seed):
        chooser = random.Random(seed)
        return [
            behaviour.plan_buyer(
                chooser,
                user_id=n,
                kelurahan_id=1,
                kecamatan_id=1,
                required=500_000,
                days_in_month=30,
            )
            for n in range(50)
        ]

    assert plans(3) == plans(3) and plans(3) != plans(4)


def test_paydays_and_the_month_end_draw_the_most_checkouts():
    chooser = random.Random(1)
    days = [
        day
        for _ in range(400)
        for day, _hour in behaviour.plan_buyer(
            chooser,
            user_id=1,
            kelurahan_id=1,
            kecamatan_id=1,
            required=500_000,
            days_in_month=30,
        ).checkout_days
    ]
    assert days.count(1) > 3 * days.count(8) and days.count(30) > 3 * days.count(8)


def test_those_who_comply_make_up_what_they_owe_on_their_last_checkout():
    def plan(complies, spent):
        return behaviour.BuyerPlan(
            user_id=1,
            kelurahan_id=1,
            kecamatan_id=1,
            required=900_000,
            budget=950_000 if complies else 400_000,
            checkout_days=[(1, 8), (30, 20)],
            complies=complies,
            spent=spent,
        )

    chooser = random.Random(1)
    usual = behaviour.BASKET_TARGET * 1.6
    assert behaviour.basket_target(chooser, plan(True, 100_000), last=False) <= usual
    assert behaviour.basket_target(chooser, plan(True, 100_000), last=True) == 800_000
    assert behaviour.basket_target(chooser, plan(False, 300_000), last=True) <= 100_000
    assert behaviour.basket_target(chooser, plan(False, 400_000), last=True) == 0
    goods = [(n, 20_000, 50) for n in range(1, 20)]
    lines = behaviour.basket(random.Random(2), goods, 800_000)
    assert sum(20_000 * quantity for _, quantity in lines) >= 200_000


@pytest.mark.django_db
def test_a_small_month_keeps_every_invariant():
    result = simulation_run(
        asn=40,
        merchants=12,
        products=240,
        month=Month.parse("2026-10"),
        seed=5,
        policy=Policy(cap=3_000_000, fair_ranking=True),
    )
    assert set(result) >= SUMMARY_KEYS
    assert result["orders"] > 50 and result["turnover"] > 0
    assert all(result["invariants"].values()), result["invariants"]
    assert result["details"]["payout_batches"] > 0


def test_compare_sets_the_baseline_beside_the_rules():
    assert [policy.label for policy in COMPARED] == [
        "cap=none,fair=off",
        "cap=30000000,fair=off",
        "cap=30000000,fair=on",
    ]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="runs on its own scratch SQLite file; once is enough"
)
def test_the_command_runs_a_month_on_a_scratch_database(tmp_path, capsys):
    out = tmp_path / "summary.json"
    call_command(
        "simulate",
        "--asn",
        "20",
        "--merchants",
        "6",
        "--products",
        "120",
        "--month",
        "2026-09",
        "--seed",
        "2",
        "--database",
        "sqlite",
        "--policy",
        "cap=none,fair=off",
        "--json",
        str(out),
    )
    [run] = json.loads(out.read_text())
    assert run["policy"] == "cap=none,fair=off"
    assert set(run) >= SUMMARY_KEYS and all(run["invariants"].values())
    assert "Gini omzet ASN per toko" in capsys.readouterr().out
