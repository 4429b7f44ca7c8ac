"""Pages of OPD admins (city admins and auditors may look at any OPD): the monthly compliance of
the OPD's staff, on screen and as a spreadsheet. Figures and permissions come from
peken.obligations.selectors.opd_compliance, as the API's GET /opd/{code}/compliance."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from peken.accounts import access_policy
from peken.core.errors import InvalidInput
from peken.core.months import Month, month_or_current
from peken.obligations import selectors
from peken.web.opd import compliance
from peken.web.opd.export import compliance_workbook, export_filename
from peken.web.pages import domain_errors, role_required

OPD_ROLES = access_policy.OPD_READERS
COMPLIANCE_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _query(request, choices, month: Month) -> compliance.ComplianceQuery:
    """The OPD asked for (else the person's first), the month and the list's order."""
    opd_code = request.GET.get("opd") or (choices[0].code if choices else "")
    return compliance.ComplianceQuery(
        opd_code=opd_code,
        month=month,
        sort=compliance.sort_or_default(request.GET.get("sort")),
        unmet_only=request.GET.get("unmet") == "1",
    )


@role_required(*OPD_ROLES)
@domain_errors
def opd_compliance(request):
    """Every person of the OPD with required, spent, shortfall and status for a WIB month."""
    now = timezone.now()
    try:
        month = month_or_current(request.GET.get("month"), now=now)
    except InvalidInput as error:  # a mistyped month shows this month, and says so
        messages.error(request, error.message)
        month = Month.of(now)
    choices = compliance.opd_choices(request.user)
    query = _query(request, choices, month)
    context = {"query": query, "choices": choices, "month_label": month.label()}
    if not query.opd_code:
        return render(request, "web/opd/compliance.html", context)
    found = selectors.opd_compliance(viewer=request.user, opd_code=query.opd_code, month=month)
    rows = compliance.rows_of(found.results)
    shown = compliance.rows_shown(rows, query)
    context.update(
        {
            "opd": found.opd,
            "totals": compliance.totals(rows),
            "page": Paginator(shown, COMPLIANCE_PAGE_SIZE).get_page(request.GET.get("page")),
            "is_closed": found.is_closed,
            "month_value": str(month),
            "previous_month": query.params(month=month.previous()),
            "next_month": query.params(month=month.next()),
            "is_current_month": month == Month.of(now),
            "sort_links": {column: query.sorted_by(column) for column in compliance.SORT_COLUMNS},
        }
    )
    return render(request, "web/opd/compliance.html", context)


@role_required(*OPD_ROLES)
@domain_errors
def opd_compliance_export(request):
    """The same list as the page (same OPD, month, filter and order) as an .xlsx file."""
    month = month_or_current(request.GET.get("month"), now=timezone.now())
    query = _query(request, compliance.opd_choices(request.user), month)
    found = selectors.opd_compliance(viewer=request.user, opd_code=query.opd_code, month=month)
    rows = compliance.rows_shown(compliance.rows_of(found.results), query)
    response = HttpResponse(compliance_workbook(opd=found.opd, month=month, rows=rows), XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename(found.opd, month)}"'
    response["Cache-Control"] = "private, no-store"
    return response
