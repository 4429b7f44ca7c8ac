from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from peken.accounts.permissions import is_city_admin
from peken.admin_site import ReadOnlyModelAdmin
from peken.notifications.models import OutboxMessage
from peken.notifications.outbox import outbox_retry


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Menunggu")),
            ("sent", _("Terkirim")),
            ("failed", _("Gagal")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(failed_at__isnull=False)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyModelAdmin):
    """Mail and text messages as the worker sends them: the city admin sees what waits or
    failed (and why) and sends a message again once the server is back; auditors read."""

    list_display = [
        "created_at",
        "channel",
        "recipient",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = [StatusFilter, "channel"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    fields = [
        "channel",
        "recipient",
        "subject",
        "words",
        "created_at",
        "attempts",
        "next_attempt_at",
        "expires_at",
        "sent_at",
        "failed_at",
        "last_error",
    ]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description=_("status"))
    def status(self, message: OutboxMessage) -> str:
        if message.sent_at:
            return str(_("Terkirim"))
        if message.failed_at:
            return str(_("Gagal"))
        return str(_("Menunggu"))

    @admin.display(description=_("isi"))
    def words(self, message: OutboxMessage) -> str:
        if message.is_secret:
            return str(_("(kode rahasia, tidak ditampilkan)"))
        return message.body

    def has_retry_permission(self, request) -> bool:
        return request.user.is_superuser or is_city_admin(request.user)

    @admin.action(description=_("Kirim ulang sekarang"), permissions=["retry"])
    def retry_now(self, request, queryset):
        retried = outbox_retry(actor=request.user, messages=queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d pesan akan dikirim ulang oleh pekerja latar.",
                "%(count)d pesan akan dikirim ulang oleh pekerja latar.",
                retried,
            )
            % {"count": retried},
        )
