from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.merchants.models import Merchant


class PayoutBatch(models.Model):
    """One run of payouts: what every shop was owed, as one bank bulk-transfer file."""

    class Trigger(models.TextChoices):
        DAILY = "daily", _("Harian otomatis")
        ON_DEMAND = "on_demand", _("Atas permintaan")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    # The WIB day a daily run is for: the worker may try twice, the day is paid once.
    business_date = models.DateField(null=True, blank=True)
    payout_count = models.PositiveIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    bank_file = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "batch pencairan"
        verbose_name_plural = "batch pencairan"
        constraints = [
            models.UniqueConstraint(
                fields=["business_date"],
                condition=Q(trigger="daily"),
                name="payout_one_daily_batch_per_day",
            )
        ]

    def __str__(self) -> str:
        return f"Batch pencairan #{self.pk}"


class Payout(models.Model):
    """One shop's line in a batch, with the bank details as they were when it was paid."""

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="payouts")
    amount = models.PositiveBigIntegerField()
    bank_code = models.CharField(max_length=20)
    account_number = models.CharField(max_length=30)
    holder_name = models.CharField(max_length=120)
    reference = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["batch_id", "merchant_id"]
        verbose_name = "pencairan"
        verbose_name_plural = "pencairan"
        constraints = [
            models.CheckConstraint(name="payout_amount_positive", condition=Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return self.reference


class SettlementImport(models.Model):
    """A gateway settlement report, checked line by line against the ledger."""

    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200)
    line_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    gross_total = models.PositiveBigIntegerField(default=0)
    fee_total = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = "impor laporan settlement"
        verbose_name_plural = "impor laporan settlement"

    def __str__(self) -> str:
        return f"Settlement {self.filename} ({self.imported_at:%Y-%m-%d})"


class SettledPayment(models.Model):
    """A payment the gateway has paid over: settled once, whichever report says it again."""

    settlement = models.ForeignKey(
        SettlementImport, on_delete=models.PROTECT, related_name="settled"
    )
    reference = models.CharField(max_length=50, unique=True)
    gross = models.PositiveBigIntegerField()
    fee = models.PositiveBigIntegerField()

    class Meta:
        verbose_name = "pembayaran tersetor"
        verbose_name_plural = "pembayaran tersetor"

    def __str__(self) -> str:
        return self.reference


class SettlementDifference(models.Model):
    class Kind(models.TextChoices):
        MISSING = "missing", _("Ada di buku besar, tidak ada di laporan")
        EXTRA = "extra", _("Ada di laporan, tidak ada di buku besar")
        AMOUNT = "amount", _("Nominal berbeda")
        ALREADY_SETTLED = "already_settled", _("Sudah tersetor di laporan sebelumnya")

    settlement = models.ForeignKey(
        SettlementImport, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=50)
    ledger_amount = models.BigIntegerField(null=True, blank=True)
    report_amount = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "reference"]
        verbose_name = "selisih rekonsiliasi"
        verbose_name_plural = "selisih rekonsiliasi"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reference}"
