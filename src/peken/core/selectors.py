from django.db.models import QuerySet

from peken.core.models import AuditEntry


def audit_entries(
    *, action: str | None = None, target_type: str | None = None, target_id: str | None = None
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id:
        entries = entries.filter(target_id=target_id)
    return entries
