"""The city office's pages (city admins and auditors): the dashboard, the printable monthly
report for the council, and every table as a file. All figures come from
peken.reports.selectors.dashboard, as the API's GET /api/v1/reports/dashboard."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from peken.accounts import access_policy
from peken.core.errors import InvalidInput
from peken.core.months import Month, month_or_current
from peken.reports.compliance import named
from peken.reports.exports import csv_bytes, table_of, xlsx_bytes
from peken.reports.selectors import Dashboard, dashboard
from peken.web.city import presentation
from peken.web.city.mapping import kecamatan_map
from peken.web.pages import domain_errors, role_required

CITY_ROLES = access_policy.CITY_READERS
PAGE_SIZE = 50
FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _chosen_month(request) -> Month:
    """`?month=YYYY-MM`, else this WIB month; a mistyped month shows this month and says so."""
    now = timezone.now()
    try:
        return month_or_current(request.GET.get("month"), now=now)
    except InvalidInput as error:
        messages.error(request, error.message)
        return Month.of(now)


def _context(board: Dashboard) -> dict:
    return {
        "board": board,
        "month": presentation.month_links(board.month, Month.of(timezone.now())),
        "cards": presentation.cards(board),
        "charts": presentation.chart_data(board),
        "map": kecamatan_map(board.kecamatan),
        "idle_areas": [row for row in board.kecamatan if row.idle_merchants],
        "exports": presentation.export_titles(),
    }


@role_required(*CITY_ROLES)
@domain_errors
def city_dashboard(request):
    """Turnover, equity, compliance and the map for one WIB month."""
    board = dashboard(_chosen_month(request))
    context = _context(board)
    unmet_page = Paginator(board.compliance.unmet_people, PAGE_SIZE).get_page(
        request.GET.get("halaman_asn")
    )
    context["unmet_page"] = unmet_page
    context["unmet_rows"] = named(list(unmet_page.object_list))
    context["idle_page"] = Paginator(board.equity.idle, PAGE_SIZE).get_page(
        request.GET.get("halaman_toko")
    )
    return render(request, "reports/dashboard.html", context)


@role_required(*CITY_ROLES)
@domain_errors
def monthly_report(request):
    """The month on paper for the mayor and the council: print it from the browser."""
    board = dashboard(_chosen_month(request))
    return render(request, "reports/report.html", _context(board))


@role_required(*CITY_ROLES)
@domain_errors
def table_export(request, table: str, file_type: str):
    """`/kota/ekspor/kecamatan.xlsx?month=2026-03`: one table of the month as a file."""
    if file_type not in FILE_TYPES:
        raise Http404
    month = month_or_current(request.GET.get("month"), now=timezone.now())
    board = dashboard(month)
    data = table_of(board, table)
    if file_type == "xlsx":
        heading = f"{data.title} — {month.label()}"
        body = xlsx_bytes(data, heading)
    else:
        body = csv_bytes(data)
    response = HttpResponse(body, content_type=FILE_TYPES[file_type])
    response["Content-Disposition"] = f'attachment; filename="peken-{table}-{month}.{file_type}"'
    response["Cache-Control"] = "private, no-store"
    return response
