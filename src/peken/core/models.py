from django.conf import settings
from django.db import models
from django.utils import timezone

from peken.core.append_only import AppendOnlyModel


class AuditEntry(AppendOnlyModel):
    """One change an officer, admin or import made: who, when, what, before and after.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    too (see migration 0002), so not even a raw UPDATE can rewrite history.
    Personal data in `before`/`after` is stored masked (peken.core.audit).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "catatan audit"
        verbose_name_plural = "log audit"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"
