from django.contrib import admin

from peken.admin_site import PekenModelAdmin, ReadOnlyModelAdmin
from peken.obligations.models import (
    MonthClose,
    ObligationExemption,
    ObligationOverride,
    ObligationResult,
    ObligationRule,
)


@admin.register(ObligationRule)
class ObligationRuleAdmin(PekenModelAdmin):
    list_display = ["golongan", "eselon", "amount"]
    list_filter = ["golongan", "eselon"]


@admin.register(ObligationOverride)
class ObligationOverrideAdmin(PekenModelAdmin):
    list_display = ["asn", "amount", "from_month", "until_month", "reason"]
    list_select_related = ["asn__user"]
    search_fields = ["=asn__nip", "asn__user__full_name"]
    autocomplete_fields = ["asn"]


@admin.register(ObligationExemption)
class ObligationExemptionAdmin(PekenModelAdmin):
    list_display = ["asn", "reason", "from_month", "until_month"]
    list_filter = ["reason"]
    list_select_related = ["asn__user"]
    search_fields = ["=asn__nip", "asn__user__full_name"]
    autocomplete_fields = ["asn"]


@admin.register(MonthClose)
class MonthCloseAdmin(ReadOnlyModelAdmin):
    list_display = ["month", "closed_at", "closed_by"]


@admin.register(ObligationResult)
class ObligationResultAdmin(ReadOnlyModelAdmin):
    list_display = ["month", "asn", "required", "spent", "is_met", "is_exempt"]
    list_filter = ["month", "is_met", "is_exempt"]
    list_select_related = ["asn__user"]
    search_fields = ["=asn__nip", "asn__user__full_name"]
