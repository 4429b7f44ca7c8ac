"""The ASN's own figure, their OPD's page and the city report show the same month the same way:
with an exemption, a personal override, the home-kecamatan-only switch, and once the month is
closed (even when the orders change afterwards)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

import factories
from factories import KARANG_PILANG, KEDUNGDORO
from peken.core.months import WIB, Month
from peken.obligations.models import ObligationExemption, ObligationOverride, ObligationResult
from peken.obligations.services import month_close
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.reports.compliance import compliance_of
from peken.reports.models import BuyerMonth
from peken.reports.services import rollups_check

pytestmark = pytest.mark.django_db

MARCH = Month(2026, 3)
IN_MARCH = dt.datetime(2026, 3, 10, 10, 0, tzinfo=WIB)
IN_APRIL = dt.datetime(2026, 4, 2, 9, 0, tzinfo=WIB)


def paid_order(buyer, shop, amount: int) -> Order:
    product = factories.product(shop, price=amount, stock=5)
    order = checkout_place(buyer=buyer, lines=[(product.pk, 1)], fulfilment="pickup").orders[0]
    order_transition(order=order, action="pay", actor=None, actor_kind="system")
    return order


@pytest.fixture
def staff():
    """Five of DINKES, III/a (owes Rp 500.000 by the default table) unless said otherwise, living
    in Kedungdoro; a shop there and one in another kecamatan."""
    health = factories.opd("DINKES")
    near = factories.merchant(KEDUNGDORO, name="Toko Dekat")
    far = factories.merchant(KARANG_PILANG, name="Toko Jauh")
    with time_machine.travel(IN_MARCH, tick=False):
        people = {
            name: factories.asn(KEDUNGDORO, golongan="III/a", opd=health)
            for name in ("met", "split", "exempt", "override", "idle")
        }
        paid_order(people["met"], near, 500_000)
        paid_order(people["split"], near, 200_000)
        paid_order(people["split"], far, 300_000)
        paid_order(people["exempt"], far, 50_000)
        paid_order(people["override"], far, 150_000)
    march = MARCH.first_day()
    ObligationExemption.objects.create(
        asn=people["exempt"].asn_profile, from_month=march, until_month=march, reason="cuti"
    )
    ObligationOverride.objects.create(
        asn=people["override"].asn_profile, amount=100_000, from_month=march, reason="paruh waktu"
    )
    return {"opd": health, "people": people}


def three_views(api, staff) -> dict[str, dict]:
    """Each person's (required, spent, shortfall, status) as the ASN, the OPD admin and the
    city report see March."""
    people = staff["people"]
    own = {}
    for name, person in people.items():
        body = api(person).get("/me/obligation", {"month": str(MARCH)}).json()
        status = "exempt" if body["is_exempt"] else ("met" if body["is_met"] else "unmet")
        own[name] = (body["required"], body["spent"], body["remaining"], status)
    client = Client()
    client.force_login(factories.opd_admin(staff["opd"]))
    page = client.get(reverse("web:opd-compliance"), {"opd": "DINKES", "month": str(MARCH)})
    rows = {row.nip: row for row in page.context["page"].object_list}
    nips = {name: person.asn_profile.nip for name, person in people.items()}
    opd = {
        name: (row.required, row.spent, row.shortfall, row.status)
        for name, row in ((name, rows[nip]) for name, nip in nips.items())
    }
    city = compliance_of(MARCH)
    unmet = {row.nip: (row.required, row.spent, row.shortfall) for row in city.unmet_people}
    line = next(line for line in city.by_opd if line.code == "DINKES")
    counts = {status: sum(view[3] == status for view in opd.values()) for status in ("met",)}
    assert (line.asn, line.met, line.exempt, line.unmet) == (
        len(opd),
        counts["met"],
        sum(view[3] == "exempt" for view in opd.values()),
        sum(view[3] == "unmet" for view in opd.values()),
    )
    assert page.context["totals"]["met"] == line.met
    assert page.context["totals"]["shortfall"] == line.shortfall
    assert unmet == {nips[name]: view[:3] for name, view in opd.items() if view[3] == "unmet"}
    assert own == opd
    return {"own": own, "is_closed": city.is_closed and page.context["is_closed"]}


def test_all_spending_counts_by_default(api, staff):
    with time_machine.travel(IN_MARCH, tick=False):
        views = three_views(api, staff)
    assert views["own"] == {
        "met": (500_000, 500_000, 0, "met"),
        "split": (500_000, 500_000, 0, "met"),
        "exempt": (0, 50_000, 0, "exempt"),
        "override": (100_000, 150_000, 0, "met"),
        "idle": (500_000, 0, 500_000, "unmet"),
    }
    assert not views["is_closed"]


def test_home_kecamatan_only_counts_the_same_everywhere(api, staff, city_admin):
    with time_machine.travel(IN_MARCH, tick=False):
        assert api(city_admin).put("/admin/policy", {"obligation_home_kecamatan_only": True})
        views = three_views(api, staff)
    assert views["own"]["split"] == (500_000, 200_000, 300_000, "unmet")
    assert views["own"]["override"] == (100_000, 0, 100_000, "unmet")
    assert views["own"]["exempt"] == (0, 0, 0, "exempt")


def test_a_closed_month_reads_the_same_frozen_figures_everywhere(api, staff, city_admin):
    with time_machine.travel(IN_MARCH, tick=False):
        api(city_admin).put("/admin/policy", {"obligation_home_kecamatan_only": True})
        before = three_views(api, staff)["own"]
    with time_machine.travel(IN_APRIL, tick=False):
        assert month_close(month=MARCH, actor="tests") == (True, 5)
        # After the close, neither the switch nor a late change to an order moves March.
        api(city_admin).put("/admin/policy", {"obligation_home_kecamatan_only": False})
        idle = staff["people"]["idle"]
        paid_order(idle, factories.merchant(KEDUNGDORO), 700_000)
        Order.objects.filter(buyer=idle).update(month=MARCH.first_day())
        views = three_views(api, staff)
    assert views["is_closed"]
    assert views["own"] == before
    assert (
        ObligationResult.objects.filter(
            month=MARCH.first_day(), is_met=True, is_exempt=False
        ).count()
        == 1
    )


def test_closing_a_month_rebuilds_its_rollups_whoever_closes_it(staff):
    """The service itself recounts the roll-ups, so the back office or the simulation closing a
    month freezes what the orders say, not a drifted roll-up."""
    met = staff["people"]["met"]
    BuyerMonth.objects.filter(buyer=met, month=MARCH.first_day()).update(goods=1, home_goods=1)
    assert rollups_check(MARCH)
    with time_machine.travel(IN_APRIL, tick=False):
        month_close(month=MARCH, actor="tests")
    assert rollups_check(MARCH) == []
    frozen = ObligationResult.objects.get(month=MARCH.first_day(), asn=met.asn_profile)
    assert (frozen.spent, frozen.is_met) == (500_000, True)
