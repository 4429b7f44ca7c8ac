"""Roll-ups of the orders: what the city dashboard reads instead of a month of orders.

Definitions (every figure of peken.reports follows them):

- An order is *paid* while its status is paid, accepted, delivering, ready_for_pickup or
  completed. A cancelled order is never paid, whatever happened before; an unpaid one neither.
- An order belongs to the WIB month of its placement (`Order.month`) and to the WIB day of its
  `placed_at`: a refund or a cancellation weeks later changes that month and day, not the later.
- *Turnover* (omzet) of an order = its goods value still kept: `goods_total − refunded_goods`.
  Delivery fees are not turnover. *ASN turnover*: the same, of orders with buyer_kind asn.
- *Orders* = paid orders (a paid order refunded in full still counts as an order, of Rp 0).
- *Active* buyers or merchants = those with at least one paid order in the month.
- *Home kecamatan* of an ASN = the kecamatan of their domicile kelurahan, else of their
  workplace (as peken.obligations.selectors.home_kecamatan_id). An ASN order is *at home* when
  the shop lies in it. The roll-ups decide this when the order is paid (orders carry no buyer
  area); a rebuild decides it from the profiles as they are then.
- Per category, an order's lines count with their line totals; a refund is taken from its
  categories in proportion to their line totals, in whole rupiah, by the largest-remainder rule
  (peken.reports.rules.refund_allocation), so the categories always add up to the order.

Each row holds sums that only ever move by adding (peken.reports.services): a paid order adds
itself, a cancellation of a paid order subtracts what it still held, a refund subtracts its goods
part. Rows are keyed by period first, so one index serves the upsert and the dashboard's range
reads. No check constraints on the sums: roll-ups are derived, and a drift (say, an order paid
before this app existed and cancelled after) must never stop money from moving; `peken
rebuild-rollups` recounts a month from the orders.
"""

from django.conf import settings
from django.db import models

from peken.catalog.models import Category
from peken.merchants.models import Merchant


class MerchantDay(models.Model):
    """One shop's paid orders placed on one WIB day: the month's daily curve."""

    # No index of its own: the unique (day, merchant) serves the upsert; merchants are never
    # deleted while they have orders (PROTECT), so the cascade never needs one either.
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, db_index=False)
    day = models.DateField("hari (WIB)")
    orders = models.IntegerField(default=0)
    goods = models.BigIntegerField(default=0)
    asn_goods = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "omzet harian toko"
        verbose_name_plural = "omzet harian toko"
        constraints = [
            models.UniqueConstraint(fields=["day", "merchant"], name="rollup_merchant_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.day}"


class MerchantMonth(models.Model):
    """One shop's paid orders of one WIB month: turnover, equity and the map."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, db_index=False)
    month = models.DateField("bulan (WIB)")
    orders = models.IntegerField(default=0)
    goods = models.BigIntegerField(default=0)
    asn_orders = models.IntegerField(default=0)
    asn_goods = models.BigIntegerField(default=0)
    asn_home_goods = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "omzet bulanan toko"
        verbose_name_plural = "omzet bulanan toko"
        constraints = [
            models.UniqueConstraint(fields=["month", "merchant"], name="rollup_merchant_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.month:%Y-%m}"


class BuyerMonth(models.Model):
    """One buyer's paid orders of one WIB month: active buyers are its rows with orders, and an
    ASN's spending for the compliance of an open month."""

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    month = models.DateField("bulan (WIB)")
    buyer_kind = models.CharField(max_length=10)
    orders = models.IntegerField(default=0)
    goods = models.BigIntegerField(default=0)
    home_goods = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "belanja bulanan pembeli"
        verbose_name_plural = "belanja bulanan pembeli"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "buyer", "buyer_kind"], name="rollup_buyer_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.buyer_id} {self.month:%Y-%m} {self.buyer_kind}"


class CategoryMonth(models.Model):
    """One shop's paid goods of one category in one WIB month. Keyed by shop as well, so two
    payments at different shops never wait on one city-wide row."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, db_index=False)
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    month = models.DateField("bulan (WIB)")
    orders = models.IntegerField(default=0)
    goods = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "omzet bulanan kategori"
        verbose_name_plural = "omzet bulanan kategori"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "merchant", "category"], name="rollup_category_month_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.category_id} {self.month:%Y-%m}"
