"""Every figure of the dashboard equals a recount from the orders, on a generated month with
cancellations after payment and complaint refunds; the roll-ups the money path keeps equal a
rebuild from scratch."""

import dataclasses
import io

import pytest
from django.core.management import CommandError, call_command

from peken.core.months import Month
from peken.obligations.services import month_close
from peken.ordering.models import Order
from peken.payments.models import Refund
from peken.reports import rules
from peken.reports.models import MerchantDay
from peken.reports.selectors import dashboard
from peken.reports.services import MERCHANT_MONTH, rollups_check, rollups_rebuild, rollups_stored
from reports import recount
from reports.month_steps import CAPPED_CAP, MONTH

pytestmark = pytest.mark.django_db

FEBRUARY, APRIL = Month(2026, 2), Month(2026, 4)


def test_the_generated_month_has_what_the_figures_must_survive(city):
    orders = Order.objects.filter(month="2026-03-01")
    assert 180 <= orders.count() <= 320
    cancelled_after_payment = orders.filter(status="cancelled", paid_at__isnull=False)
    assert cancelled_after_payment.count() >= 5
    assert orders.filter(refunded_goods__gt=0).exclude(status="cancelled").count() >= 10
    assert orders.filter(status="awaiting_payment").exists()
    assert cancelled_after_payment.filter(refunded_goods__gt=0).exists()  # refund, then cancel
    assert Refund.objects.filter(kind="complaint", delivery_part__gt=0).exists()
    assert orders.filter(delivery_fee__gt=0).exists()
    assert orders.values("merchant_id").distinct().count() >= 10


def test_the_roll_ups_kept_by_the_money_path_equal_a_recount(city):
    for month in (FEBRUARY, MONTH, APRIL):
        assert rollups_check(month) == []
    kept = rollups_stored(MONTH)
    summary = rollups_rebuild(MONTH)
    assert rollups_stored(MONTH) == kept
    assert summary.rows[MERCHANT_MONTH.table] == len(kept[MERCHANT_MONTH])


def test_every_turnover_figure_equals_a_recount(city):
    board = dashboard(MONTH)
    assert dataclasses.asdict(board.headline) == recount.headline(MONTH)
    assert dataclasses.asdict(board.previous) == recount.headline(FEBRUARY)
    for name, value in dataclasses.asdict(board.headline).items():
        assert board.changes[name] == rules.change(value, getattr(board.previous, name))
    months = {point.month: point for point in board.months}
    assert len(board.months) == 13 and board.months[-1].month == "2026-03"
    assert months["2026-02"].turnover == recount.headline(FEBRUARY)["turnover"]
    assert months["2025-04"].turnover == 0
    days = recount.days(MONTH)
    assert len(board.days) == 31
    for point in board.days:
        assert (point.turnover, point.asn_turnover, point.orders) == days.get(point.day, (0, 0, 0))
    # The order at 23.30 WIB on 31 March is March's; the one at 00.30 on 1 April is not.
    assert board.days[-1].orders >= 1
    categories = recount.categories(MONTH)
    for row in board.categories:
        assert (row.orders, row.turnover) == categories.get(row.slug, (0, 0))
    assert sum(row.turnover for row in board.categories) == board.headline.turnover
    kinds = recount.by_kind(MONTH)
    for row in board.kinds:
        active = (row.active_merchants, row.orders, row.turnover)
        assert active == kinds.get((row.kind, row.line), (0, 0, 0))
    assert sum(row.turnover for row in board.kinds) == board.headline.turnover


def test_every_kecamatan_figure_equals_a_recount(city):
    board = dashboard(MONTH)
    areas = recount.by_kecamatan(MONTH)
    assert len(board.kecamatan) == 31
    for row in board.kecamatan:
        area = areas.get(row.code, {})
        assert row.merchants == area.get("merchants", 0)
        assert row.active_merchants == area.get("active_merchants", 0)
        assert row.idle_merchants == area.get("idle_merchants", 0)
        assert row.orders == area.get("orders", 0)
        assert row.turnover == area.get("goods", 0)
        assert row.asn_turnover == area.get("asn_goods", 0)
        assert row.asn_home_share == rules.share(area.get("asn_home_goods", 0), row.asn_turnover)
    assert sum(row.turnover for row in board.kecamatan) == board.headline.turnover


def test_every_equity_figure_equals_a_recount(city):
    equity = dashboard(MONTH).equity
    values = recount.asn_distribution(MONTH)
    assert equity.merchants_counted == len(values) == len(city.shops) + 1 + len(city.idle)
    assert equity.gini == pytest.approx(recount.gini_by_mean_difference(values), abs=1e-12)
    assert equity.lorenz[0] == (0.0, 0.0) and equity.lorenz[-1] == (1.0, 1.0)
    top = sorted(values, reverse=True)[:2]  # 10 % of 14 shops, rounded up
    assert equity.top_decile_share == pytest.approx(sum(top) / sum(values))
    assert {shop.id for shop in equity.idle} == recount.idle(MONTH)
    assert {shop.id for shop in equity.idle} >= {shop.pk for shop in city.idle}
    assert {row.shop.id for row in equity.capped} == recount.at_cap(MONTH) == {city.capped.pk}
    assert equity.capped[0].used == equity.capped[0].cap == CAPPED_CAP
    shops = recount.by_merchant(MONTH)
    mbr = {shop.pk for shop in city.shops + [city.capped] if shop.is_mbr}
    mbr_goods = sum(figures["goods"] for merchant, figures in shops.items() if merchant in mbr)
    assert equity.mbr_turnover == mbr_goods
    assert equity.mbr_share == rules.share(mbr_goods, recount.headline(MONTH)["turnover"])
    assert equity.mbr_merchants == len(mbr)
    home = sum(figures["asn_home_goods"] for figures in shops.values())
    asn = sum(figures["asn_goods"] for figures in shops.values())
    assert 0 < home < asn
    assert equity.home_share == rules.share(home, asn)


def test_compliance_equals_a_recount_from_the_orders_and_then_the_frozen_month(city):
    expected = recount.obligations(MONTH)
    live = dashboard(MONTH).compliance
    assert not live.is_closed
    assert live.asn == len(expected)
    unmet = {nip: figures for nip, figures in expected.items() if figures[2] == "unmet"}
    assert 0 < len(unmet) < len(expected)
    assert {row.nip: (row.required, row.spent, row.shortfall) for row in live.unmet_people} == {
        nip: (required, spent, required - spent) for nip, (required, spent, _) in unmet.items()
    }
    assert [row.shortfall for row in live.unmet_people] == sorted(
        (row.shortfall for row in live.unmet_people), reverse=True
    )
    assert live.met + live.unmet + live.exempt == live.asn
    assert live.met == sum(figures[2] == "met" for figures in expected.values())
    assert sum(line.asn for line in live.by_opd) == live.asn
    shares = [line.share for line in live.by_opd]
    assert shares == sorted(shares, reverse=True)
    month_close(month=MONTH, actor="tests")
    frozen = dashboard(MONTH).compliance
    assert frozen.is_closed
    assert dataclasses.replace(frozen, is_closed=False) == live


def test_the_command_finds_a_drift_and_rebuilds_it_away(city):
    call_command("rebuild_rollups", "2026-03", "--check", stdout=io.StringIO())
    drifted = MerchantDay.objects.filter(day__month=3).order_by("id").first()
    MerchantDay.objects.filter(pk=drifted.pk).update(goods=drifted.goods + 1)
    with pytest.raises(CommandError, match="1 baris"):
        call_command("rebuild_rollups", "2026-03", "--check", stdout=io.StringIO())
    output = io.StringIO()
    call_command("rebuild_rollups", "--all", stdout=output)
    assert "2026-02" in output.getvalue() and "2026-04" in output.getvalue()
    assert rollups_check(MONTH) == []
