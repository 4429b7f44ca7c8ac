from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.ordering.models import Checkout, Order


class Payment(models.Model):
    """The one charge that pays every order of a checkout, at one gateway."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu pembayaran")
        PAID = "paid", _("Lunas")
        EXPIRED = "expired", _("Kedaluwarsa")
        FAILED = "failed", _("Gagal")

    class Method(models.TextChoices):
        QRIS = "qris", "QRIS"
        VA_BCA = "va_bca", _("Virtual account BCA")
        VA_BNI = "va_bni", _("Virtual account BNI")
        VA_BRI = "va_bri", _("Virtual account BRI")
        VA_MANDIRI = "va_mandiri", _("Virtual account Mandiri")

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="payment")
    # The orders this charge pays: those still waiting when it was made.
    orders = models.ManyToManyField(Order, related_name="payments")
    reference = models.CharField(max_length=50, unique=True)  # our order id at the gateway
    gateway = models.CharField(max_length=20)
    method = models.CharField(max_length=20, choices=Method.choices)
    amount = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_transaction_id = models.CharField(max_length=100, blank=True)
    qris_payload = models.TextField(blank=True)
    va_bank = models.CharField(max_length=20, blank=True)
    va_number = models.CharField(max_length=40, blank=True)
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "pembayaran"
        verbose_name_plural = "pembayaran"
        indexes = [models.Index(fields=["status", "expires_at"])]
        constraints = [
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return self.reference


class PaymentNotification(models.Model):
    """Every notification that reached the webhook, accepted or not: the trail to answer
    "did the gateway tell us?" and to see forgeries."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Diterapkan")
        DUPLICATE = "duplicate", _("Duplikat, tidak mengubah apa pun")
        STALE = "stale", _("Terlambat/usang, diabaikan")
        REJECTED = "rejected", _("Ditolak (tanda tangan/format)")
        UNKNOWN_PAYMENT = "unknown_payment", _("Pembayaran tidak dikenal")
        AMOUNT_MISMATCH = "amount_mismatch", _("Nominal tidak cocok")

    gateway = models.CharField(max_length=20)
    # The gateway's own id for this notification (or a digest of it): a second delivery of the
    # same one is recognised by the unique constraint, whoever wins the race.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)
    reference = models.CharField(max_length=50, blank=True, db_index=True)
    status = models.CharField(max_length=20, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    remote_address = models.GenericIPAddressField(null=True, blank=True)
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "notifikasi pembayaran"
        verbose_name_plural = "notifikasi pembayaran"
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="payment_notification_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.reference} {self.status} → {self.outcome}"


class Refund(models.Model):
    """Money going back to a buyer through the gateway: a paid order cancelled, or a complaint
    decided for the buyer. Written with its ledger entry; sent to the gateway by the worker."""

    class Kind(models.TextChoices):
        CANCELLATION = "cancellation", _("Pesanan dibatalkan")
        COMPLAINT = "complaint", _("Komplain")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Menunggu dikirim ke gateway")
        SENT = "sent", _("Dikirim ke pembeli")
        FAILED = "failed", _("Gagal, dicoba lagi")

    payment = models.ForeignKey(
        Payment, null=True, on_delete=models.PROTECT, related_name="refunds"
    )
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.PositiveBigIntegerField()
    goods_part = models.PositiveBigIntegerField(default=0)
    delivery_part = models.PositiveBigIntegerField(default=0)
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    gateway_refund_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "pengembalian dana"
        verbose_name_plural = "pengembalian dana"
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(name="refund_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="refund_parts_sum",
                condition=Q(amount=models.F("goods_part") + models.F("delivery_part")),
            ),
        ]

    def __str__(self) -> str:
        return f"Refund #{self.pk} pesanan #{self.order_id}: Rp {self.amount}"


class Complaint(models.Model):
    """A buyer's complaint about an order: the shop answers, an officer or city admin decides."""

    class Status(models.TextChoices):
        OPEN = "open", _("Menunggu jawaban toko")
        ANSWERED = "answered", _("Dijawab toko, menunggu keputusan")
        REFUNDED = "refunded", _("Diputuskan: dana dikembalikan")
        REJECTED = "rejected", _("Diputuskan: ditolak")

    class Reason(models.TextChoices):
        NOT_RECEIVED = "not_received", _("Pesanan tidak sampai")
        DAMAGED = "damaged", _("Barang rusak")
        WRONG_ITEM = "wrong_item", _("Barang tidak sesuai")
        INCOMPLETE = "incomplete", _("Barang kurang")
        OTHER = "other", _("Lainnya")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="complaints")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.CharField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    merchant_answer = models.CharField(max_length=1000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    refund = models.OneToOneField(
        Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="complaint"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "komplain"
        verbose_name_plural = "komplain"
        constraints = [
            # One complaint in progress per order at a time.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["open", "answered"]),
                name="complaint_one_open_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"Komplain #{self.pk} pesanan #{self.order_id}"


class SimulatorCharge(models.Model):
    """The built-in simulator gateway's own memory of a charge, in the database so the web
    processes and the worker share it (see payments/simulator_store.py). Not our ledger."""

    reference = models.CharField(max_length=50, primary_key=True)
    record = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "transaksi simulator"
        verbose_name_plural = "transaksi simulator"

    def __str__(self) -> str:
        return self.reference
