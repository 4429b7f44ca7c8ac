from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.merchants.models import Merchant


class Category(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField("nama", max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "kategori"
        verbose_name_plural = "kategori"

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    PCS = "pcs", "pcs"
    KG = "kg", "kg"
    GRAM = "gram", "gram"
    LITER = "liter", "liter"
    ML = "ml", "ml"
    PORSI = "porsi", _("porsi")
    # "pak" is how Indonesian writes a pack; the code stays "pack" for stored rows and the API.
    PACK = "pack", _("pak")
    BUNGKUS = "bungkus", _("bungkus")
    KARUNG = "karung", _("karung")  # a sack: rice sold by the 5, 10 or 25 kg bag
    BOTOL = "botol", _("botol")
    DUS = "dus", _("dus")
    LUSIN = "lusin", _("lusin")
    IKAT = "ikat", _("ikat")
    SACHET = "sachet", "sachet"
    LEMBAR = "lembar", _("lembar")
    SET = "set", "set"


class ReferenceItem(models.Model):
    """A staple whose price the city fixes (harga acuan): same brand, same price at every toko."""

    name = models.CharField("barang", max_length=80)
    brand = models.CharField("merek", max_length=80)
    variant = models.CharField("varian", max_length=80, blank=True)
    unit = models.CharField("satuan", max_length=20, choices=Unit.choices)
    price = models.PositiveBigIntegerField("harga acuan (Rp)")
    is_active = models.BooleanField("berlaku", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "brand", "variant"]
        verbose_name = "harga acuan"
        verbose_name_plural = "harga acuan"
        constraints = [
            models.CheckConstraint(name="reference_price_positive", condition=Q(price__gt=0)),
            models.UniqueConstraint(
                fields=["name", "brand", "variant", "unit"], name="reference_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.name, self.brand, self.variant) if part)


class ProhibitedTerm(models.Model):
    """A word that puts a product on hold for review (emas, rokok, miras …)."""

    term = models.CharField("kata", max_length=60, unique=True)
    reason = models.CharField("alasan", max_length=120)
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["term"]
        verbose_name = "barang terlarang"
        verbose_name_plural = "barang terlarang"

    def __str__(self) -> str:
        return self.term


class Product(models.Model):
    class Review(models.TextChoices):
        APPROVED = "approved", _("Boleh dijual")
        ON_HOLD = "on_hold", _("Ditahan untuk diperiksa")
        REJECTED = "rejected", _("Ditolak petugas")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="products")
    name = models.CharField("nama", max_length=120)
    description = models.TextField("deskripsi", blank=True, max_length=3000)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    price = models.PositiveBigIntegerField("harga (Rp)")
    unit = models.CharField("satuan", max_length=20, choices=Unit.choices)
    stock = models.PositiveIntegerField("stok", default=0)
    is_made_to_order = models.BooleanField("dibuat sesuai pesanan", default=False)
    reference_item = models.ForeignKey(
        ReferenceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    is_active = models.BooleanField("aktif", default=True)
    review = models.CharField(max_length=20, choices=Review.choices, default=Review.APPROVED)
    review_reason = models.CharField("alasan", max_length=300, blank=True)
    # Product and merchant words in one column, so one index answers a keyword search.
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "produk"
        verbose_name_plural = "produk"
        indexes = [
            models.Index(fields=["merchant", "is_active"]),
            models.Index(fields=["category", "price"]),
            models.Index(fields=["price"]),
        ]
        constraints = [
            models.CheckConstraint(name="product_price_positive", condition=Q(price__gt=0)),
            models.CheckConstraint(name="product_stock_not_negative", condition=Q(stock__gte=0)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_in_stock(self) -> bool:
        return self.is_made_to_order or self.stock > 0


class ProductPhoto(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="products/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "foto produk"
        verbose_name_plural = "foto produk"

    def __str__(self) -> str:
        return self.image.name
