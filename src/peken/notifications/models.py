from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """Something a person should know: their order was paid, accepted, delivered; a payout; a
    complaint about their shop."""

    class Kind(models.TextChoices):
        ORDER_PLACED = "order_placed", "Pesanan dibuat"
        ORDER_PAID = "order_paid", "Pesanan dibayar"
        ORDER_ACCEPTED = "order_accepted", "Pesanan diterima toko"
        ORDER_DELIVERING = "order_delivering", "Pesanan diantar"
        ORDER_READY = "order_ready", "Pesanan siap diambil"
        ORDER_COMPLETED = "order_completed", "Pesanan selesai"
        ORDER_CANCELLED = "order_cancelled", "Pesanan dibatalkan"
        PAYOUT_SENT = "payout_sent", "Dana dicairkan"
        COMPLAINT_OPENED = "complaint_opened", "Komplain pembeli"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    text = models.CharField(max_length=300)
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
