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


class OutboxMessage(models.Model):
    """A message to send, written in the transaction of the change that causes it and sent by
    the worker (notifications.outbox): a change rolled back sends nothing, and a slow or dead
    mail server delays the mail, never the page."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254)  # an e-mail address or a phone number
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # A login or password code: never shown in the back office, wiped once sent or expired.
    is_secret = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the worker may next take it: now for a new message, later after a failed try (the
    # backoff), or the end of a worker's claim while it is sending.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A code is worthless after its own expiry: a message not sent by then is given up.
    expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)  # given up; the back office retries
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pesan keluar")
        verbose_name_plural = _("pesan keluar")
        indexes = [
            # The worker's question every few seconds: which messages are due? Only the
            # waiting ones are in this index, so it stays small however many were sent.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_waiting_idx",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sent_at__isnull=True) | models.Q(failed_at__isnull=True),
                name="outbox_sent_or_failed_not_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject or self.body[:40]}"

    @property
    def is_waiting(self) -> bool:
        return self.sent_at is None and self.failed_at is None
