from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.catalog.models import Product
from peken.merchants.models import Merchant


class Checkout(models.Model):
    """One placement of a cart: the orders it made, and the key that makes a retry harmless."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "checkout"
        verbose_name_plural = "checkout"
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="checkout_idempotency_key_once_per_buyer",
            )
        ]

    def __str__(self) -> str:
        return f"checkout {self.pk}"


class Order(models.Model):
    """What one buyer bought from one merchant in one checkout."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Menunggu pembayaran")
        PAID = "paid", _("Dibayar")
        ACCEPTED = "accepted", _("Diterima toko")
        DELIVERING = "delivering", _("Diantar")
        READY_FOR_PICKUP = "ready_for_pickup", _("Siap diambil")
        COMPLETED = "completed", _("Selesai")
        CANCELLED = "cancelled", _("Dibatalkan")

    class Fulfilment(models.TextChoices):
        DELIVERY = "delivery", _("Diantar toko")
        PICKUP = "pickup", _("Ambil di toko")

    class BuyerKind(models.TextChoices):
        ASN = "asn", "ASN"
        WARGA = "warga", _("Warga")

    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    buyer_kind = models.CharField(max_length=10, choices=BuyerKind.choices)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders")
    placed_at = models.DateTimeField(default=timezone.now)
    month = models.DateField("bulan (WIB)")  # first day of the WIB month of placed_at
    # Frozen at placement: whether this order took part of the merchant's monthly cap.
    counts_toward_cap = models.BooleanField(default=False)
    fulfilment = models.CharField(max_length=10, choices=Fulfilment.choices)
    delivery_zone = models.CharField(max_length=20, blank=True)
    address = models.CharField("alamat antar", max_length=300, blank=True)
    goods_total = models.PositiveBigIntegerField()
    delivery_fee = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    # Given back on complaints (payments): the goods part leaves the cap and the obligation.
    refunded_goods = models.PositiveBigIntegerField(default=0)
    refunded_delivery = models.PositiveBigIntegerField(default=0)
    cancel_reason = models.CharField("alasan batal", max_length=300, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The shop's part done: sent out (delivery) or ready at the counter (pickup). The buyer
    # confirms receipt from then on, or the order completes by itself some hours later.
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "pesanan"
        verbose_name_plural = "pesanan"
        indexes = [
            models.Index(fields=["merchant", "month", "status"]),
            models.Index(fields=["buyer", "month", "status"]),
            models.Index(fields=["status", "placed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="order_total_is_goods_plus_delivery",
                condition=Q(total=F("goods_total") + F("delivery_fee")),
            ),
            models.CheckConstraint(name="order_goods_positive", condition=Q(goods_total__gt=0)),
            models.CheckConstraint(
                name="order_refund_within_total",
                condition=Q(refunded_goods__lte=F("goods_total"))
                & Q(refunded_delivery__lte=F("delivery_fee")),
            ),
        ]

    def __str__(self) -> str:
        return f"Pesanan #{self.pk}"


class OrderItem(models.Model):
    """A line of an order, snapshotting name and price: later edits of the product don't
    change what was bought."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    unit = models.CharField(max_length=20)
    unit_price = models.PositiveBigIntegerField()
    quantity = models.PositiveIntegerField()
    line_total = models.PositiveBigIntegerField()
    # Whether stock was taken at placement (made-to-order goods have none to take or give back).
    reserved_stock = models.BooleanField(default=True)

    class Meta:
        verbose_name = "barang pesanan"
        verbose_name_plural = "barang pesanan"
        constraints = [
            models.CheckConstraint(
                name="order_item_quantity_positive", condition=Q(quantity__gt=0)
            ),
            models.CheckConstraint(
                name="order_item_line_total",
                condition=Q(line_total=F("unit_price") * F("quantity")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class OrderEvent(models.Model):
    """One step of an order's life, with who took it: the buyer's and merchant's timeline."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_kind = models.CharField(max_length=20)  # buyer, merchant, admin, system
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "riwayat pesanan"
        verbose_name_plural = "riwayat pesanan"

    def __str__(self) -> str:
        return f"#{self.order_id}: {self.from_status or '∅'} → {self.to_status}"


class ShopReview(models.Model):
    """A buyer's rating of a shop, once per completed order."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="review")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="reviews")
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "ulasan toko"
        verbose_name_plural = "ulasan toko"
        constraints = [
            models.CheckConstraint(
                name="review_rating_1_to_5", condition=Q(rating__gte=1) & Q(rating__lte=5)
            )
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.merchant_id}"
