from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from peken.merchants.models import Merchant


class MerchantCap(models.Model):
    """A city's own cap for one merchant, instead of the default."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="cap_override")
    cap = models.PositiveBigIntegerField("batas omzet (Rp)")
    set_at = models.DateTimeField(default=timezone.now)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "batas omzet khusus"
        verbose_name_plural = "batas omzet khusus"
        constraints = [models.CheckConstraint(name="merchant_cap_positive", condition=Q(cap__gt=0))]

    def __str__(self) -> str:
        return f"{self.merchant}: {self.cap}"


class MerchantMonthQuota(models.Model):
    """One merchant's ASN turnover in one WIB month against its cap: the contended row.

    `used` moves only by conditional updates (peken.quotas.services); the constraint below makes a
    bug that would pass the cap an error instead of a silent loss.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="month_quotas")
    month = models.DateField("bulan")  # the first day of the WIB month
    cap = models.PositiveBigIntegerField()
    used = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "kuota bulanan"
        verbose_name_plural = "kuota bulanan"
        constraints = [
            models.UniqueConstraint(fields=["merchant", "month"], name="quota_one_row_per_month"),
            models.CheckConstraint(name="quota_used_not_negative", condition=Q(used__gte=0)),
            models.CheckConstraint(name="quota_used_within_cap", condition=Q(used__lte=F("cap"))),
        ]
        indexes = [models.Index(fields=["month", "used"])]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.month:%Y-%m}: {self.used}/{self.cap}"

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.used)
