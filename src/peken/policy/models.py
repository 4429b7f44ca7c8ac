from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_CAP = 30_000_000


class CityPolicy(models.Model):
    """The switches a city sets for the whole marketplace. One row (pk=1)."""

    default_cap = models.PositiveBigIntegerField(
        "batas omzet ASN per toko per bulan (Rp)", default=DEFAULT_CAP
    )
    warga_orders_count_toward_cap = models.BooleanField(
        "pesanan warga ikut dihitung dalam batas omzet", default=False
    )
    fair_ranking = models.BooleanField(
        "urutan adil (toko dekat dan beromzet kecil lebih dulu)", default=True
    )
    obligation_home_kecamatan_only = models.BooleanField(
        "hanya belanja di kecamatan domisili yang dihitung sebagai kewajiban", default=False
    )
    payment_timeout_minutes = models.PositiveIntegerField("batas waktu bayar (menit)", default=60)
    acceptance_timeout_hours = models.PositiveIntegerField(
        "batas waktu toko menerima pesanan (jam)", default=24
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "kebijakan kota"
        verbose_name_plural = "kebijakan kota"
        constraints = [
            models.CheckConstraint(name="policy_single_row", condition=models.Q(pk=1)),
            models.CheckConstraint(
                name="policy_cap_positive", condition=models.Q(default_cap__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return "Kebijakan kota"
