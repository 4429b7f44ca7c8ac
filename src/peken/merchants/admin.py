from django.contrib import admin, messages

from peken.admin_site import PekenModelAdmin
from peken.core.errors import DomainError
from peken.merchants.models import BankAccount, Merchant
from peken.merchants.services import merchant_transition


class BankAccountInline(admin.StackedInline):
    model = BankAccount
    extra = 0


@admin.register(Merchant)
class MerchantAdmin(PekenModelAdmin):
    list_display = ["name", "kind", "line", "status", "kelurahan", "is_mbr", "created_at"]
    list_filter = ["status", "kind", "line", "is_mbr", "kelurahan__kecamatan"]
    list_select_related = ["kelurahan"]
    search_fields = ["name", "owner__full_name", "=owner__nik", "phone", "nib"]
    autocomplete_fields = ["owner", "kelurahan"]
    readonly_fields = [
        "status",
        "status_reason",
        "status_changed_at",
        "status_changed_by",
        "registered_by",
        "created_at",
    ]
    inlines = [BankAccountInline]
    actions = ["verify_selected", "reinstate_selected"]

    @admin.action(description="Verifikasi toko terpilih yang menunggu verifikasi")
    def verify_selected(self, request, queryset):
        self._transition(request, queryset, "verify")

    @admin.action(description="Aktifkan kembali toko terpilih yang dibekukan")
    def reinstate_selected(self, request, queryset):
        self._transition(request, queryset, "reinstate")

    def _transition(self, request, queryset, action):
        # Status changes go through the service: the same rules and audit as the API.
        done = 0
        for merchant in queryset.select_related("kelurahan"):
            try:
                merchant_transition(actor=request.user, merchant=merchant, action=action)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{merchant}: {error.message}", messages.WARNING)
        self.message_user(request, f"{done} toko diperbarui.")
