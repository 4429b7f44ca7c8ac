from django.contrib import admin

from peken.admin_site import PekenModelAdmin, ReadOnlyModelAdmin
from peken.quotas.forms import MerchantCapForm
from peken.quotas.models import MerchantCap, MerchantMonthQuota
from peken.quotas.services import merchant_cap_set


@admin.register(MerchantMonthQuota)
class MerchantMonthQuotaAdmin(ReadOnlyModelAdmin):
    """Moved only by checkouts and cancellations; shown here to be read."""

    list_display = ["merchant", "month", "cap", "used", "remaining"]
    list_filter = ["month"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name"]
    date_hierarchy = "month"


@admin.register(MerchantCap)
class MerchantCapAdmin(PekenModelAdmin):
    list_display = ["merchant", "cap", "set_at", "set_by"]
    list_select_related = ["merchant", "set_by"]
    search_fields = ["merchant__name"]
    autocomplete_fields = ["merchant"]
    fields = ["merchant", "cap"]
    form = MerchantCapForm

    def save_model(self, request, obj, form, change):
        # Through the service: this month's quota follows at once, and the change is audited.
        merchant_cap_set(actor=request.user, merchant=obj.merchant, cap=obj.cap)

    def delete_model(self, request, obj):
        merchant_cap_set(actor=request.user, merchant=obj.merchant, cap=None)
