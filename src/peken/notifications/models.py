from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a person should know: their order was paid, accepted, delivered; a payout; a
    complaint about their shop."""

    class Kind(models.TextChoices):
        ORDER_PLACED = "order_placed", _("Pesanan dibuat")
        ORDER_PAID = "order_paid", _("Pesanan dibayar")
        ORDER_ACCEPTED = "order_accepted", _("Pesanan diterima toko")
        ORDER_DELIVERING = "order_delivering", _("Pesanan diantar")
        ORDER_READY = "order_ready", _("Pesanan siap diambil")
        ORDER_COMPLETED = "order_completed", _("Pesanan selesai")
        ORDER_CANCELLED = "order_cancelled", _("Pesanan dibatalkan")
        PAYOUT_SENT = "payout_sent", _("Dana dicairkan")
        COMPLAINT_OPENED = "complaint_opened", _("Komplain pembeli")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The words in Bahasa Indonesia as written (mail, back office, notes from before `message`).
    text = models.CharField(max_length=300)
    # The same words as a catalogue message and its values, so each reader sees them in the
    # language they chose when reading, not the one of whoever caused the note.
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "notifikasi"
        verbose_name_plural = "notifikasi"
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def text_in_active_language(self) -> str:
        if not self.message:
            return self.text
        return render_message(self.message, self.params)


# Values that are themselves catalogue messages (a reason the system wrote, say "Pembayaran
# gagal"); a reason someone typed is not in the catalogue and reads as typed.
TRANSLATED_PARAMS = frozenset({"reason"})


def render_message(message: str, params: dict) -> str:
    """`message` and its values in the active language."""
    values = {
        name: gettext(value) if name in TRANSLATED_PARAMS and value else value
        for name, value in params.items()
    }
    try:
        return (gettext(message) % values if values else gettext(message)).strip()
    except (KeyError, ValueError, TypeError):
        # A translation whose placeholders do not match: the words as written beat a 500.
        return (message % values if values else message).strip()
