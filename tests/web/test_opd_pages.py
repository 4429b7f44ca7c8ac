"""OPD admin pages: the staff's compliance for a WIB month, sorted and filtered, and the same
list as an Excel file."""

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

import factories
from factories import KEDUNGDORO
from peken.accounts.models import AsnProfile
from peken.core.months import WIB
from peken.obligations.models import ObligationExemption, ObligationRule
from peken.ordering.services import checkout_place, order_transition

pytestmark = pytest.mark.django_db

NOVEMBER = dt.datetime(2026, 11, 12, 10, 0, tzinfo=WIB)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def paid_order(buyer, shop, amount: int) -> None:
    product = factories.product(shop, price=amount, stock=5)
    order = checkout_place(buyer=buyer, lines=[(product.pk, 1)], fulfilment="pickup").orders[0]
    order_transition(order=order, action="pay", actor=None, actor_kind="system")


def asn_named(full_name: str, opd, golongan="III/a"):
    person = factories.asn(KEDUNGDORO, opd=opd, golongan=golongan)
    person.full_name = full_name
    person.save(update_fields=["full_name"])
    return person


def nip_of(person) -> str:
    return AsnProfile.objects.get(user=person).nip


@pytest.fixture
def dinkopdag():
    return factories.opd("DINKOPDAG", "Dinas Koperasi, UKM dan Perdagangan")


@pytest.fixture
def staff(dinkopdag):
    """Three of DINKOPDAG in November 2026 (III/a owes Rp 500.000): one met, one short by
    Rp 380.000, one exempt."""
    ObligationRule.objects.update_or_create(
        golongan="III/a", eselon="*", defaults={"amount": 500_000}
    )
    shop = factories.merchant(KEDUNGDORO, name="Toko Dekat")
    with time_machine.travel(NOVEMBER, tick=False):
        met = asn_named("Budi Santoso", dinkopdag)
        short = asn_named("Ani Lestari", dinkopdag)
        exempt = asn_named("Citra Dewi", dinkopdag)
        paid_order(met, shop, 500_000)
        paid_order(short, shop, 120_000)
    ObligationExemption.objects.create(
        asn=exempt.asn_profile,
        from_month=dt.date(2026, 11, 1),
        until_month=dt.date(2026, 11, 1),
        reason="cuti",
    )
    return {"met": met, "short": short, "exempt": exempt}


@pytest.fixture
def admin(dinkopdag):
    return factories.opd_admin(dinkopdag)


def compliance(client, **params):
    return client.get(reverse("web:opd-compliance"), {"month": "2026-11", **params})


def names_in_order(html: str, names) -> list[str]:
    return sorted(names, key=html.index)


@time_machine.travel(NOVEMBER, tick=False)
def test_the_admin_sees_who_has_not_met_the_obligation(admin, staff):
    page = signed_in(admin).get(reverse("web:opd-compliance"))  # the current WIB month
    html = page.content.decode()
    assert page.status_code == 200 and "November 2026" in html
    assert nip_of(staff["short"]) in html
    short_row = html[html.index(nip_of(staff["short"])) :].split("</tr>")[0]
    assert "Ani Lestari" in short_row and "Rp 380.000" in short_row
    assert "Belum memenuhi" in short_row
    met_row = html[html.index(nip_of(staff["met"])) :].split("</tr>")[0]
    assert "Memenuhi" in met_row and "Belum" not in met_row
    assert "Dibebaskan" in html
    assert 'data-testid="people">3<' in html
    assert 'data-testid="met">1<' in html and 'data-testid="unmet">1<' in html


def test_the_list_sorts_by_a_column_both_ways(admin, staff):
    client = signed_in(admin)
    names = ["Ani Lestari", "Budi Santoso", "Citra Dewi"]
    ascending = compliance(client, sort="name").content.decode()
    assert names_in_order(ascending, names) == names
    descending = compliance(client, sort="-name").content.decode()
    assert names_in_order(descending, names) == names[::-1]
    by_shortfall = compliance(client).content.decode()  # largest shortfall first
    assert names_in_order(by_shortfall, names)[0] == "Ani Lestari"
    by_spent = compliance(client, sort="-spent").content.decode()
    assert names_in_order(by_spent, names)[0] == "Budi Santoso"


def test_only_those_not_met_when_asked(admin, staff):
    html = compliance(signed_in(admin), unmet="1").content.decode()
    assert "Ani Lestari" in html
    assert "Budi Santoso" not in html and "Citra Dewi" not in html
    assert 'data-testid="people">3<' in html  # the totals still cover the whole OPD


def test_a_mistyped_month_shows_the_current_one_and_says_so(admin, staff):
    html = compliance(signed_in(admin), month="November").content.decode()
    assert "Bulan harus berbentuk YYYY-MM" in html


def test_another_opds_admin_is_refused(staff):
    other = factories.opd_admin(factories.opd("DINKES"))
    client = signed_in(other)
    assert compliance(client, opd="DINKOPDAG").status_code == 403
    export = client.get(reverse("web:opd-compliance-export"), {"opd": "DINKOPDAG"})
    assert export.status_code == 403
    assert "Budi Santoso" not in compliance(client).content.decode()  # their own OPD only


@pytest.mark.parametrize("role", ["warga", "asn", "officer", "merchant"])
def test_people_without_an_opd_role_are_refused(role):
    client = signed_in(factories.person_with(role))
    assert client.get(reverse("web:opd-compliance")).status_code == 403
    assert client.get(reverse("web:opd-compliance-export")).status_code == 403


def test_an_admin_of_two_opds_gets_a_picker(admin, staff):
    from peken.accounts.models import Role, RoleGrant

    RoleGrant.objects.create(user=admin, role=Role.OPD_ADMIN, opd=factories.opd("DINKES"))
    html = compliance(signed_in(admin)).content.decode()
    assert 'id="pilih-opd"' in html and 'value="DINKES"' in html


def test_a_city_admin_and_an_auditor_may_look_at_any_opd(city_admin, auditor, staff):
    for person in (city_admin, auditor):
        html = compliance(signed_in(person), opd="DINKOPDAG").content.decode()
        assert "Ani Lestari" in html


def test_the_export_is_the_list_as_a_spreadsheet(admin, staff):
    response = signed_in(admin).get(
        reverse("web:opd-compliance-export"), {"opd": "DINKOPDAG", "month": "2026-11"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="kepatuhan-DINKOPDAG-2026-11.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    title = sheet["A1"].value
    assert "DINKOPDAG" in title and "November 2026" in title
    assert [cell.value for cell in sheet[2]][:8] == [
        "NIP",
        "Nama",
        "Golongan",
        "Eselon",
        "Kewajiban (Rp)",
        "Belanja (Rp)",
        "Kekurangan (Rp)",
        "Status",
    ]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 3
    short = rows[nip_of(staff["short"])]  # the NIP is text: all 18 digits kept
    assert isinstance(short[0], str) and len(short[0]) == 18
    assert short[1:] == (
        "Ani Lestari",
        "III/a",
        "Non-eselon",
        500_000,
        120_000,
        380_000,
        "Belum memenuhi",
    )
    assert sheet["A3"].number_format == "@"
    assert sheet["E3"].number_format == '"Rp" #,##0'
    assert rows[nip_of(staff["exempt"])][7] == "Dibebaskan"


def test_the_export_follows_the_filter(admin, staff):
    response = signed_in(admin).get(
        reverse("web:opd-compliance-export"), {"month": "2026-11", "unmet": "1"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["Ani Lestari"]


def test_the_compliance_list_costs_the_same_queries_for_a_bigger_opd(
    admin, staff, dinkopdag, django_assert_max_num_queries
):
    client = signed_in(admin)
    compliance(client)
    with django_assert_max_num_queries(14):
        compliance(client)
    with time_machine.travel(NOVEMBER, tick=False):
        for number in range(15):
            asn_named(f"Pegawai {number}", dinkopdag)
    with django_assert_max_num_queries(14):
        html = compliance(client).content.decode()
    assert 'data-testid="people">18<' in html
