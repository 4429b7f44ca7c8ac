from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from peken.accounts.permissions import is_city_admin
from peken.admin_site import ReadOnlyInline, ReadOnlyModelAdmin
from peken.core.errors import DomainError
from peken.core.tabular import read_upload
from peken.payouts import selectors, services
from peken.payouts.models import Payout, PayoutBatch, SettlementDifference, SettlementImport


class PayoutInline(ReadOnlyInline):
    model = Payout
    readonly_fields = [
        "merchant",
        "amount",
        "bank_code",
        "account_number",
        "holder_name",
        "reference",
    ]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "created_at", "trigger", "payout_count", "total", "bank_file_link"]
    exclude = ["bank_file"]
    readonly_fields = ["bank_file_link"]
    inlines = [PayoutInline]
    change_list_template = "payouts/batch_changelist.html"

    @admin.display(description="berkas bank")
    def bank_file_link(self, batch):
        url = reverse("admin:payouts_payoutbatch_bank_file", args=[batch.pk])
        return format_html('<a href="{}">pencairan-{}.csv</a>', url, batch.pk)

    def changelist_view(self, request, extra_context=None):
        can_run = is_city_admin(request.user) or request.user.is_superuser
        # Shops a run skips are listed with the reason, so nobody wonders where their money is.
        held = selectors.payouts_held()
        context = {**(extra_context or {}), "can_run": can_run, "held": held}
        return super().changelist_view(request, context)

    def get_urls(self):
        own = [
            path("run/", self.admin_site.admin_view(self.run_view), name="payouts_payoutbatch_run"),
            path(
                "<int:batch_id>/bank-file/",
                self.admin_site.admin_view(self.bank_file_view),
                name="payouts_payoutbatch_bank_file",
            ),
        ]
        return own + super().get_urls()

    def run_view(self, request):
        if request.method != "POST":
            return redirect("admin:payouts_payoutbatch_changelist")
        try:
            batch = services.payouts_run(actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("admin:payouts_payoutbatch_changelist")
        if batch is None:
            messages.info(request, _("Tidak ada toko yang perlu dicairkan saat ini."))
            return redirect("admin:payouts_payoutbatch_changelist")
        messages.success(
            request,
            _("Batch #%(batch)s: %(count)s toko.")
            % {"batch": batch.pk, "count": batch.payout_count},
        )
        return redirect("admin:payouts_payoutbatch_change", batch.pk)

    def bank_file_view(self, request, batch_id: int):
        batch = get_object_or_404(PayoutBatch, pk=batch_id)
        response = HttpResponse(batch.bank_file, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pencairan-{batch.pk}.csv"'
        return response


class DifferenceInline(ReadOnlyInline):
    model = SettlementDifference
    readonly_fields = ["kind", "reference", "ledger_amount", "report_amount"]


@admin.register(SettlementImport)
class SettlementImportAdmin(ReadOnlyModelAdmin):
    """Reconciliation results: every line the gateway and the ledger disagree on."""

    list_display = ["id", "imported_at", "filename", "line_count", "matched_count", "gross_total"]
    inlines = [DifferenceInline]
    change_list_template = "payouts/settlement_changelist.html"

    def get_urls(self):
        upload = path(
            "upload/",
            self.admin_site.admin_view(self.upload_view),
            name="payouts_settlementimport_upload",
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        if request.method == "POST" and request.FILES.get("file"):
            upload = request.FILES["file"]
            try:
                data = read_upload(upload, max_bytes=services.MAX_SETTLEMENT_BYTES)
                report = services.settlement_import(
                    actor=request.user, data=data, filename=upload.name
                )
            except DomainError as error:
                problems = [
                    _("Baris %(line)s: %(message)s") % {"line": p["line"], "message": p["message"]}
                    for p in error.details.get("errors", [])
                ][:50]
                return render(
                    request,
                    "payouts/settlement_upload.html",
                    {**self.admin_site.each_context(request), "error": error, "problems": problems},
                )
            messages.success(
                request,
                _("%(matched)s dari %(lines)s baris cocok.")
                % {"matched": report.matched_count, "lines": report.line_count},
            )
            return redirect("admin:payouts_settlementimport_change", report.pk)
        return render(
            request, "payouts/settlement_upload.html", self.admin_site.each_context(request)
        )
