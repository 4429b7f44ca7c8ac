from django.contrib import admin

from peken.admin_site import ReadOnlyModelAdmin
from peken.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "actor_name", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "action", "target_repr", "target_id"]
    date_hierarchy = "at"
    readonly_fields = [
        "at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "before",
        "after",
        "ip_address",
    ]
    exclude = ["actor"]
