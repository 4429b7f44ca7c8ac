from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.regions.models import Kelurahan

# The fee field for each delivery zone (peken.ordering.rules.delivery_zone).
FEE_FIELD_OF_ZONE = {
    "same_kelurahan": "delivery_fee_same_kelurahan",
    "same_kecamatan": "delivery_fee_same_kecamatan",
    "city": "delivery_fee_city",
}


class Merchant(models.Model):
    """A shop that sells on Peken: a toko kelontong or an UMKM, owned by one person."""

    class Kind(models.TextChoices):
        TOKO_KELONTONG = "toko_kelontong", _("Toko kelontong")
        UMKM = "umkm", "UMKM"

    class Line(models.TextChoices):
        """What an UMKM makes; a toko kelontong has none."""

        NONE = "", "—"
        KULINER = "kuliner", _("Kuliner")
        KERAJINAN = "kerajinan", _("Kerajinan")
        FASHION = "fashion", _("Fashion")
        LAINNYA = "lainnya", _("Lainnya")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SUBMITTED = "submitted", _("Menunggu verifikasi")
        VERIFIED = "verified", _("Terverifikasi")
        REJECTED = "rejected", _("Ditolak")
        SUSPENDED = "suspended", _("Dibekukan")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="merchants"
    )
    name = models.CharField("nama usaha", max_length=120)
    kind = models.CharField("jenis", max_length=20, choices=Kind.choices)
    line = models.CharField("bidang UMKM", max_length=20, choices=Line.choices, blank=True)
    description = models.TextField("deskripsi", blank=True, max_length=2000)
    phone = models.CharField("nomor HP toko", max_length=20)
    address = models.CharField("alamat", max_length=300)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="merchants")
    is_mbr = models.BooleanField("keluarga MBR", default=False)
    nib = models.CharField("NIB", max_length=13, blank=True)
    opening_hours = models.JSONField("jam buka", default=dict, blank=True)
    photo = models.ImageField("foto toko", upload_to="merchants/", blank=True)
    offers_pickup = models.BooleanField("bisa diambil di toko", default=True)
    offers_delivery = models.BooleanField("bisa diantar", default=True)
    # Delivery fees by zone, set by the merchant: the buyer's kelurahan, kecamatan, or elsewhere.
    delivery_fee_same_kelurahan = models.PositiveIntegerField(
        "ongkos antar, kelurahan yang sama (Rp)", default=0
    )
    delivery_fee_same_kecamatan = models.PositiveIntegerField(
        "ongkos antar, kecamatan yang sama (Rp)", default=5_000
    )
    delivery_fee_city = models.PositiveIntegerField(
        "ongkos antar, lain kecamatan (Rp)", default=10_000
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_reason = models.CharField("alasan", max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Petugas yang mendaftarkan toko atas nama pemiliknya.",
    )
    # A shop an officer registered for its owner is verified only after the owner confirms, in
    # their own account, that the shop, its data and its bank account are theirs.
    owner_consented_at = models.DateTimeField("pemilik menyetujui pada", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "toko"
        verbose_name_plural = "toko"
        indexes = [models.Index(fields=["status", "kelurahan"])]
        constraints = [
            models.CheckConstraint(
                name="merchant_line_only_for_umkm",
                condition=Q(kind="umkm", line__in=["kuliner", "kerajinan", "fashion", "lainnya"])
                | Q(kind="toko_kelontong", line=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def delivery_fee(self, zone: str) -> int:
        """The shop's fee for a zone as peken.ordering.rules.delivery_zone names it."""
        return getattr(self, FEE_FIELD_OF_ZONE[zone])

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED


class BankAccount(models.Model):
    """Where a merchant's payouts go. One per merchant; changes are audited."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="bank_account")
    bank_code = models.CharField("bank", max_length=20)
    account_number = models.CharField("nomor rekening", max_length=30)
    holder_name = models.CharField("nama pemilik rekening", max_length=120)
    # A verified shop that changes its account keeps selling, but nothing is paid into the new
    # account until an officer of its area confirms it (a second person checks the book).
    is_payout_held = models.BooleanField("pencairan ditahan", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rekening bank"
        verbose_name_plural = "rekening bank"

    def __str__(self) -> str:
        return f"{self.bank_code} {self.account_number[-4:]:*>8}"
