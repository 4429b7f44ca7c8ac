from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.core.append_only import AppendOnlyModel


class AuditEntry(AppendOnlyModel):
    """One change an officer, admin or import made: who, when, what, before and after.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    too (see migration 0002), so not even a raw UPDATE can rewrite history.
    Personal data in `before`/`after` is stored masked (peken.core.audit).
    """

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("pelaku"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=80, db_index=True)
    target_type = models.CharField(_("jenis sasaran"), max_length=80, blank=True)
    target_id = models.CharField(_("nomor sasaran"), max_length=64, blank=True)
    target_repr = models.CharField(_("sasaran"), max_length=200, blank=True)
    before = models.JSONField(_("sebelum"), null=True, blank=True)
    after = models.JSONField(_("sesudah"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("catatan audit")
        verbose_name_plural = _("log audit")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"


class JobRun(models.Model):
    """When one of the worker's jobs (peken.jobs) last started and finished, and how its last run
    ended: written by `peken worker`, read by /metrics, so an operator sees a stopped worker."""

    name = models.CharField(_("pekerjaan"), max_length=80, primary_key=True)
    last_started = models.DateTimeField(_("terakhir mulai"), null=True, blank=True)
    last_finished = models.DateTimeField(_("terakhir selesai"), null=True, blank=True)
    # Empty when the last run succeeded.
    last_error = models.TextField(_("galat terakhir"), blank=True)

    class Meta:
        verbose_name = _("jalannya pekerjaan latar")
        verbose_name_plural = _("jalannya pekerjaan latar")

    def __str__(self) -> str:
        return self.name
