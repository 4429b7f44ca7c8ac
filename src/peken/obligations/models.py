from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.accounts.models import AsnProfile, Eselon, Golongan


class ObligationRule(models.Model):
    """One line of the city's table: the monthly minimum for a golongan and/or eselon.

    An empty golongan or the eselon "*" matches any; the most specific matching line wins.
    """

    ANY_ESELON = "*"

    golongan = models.CharField(
        max_length=5, choices=Golongan.choices, blank=True, help_text="Kosong: semua golongan."
    )
    eselon = models.CharField(
        max_length=5,
        choices=[(ANY_ESELON, "Semua eselon"), *Eselon.choices],
        default=ANY_ESELON,
        blank=True,
    )
    amount = models.PositiveBigIntegerField("kewajiban per bulan (Rp)")

    class Meta:
        ordering = ["golongan", "eselon"]
        verbose_name = "aturan kewajiban belanja"
        verbose_name_plural = "tabel kewajiban belanja"
        constraints = [
            models.UniqueConstraint(fields=["golongan", "eselon"], name="obligation_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.golongan or 'semua golongan'} / {self.get_eselon_display()}"


class ObligationOverride(models.Model):
    """A different minimum for one person, from a month on (until a month, or open-ended)."""

    asn = models.ForeignKey(
        AsnProfile, on_delete=models.CASCADE, related_name="obligation_overrides"
    )
    amount = models.PositiveBigIntegerField("kewajiban per bulan (Rp)")
    from_month = models.DateField("mulai bulan")
    until_month = models.DateField("sampai bulan", null=True, blank=True)
    reason = models.CharField("alasan", max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "kewajiban khusus"
        verbose_name_plural = "kewajiban khusus"

    def __str__(self) -> str:
        return f"{self.asn}: {self.amount}"


class ObligationExemption(models.Model):
    """Months in which a person owes nothing: leave, study leave, illness."""

    class Reason(models.TextChoices):
        CUTI = "cuti", _("Cuti")
        TUGAS_BELAJAR = "tugas_belajar", _("Tugas belajar")
        SAKIT = "sakit", _("Sakit")
        LAINNYA = "lainnya", _("Lainnya")

    asn = models.ForeignKey(
        AsnProfile, on_delete=models.CASCADE, related_name="obligation_exemptions"
    )
    from_month = models.DateField("mulai bulan")
    until_month = models.DateField("sampai bulan")
    reason = models.CharField("alasan", max_length=20, choices=Reason.choices)
    note = models.CharField("keterangan", max_length=200, blank=True)

    class Meta:
        verbose_name = "pembebasan kewajiban"
        verbose_name_plural = "pembebasan kewajiban"
        constraints = [
            models.CheckConstraint(
                name="exemption_months_in_order",
                condition=Q(until_month__gte=models.F("from_month")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.asn}: {self.reason}"


class MonthClose(models.Model):
    """A closed month: its obligation results are frozen in ObligationResult."""

    month = models.DateField(unique=True)
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.CharField(max_length=150)

    class Meta:
        verbose_name = "tutup bulan"
        verbose_name_plural = "tutup bulan"

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ObligationResult(models.Model):
    """One ASN's frozen result for a closed month."""

    month = models.DateField()
    asn = models.ForeignKey(AsnProfile, on_delete=models.PROTECT, related_name="obligation_results")
    opd_id = models.BigIntegerField()  # the OPD at closing time, even if the person moves later
    required = models.PositiveBigIntegerField()
    spent = models.PositiveBigIntegerField()
    is_exempt = models.BooleanField(default=False)
    is_met = models.BooleanField()

    class Meta:
        verbose_name = "hasil kewajiban"
        verbose_name_plural = "hasil kewajiban"
        constraints = [
            models.UniqueConstraint(fields=["month", "asn"], name="obligation_result_once"),
        ]
        indexes = [models.Index(fields=["month", "opd_id"])]

    def __str__(self) -> str:
        return f"{self.asn_id} {self.month:%Y-%m}"
