from django.contrib import admin

from peken.admin_site import ReadOnlyInline, ReadOnlyModelAdmin
from peken.ledger.models import LedgerEntry, LedgerLine


class LedgerLineInline(ReadOnlyInline):
    model = LedgerLine
    readonly_fields = ["account", "merchant", "order", "amount"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    """The ledger is written by the payment services only; here it is read."""

    list_display = ["id", "at", "kind", "reference", "order", "memo"]
    list_filter = ["kind"]
    search_fields = ["=reference", "=order__id"]
    date_hierarchy = "at"
    inlines = [LedgerLineInline]
