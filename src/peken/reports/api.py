"""The city dashboard over the API (city admins and auditors): the same figures as /kota/, from
peken.reports.selectors.dashboard, and every table of the exports as JSON rows."""

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from peken.accounts.permissions import require_city_reader
from peken.core.months import month_or_current
from peken.reports.exports import TABLES, table_of
from peken.reports.selectors import dashboard

reports_router = Router(tags=["laporan kota"])
ERRORS = ["not_authenticated", "permission_denied", "invalid_input"]
TABLE_PAGE_SIZE = 500


class HeadlineOut(Schema):
    turnover: int
    asn_turnover: int
    orders: int
    average_order: int
    buyers: int
    asn_buyers: int
    warga_buyers: int
    merchants: int


class MonthPointOut(Schema):
    month: str
    turnover: int
    asn_turnover: int
    orders: int
    merchants: int


class DayPointOut(Schema):
    day: dt.date
    turnover: int
    asn_turnover: int
    orders: int


class DashboardCategoryOut(Schema):
    slug: str
    name: str
    orders: int
    turnover: int
    share: float | None


class KindOut(Schema):
    kind: str
    line: str
    label: str
    merchants: int
    active_merchants: int
    orders: int
    turnover: int
    share: float | None


class DashboardKecamatanOut(Schema):
    code: str
    name: str
    lat: float
    lon: float
    merchants: int
    active_merchants: int
    idle_merchants: int
    idle_share: float | None
    orders: int
    turnover: int
    asn_turnover: int
    asn_home_share: float | None
    share: float | None


class CappedOut(Schema):
    merchant_id: int
    name: str
    kecamatan: str
    used: int
    cap: int

    @staticmethod
    def resolve_merchant_id(row) -> int:
        return row.shop.id

    @staticmethod
    def resolve_name(row) -> str:
        return row.shop.name

    @staticmethod
    def resolve_kecamatan(row) -> str:
        return row.shop.kecamatan


class EquityOut(Schema):
    merchants_counted: int
    asn_turnover: int
    gini: float | None
    lorenz: list[tuple[float, float]]
    top_decile_share: float | None
    capped: list[CappedOut]
    idle_count: int
    mbr_merchants: int
    mbr_active_merchants: int
    mbr_turnover: int
    mbr_share: float | None
    mbr_asn_share: float | None
    home_share: float | None

    @staticmethod
    def resolve_idle_count(equity) -> int:
        return len(equity.idle)


class DashboardOpdOut(Schema):
    code: str
    name: str
    asn: int
    met: int
    exempt: int
    unmet: int
    share: float | None
    shortfall: int


class DashboardComplianceOut(Schema):
    is_closed: bool
    asn: int
    met: int
    exempt: int
    unmet: int
    share: float | None
    shortfall: int
    by_opd: list[DashboardOpdOut]


class DashboardOut(Schema):
    month: str
    generated_at: dt.datetime
    headline: HeadlineOut
    previous: HeadlineOut
    changes: dict[str, float | None]
    months: list[MonthPointOut]
    days: list[DayPointOut]
    categories: list[DashboardCategoryOut]
    kinds: list[KindOut]
    kecamatan: list[DashboardKecamatanOut]
    equity: EquityOut
    compliance: DashboardComplianceOut

    @staticmethod
    def resolve_month(board) -> str:
        return str(board.month)


@reports_router.get(
    "/reports/dashboard", response=DashboardOut, openapi_extra={"x-error-codes": ERRORS}
)
def reports_dashboard(request, month: str | None = None):
    """The city dashboard for a WIB month (`YYYY-MM`, default this month): turnover with its
    change since the month before, 13 months, days, categories, shop kinds, kecamatan; equity
    (Gini, Lorenz curve, top 10 %, shops at their cap, MBR, home kecamatan); compliance by OPD.
    The long lists (idle shops, ASN short of their obligation) are tables: see
    /reports/tables/{table}."""
    require_city_reader(request.user)
    return dashboard(month_or_current(month, now=timezone.now()))


class ColumnOut(Schema):
    key: str
    label: str
    kind: str


class TableOut(Schema):
    table: str
    title: str
    month: str
    columns: list[ColumnOut]
    rows: list[list[str | int | float | dt.date | None]]
    count: int
    page: int
    pages: int


@reports_router.get(
    "/reports/tables/{table}",
    response=TableOut,
    openapi_extra={"x-error-codes": [*ERRORS, "not_found"]},
    description=(
        f"One table of the dashboard as rows ({TABLE_PAGE_SIZE} a page), the same as its XLSX "
        f"and CSV exports. Tables: {', '.join(TABLES)}. Columns of kind `percent` are fractions "
        "(0.25 = 25 %); `ringkasan` mixes units and gives its shares in percent (its `unit` "
        "column says which)."
    ),
)
def reports_table(request, table: str, month: str | None = None, page: int = 1):
    require_city_reader(request.user)
    period = month_or_current(month, now=timezone.now())
    data = table_of(dashboard(period), table)
    pages = max(1, -(-len(data.rows) // TABLE_PAGE_SIZE))
    page = min(max(1, page), pages)
    return {
        "table": data.slug,
        "title": data.title,
        "month": str(period),
        "columns": [column.__dict__ for column in data.columns],
        "rows": data.rows[(page - 1) * TABLE_PAGE_SIZE : page * TABLE_PAGE_SIZE],
        "count": len(data.rows),
        "page": page,
        "pages": pages,
    }
