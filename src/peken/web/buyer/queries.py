"""Reads the buyer pages need beyond the apps' selectors: where the buyer lives, what a cart's
delivery would cost, whether a shop is at its cap for this ASN. Each reuses the rule it shows
(delivery_zone, without_capped, buyer_of) rather than restating it."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from peken.accounts.models import WargaProfile
from peken.accounts.signed_in import home_of
from peken.catalog.fairness import Shopper, without_capped
from peken.core.errors import PermissionDenied
from peken.merchants.models import Merchant
from peken.ordering.models import Order
from peken.ordering.rules import delivery_zone
from peken.ordering.services import buyer_of
from peken.web.cart import CartShop

ZONE_LABELS = {
    "same_kelurahan": gettext_lazy("kelurahan yang sama"),
    "same_kecamatan": gettext_lazy("kecamatan yang sama"),
    "city": gettext_lazy("kecamatan lain"),
}


def home_kelurahan_code(user) -> str | None:
    """The kelurahan an ASN lives in (active profile), else a warga's; None for neither."""
    home = home_of(user)
    return home.kelurahan_code if home else None


def shop_is_capped_for(shopper: Shopper | None, merchant_id: int) -> bool:
    """True when this ASN may not buy from the shop this month: its cap is reached. Listings
    leave such shops out; a page opened by its address says so instead."""
    if shopper is None:
        return False
    rows = Merchant.objects.filter(pk=merchant_id)
    return not without_capped(rows, shopper, "id").exists()


@dataclass(frozen=True)
class ShopDelivery:
    """One shop of the cart with what delivering it to the buyer would cost."""

    shop: CartShop
    zone: str
    fee: int

    @property
    def merchant(self) -> Merchant:
        return self.shop.merchant

    @property
    def zone_label(self) -> str:
        return str(ZONE_LABELS[self.zone])

    @property
    def total_delivered(self) -> int:
        return self.shop.goods_total + (self.fee if self.merchant.offers_delivery else 0)


def cart_deliveries(user, shops: list[CartShop]) -> list[ShopDelivery]:
    """Each shop's zone and fee from the buyer's home area; checkout computes the same again
    from what is current then, so this is a preview."""
    try:
        buyer = buyer_of(user)
        kelurahan_id, kecamatan_id = buyer.kelurahan_id, buyer.kecamatan_id
    except PermissionDenied:
        kelurahan_id = kecamatan_id = None
    previews = []
    for shop in shops:
        merchant = shop.merchant
        zone = delivery_zone(
            buyer_kelurahan_id=kelurahan_id,
            buyer_kecamatan_id=kecamatan_id,
            merchant_kelurahan_id=merchant.kelurahan_id,
            merchant_kecamatan_id=merchant.kelurahan.kecamatan_id,
        )
        previews.append(ShopDelivery(shop, zone, merchant.delivery_fee(zone)))
    return previews


def address_prefill(user) -> str:
    """The warga's profile address, else the address of the buyer's last delivered order."""
    address = WargaProfile.objects.filter(user=user).values_list("address", flat=True).first()
    if address:
        return address
    last = (
        Order.objects.filter(buyer=user, fulfilment=Order.Fulfilment.DELIVERY)
        .exclude(address="")
        .order_by("-placed_at", "-id")
        .values_list("address", flat=True)
        .first()
    )
    return last or ""
