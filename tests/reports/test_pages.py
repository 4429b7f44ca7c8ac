"""The city office's pages, exports and API: who may open them, what they show, what they cost."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

import factories
from peken.accounts.models import Role
from peken.core.months import Month
from peken.reports.compliance import named
from peken.reports.exports import TABLES, table_of
from peken.reports.selectors import dashboard
from reports.month_steps import MONTH

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def city(quiet_march, db):
    return quiet_march


@pytest.fixture
def admin(city):
    return factories.user(None, Role.CITY_ADMIN)


@pytest.mark.parametrize(
    "role", [Role.ASN, Role.WARGA, Role.MERCHANT, Role.OFFICER, Role.OPD_ADMIN]
)
def test_only_the_city_office_opens_the_dashboard(role):
    client = signed_in(factories.person_with(role))
    assert client.get("/kota/").status_code == 403
    assert client.get("/kota/laporan/").status_code == 403
    assert client.get("/kota/ekspor/kecamatan.csv").status_code == 403


def test_the_anonymous_are_sent_to_log_in():
    response = Client().get("/kota/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.AUDITOR])
def test_city_admins_and_auditors_see_the_month(city, role):
    client = signed_in(factories.person_with(role))
    response = client.get("/kota/", {"month": "2026-03"})
    assert response.status_code == 200
    page = response.content.decode()
    board = dashboard(MONTH)
    assert 'id="grafik-harian"' in page and 'id="grafik-lorenz"' in page
    assert map_of(page).count("<circle ") == 31
    assert "chart.umd.min.js" in page
    turnover = f"Rp {board.headline.turnover:,}".replace(",", ".")
    assert turnover in page
    assert "Toko Penuh" in page  # at its cap
    assert "Toko Sepi 1" in page  # verified, without an order
    for row in named(board.compliance.unmet_people[:5]):
        assert row.nip in page and row.full_name and row.full_name in page


def test_a_mistyped_month_shows_this_month_and_says_so(admin):
    response = signed_in(admin).get("/kota/", {"month": "Maret"}, follow=True)
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_the_dashboard_costs_the_same_queries_for_any_month(admin, django_assert_max_num_queries):
    client = signed_in(admin)
    client.get("/kota/", {"month": "2026-03"})  # sessions and the like, once
    with django_assert_max_num_queries(22):
        assert client.get("/kota/", {"month": "2026-03"}).status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get("/kota/", {"month": "2025-01"}).status_code == 200


def test_the_selector_reads_roll_ups_not_orders(city):
    with CaptureQueriesContext(connection) as queries:
        dashboard(MONTH)
    assert len(queries) <= 17
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert '"ordering_order"' not in statements and '"ordering_orderitem"' not in statements


def test_the_printable_report_prints(admin):
    response = signed_in(admin).get("/kota/laporan/", {"month": "2026-03"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Laporan bulanan Peken" in page and "reports.css" in page
    assert "data-print" in page and 'data-testid="opd-compliance"' in page


@pytest.mark.parametrize("slug", list(TABLES))
def test_every_table_exports_as_xlsx_and_csv_with_the_same_figures(admin, slug):
    client = signed_in(admin)
    table = table_of(dashboard(MONTH), slug)
    xlsx = client.get(f"/kota/ekspor/{slug}.xlsx", {"month": "2026-03"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == f'attachment; filename="peken-{slug}-2026-03.xlsx"'
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == tuple(column.label for column in table.columns)
    assert len(rows) == len(table.rows) + 2
    for written, expected in zip(rows[2:], table.rows, strict=True):
        assert [_plain(value) for value in written] == [_plain(value) for value in expected]
    exported = client.get(f"/kota/ekspor/{slug}.csv", {"month": "2026-03"})
    assert exported["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(lines) == len(table.rows) + 1
    for written, expected in zip(lines[1:], table.rows, strict=True):
        for cell, value, column in zip(written, expected, table.columns, strict=True):
            assert cell == _csv_text(value, column.kind)


def _plain(value):
    """openpyxl gives dates back as datetimes at midnight, and floats to 15 digits."""
    if isinstance(value, float):
        return round(value, 12)
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _csv_text(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "percent":
        return f"{value * 100:.2f}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_the_exports_add_up_to_the_dashboard(admin):
    client = signed_in(admin)
    board = dashboard(MONTH)
    kecamatan = client.get("/kota/ekspor/kecamatan.csv", {"month": "2026-03"})
    rows = list(csv.DictReader(io.StringIO(kecamatan.content.decode("utf-8-sig"))))
    assert len(rows) == 31
    assert sum(int(row["Omzet"]) for row in rows) == board.headline.turnover
    assert sum(int(row["Toko tanpa pesanan"]) for row in rows) == len(board.equity.idle)
    unmet = client.get("/kota/ekspor/asn-belum-memenuhi.xlsx", {"month": "2026-03"})
    sheet = load_workbook(io.BytesIO(unmet.content)).active
    shortfalls = [row[7] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sum(shortfalls) == board.compliance.shortfall
    assert sheet.cell(row=3, column=8).number_format == '"Rp" #,##0'


def test_an_unknown_table_or_file_type_is_not_found(admin):
    client = signed_in(admin)
    assert client.get("/kota/ekspor/rahasia.csv").status_code == 404
    assert client.get("/kota/ekspor/kecamatan.pdf").status_code == 404


def test_the_api_gives_the_same_figures(city, api):
    board = dashboard(MONTH)
    response = api(factories.person_with(Role.AUDITOR)).get(
        "/reports/dashboard", {"month": "2026-03"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-03"
    assert body["headline"]["turnover"] == board.headline.turnover
    assert body["previous"]["orders"] == board.previous.orders
    assert body["equity"]["gini"] == pytest.approx(board.equity.gini)
    assert body["equity"]["idle_count"] == len(board.equity.idle)
    assert body["equity"]["capped"][0]["name"] == "Toko Penuh"
    assert len(body["days"]) == 31 and len(body["months"]) == 13 and len(body["kecamatan"]) == 31
    assert body["compliance"]["unmet"] == board.compliance.unmet
    table = api(factories.person_with(Role.CITY_ADMIN)).get(
        "/reports/tables/asn-belum-memenuhi", {"month": "2026-03"}
    )
    assert table.status_code == 200
    assert table.json()["count"] == len(board.compliance.unmet_people)
    assert table.json()["rows"][0][0] == board.compliance.unmet_people[0].nip


def test_the_api_refuses_others_and_bad_input(city, api):
    warga = api(factories.person_with(Role.WARGA))
    assert warga.get("/reports/dashboard").json()["code"] == "permission_denied"
    assert api().get("/reports/dashboard").status_code == 401
    admin = api(factories.person_with(Role.CITY_ADMIN))
    assert admin.get("/reports/dashboard", {"month": "03-2026"}).status_code == 422
    assert admin.get("/reports/tables/rahasia").status_code == 404


def test_the_api_documents_its_error_codes(api):
    schema = api().get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/tables/{table}"]["get"]
    assert "not_found" in operation["x-error-codes"]


def test_the_map_places_every_kecamatan_inside_the_picture(admin):
    page = map_of(signed_in(admin).get("/kota/", {"month": "2026-03"}).content.decode())
    width, height = map(float, re.search(r'viewBox="0 0 (\d+) (\d+)"', page).groups())
    for x, y, r in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', page):
        assert 0 < float(x) < width and 0 < float(y) < height and 4 <= float(r) <= 24


def test_an_empty_month_shows_no_shares_of_nothing(admin):
    board = dashboard(Month(2025, 1))
    assert board.headline.turnover == 0 and board.equity.gini is None
    assert all(row.share is None for row in board.categories)
    page = signed_in(admin).get("/kota/", {"month": "2025-01"}).content.decode()
    gini = re.search(r'data-figure="gini">.*?<strong class="value">(.*?)</strong>', page, re.S)
    assert gini.group(1) == "—"


def map_of(page: str) -> str:
    """The kecamatan map's own <svg> (the layout's icons are SVG too)."""
    start = page.index('<svg viewBox="0 0 ', page.index("peta-judul") - 200)
    assert 'data-testid="kecamatan-map"' in page[start : start + 300]
    return page[start : page.index("</svg>", start)]
