"""What an ASN owes and spent in a WIB month, their OPD's view, and the month close."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

import factories
from factories import KARANG_PILANG, KEDUNGDORO
from peken.core.months import WIB
from peken.obligations.models import ObligationExemption, ObligationOverride, ObligationResult
from peken.ordering.models import Order
from peken.ordering.services import order_transition

pytestmark = pytest.mark.django_db

MARCH = dt.datetime(2026, 3, 10, 10, 0, tzinfo=WIB)


@pytest.fixture
def shop():
    return factories.merchant(KEDUNGDORO, name="Toko Dekat")


def buy(api, buyer, shop, amount, *, pay=True):
    product = factories.product(shop, price=amount, stock=5)
    response = api(buyer).post(
        "/checkout",
        {"items": [{"product_id": product.pk, "quantity": 1}], "fulfilment": "pickup"},
    )
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["orders"][0]["id"])
    if pay:
        order_transition(order=order, action="pay", actor=None, actor_kind="system")
    return order


def obligation(api, buyer, month="2026-03"):
    return api(buyer).get("/me/obligation", {"month": month}).json()


@time_machine.travel(MARCH, tick=False)
def test_paid_orders_count_unpaid_and_cancelled_do_not(api, shop):
    buyer = factories.asn(golongan="III/a")  # 500.000 by the default table
    buy(api, buyer, shop, 200_000)
    buy(api, buyer, shop, 100_000, pay=False)
    cancelled = buy(api, buyer, shop, 150_000)
    order_transition(
        order=cancelled, action="reject", actor=None, actor_kind="merchant", reason="Stok habis"
    )
    assert obligation(api, buyer) == {
        "month": "2026-03",
        "required": 500_000,
        "spent": 200_000,
        "remaining": 300_000,
        "is_met": False,
        "is_exempt": False,
        "is_closed": False,
    }


@time_machine.travel(MARCH, tick=False)
def test_short_by_one_rupiah_is_not_met_and_exactly_is(api, shop):
    buyer = factories.asn(golongan="III/a")
    buy(api, buyer, shop, 499_999)
    assert obligation(api, buyer)["is_met"] is False
    buy(api, buyer, shop, 1)
    assert obligation(api, buyer)["is_met"] is True


@pytest.mark.parametrize(
    "golongan, eselon, required",
    [
        ("I/a", "", 200_000),
        ("II/d", "", 300_000),
        ("IV/e", "", 750_000),
        ("III/d", "II.a", 1_500_000),
    ],
)
def test_required_amount_per_grade(api, golongan, eselon, required):
    buyer = factories.asn(golongan=golongan, eselon=eselon)
    assert api(buyer).get("/me/obligation").json()["required"] == required


@time_machine.travel(MARCH, tick=False)
def test_a_personal_override_and_an_exemption(api):
    buyer = factories.asn(golongan="III/a")
    ObligationOverride.objects.create(
        asn=buyer.asn_profile,
        amount=250_000,
        from_month=dt.date(2026, 3, 1),
        reason="Keputusan wali kota",
    )
    assert obligation(api, buyer)["required"] == 250_000
    assert obligation(api, buyer, "2026-02")["required"] == 500_000
    ObligationExemption.objects.create(
        asn=buyer.asn_profile,
        from_month=dt.date(2026, 3, 1),
        until_month=dt.date(2026, 4, 1),
        reason="cuti",
    )
    body = obligation(api, buyer)
    assert (body["required"], body["is_exempt"], body["is_met"]) == (0, True, True)


@time_machine.travel(MARCH, tick=False)
def test_home_kecamatan_switch(api, shop, city_admin):
    far = factories.merchant(KARANG_PILANG)
    buyer = factories.asn(KEDUNGDORO, golongan="III/a")
    buy(api, buyer, shop, 100_000)
    buy(api, buyer, far, 300_000)
    assert obligation(api, buyer)["spent"] == 400_000
    api(city_admin).put("/admin/policy", {"obligation_home_kecamatan_only": True})
    assert obligation(api, buyer)["spent"] == 100_000


def test_only_active_asn_have_an_obligation(api):
    response = api(factories.warga().user).get("/me/obligation")
    assert response.status_code == 403 and response.json()["code"] == "not_an_asn"


@time_machine.travel(MARCH, tick=False)
def test_opd_admin_sees_every_person_of_their_opd_largest_shortfall_first(api, shop, auditor):
    health, transport = factories.opd("DINKES"), factories.opd("DISHUB", "Dinas Perhubungan")
    done = factories.asn(golongan="III/a", opd=health)
    short = factories.asn(golongan="IV/a", opd=health)
    little = factories.asn(golongan="II/a", opd=health)
    factories.asn(opd=transport)
    buy(api, done, shop, 500_000)
    buy(api, little, shop, 100_000)
    admin = factories.opd_admin(health)
    body = api(admin).get("/opd/DINKES/compliance", {"month": "2026-03"}).json()
    assert (body["asn_count"], body["met_count"]) == (3, 1)
    assert [item["nip"] for item in body["items"]] == [
        short.asn_profile.nip,
        little.asn_profile.nip,
        done.asn_profile.nip,
    ]
    assert [item["shortfall"] for item in body["items"]] == [750_000, 200_000, 0]
    assert all("*" in item["nik"] for item in body["items"])
    assert api(admin).get("/opd/DISHUB/compliance").status_code == 403
    assert api(auditor).get("/opd/DISHUB/compliance").status_code == 200
    assert api(factories.asn()).get("/opd/DINKES/compliance").status_code == 403
    assert api(auditor).get("/opd/TIDAKADA/compliance").status_code == 404


def test_compliance_costs_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    health = factories.opd("DINKES")
    for _ in range(12):
        factories.asn(opd=health)
    client = api(factories.opd_admin(health))
    with django_assert_max_num_queries(12):
        assert client.get("/opd/DINKES/compliance").json()["asn_count"] == 12


def test_close_month_freezes_results_and_is_idempotent(api, shop):
    with time_machine.travel(MARCH, tick=False):
        buyer = factories.asn(golongan="III/a")
        buy(api, buyer, shop, 300_000)
    with time_machine.travel(dt.datetime(2026, 4, 2, 9, 0, tzinfo=WIB), tick=False):
        out = io.StringIO()
        call_command("close_month", "2026-03", stdout=out)
        assert "ditutup: " in out.getvalue()
        frozen = ObligationResult.objects.get(asn=buyer.asn_profile)
        assert (frozen.required, frozen.spent, frozen.is_met) == (500_000, 300_000, False)
        # A late change to a March order does not move the closed month.
        Order.objects.filter(buyer=buyer).update(goods_total=600_000, total=600_000)
        body = obligation(api, buyer)
        assert (body["spent"], body["is_closed"]) == (300_000, True)
        again = io.StringIO()
        call_command("close_month", "2026-03", stdout=again)
        assert "sudah ditutup" in again.getvalue()
        assert ObligationResult.objects.count() == 1


def test_the_current_month_cannot_be_closed():
    with time_machine.travel(MARCH, tick=False), pytest.raises(CommandError) as caught:
        call_command("close_month", "2026-03", stdout=io.StringIO())
    assert "belum berakhir" in str(caught.value)
    with pytest.raises(CommandError):
        call_command("close_month", "maret", stdout=io.StringIO())
