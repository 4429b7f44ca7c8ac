"""Placing a cart: one order per shop, all-or-nothing.

Stock and cap are reserved for every order of the cart, or for none, in the lock order named in
ordering.locks; checks happen in the same statement as the write (conditional UPDATE), so
hundreds of concurrent checkouts can neither oversell the last item nor push a shop past its cap.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peken.accounts.models import User
from peken.core.cache import generation_bump, orders_of
from peken.core.errors import InvalidInput
from peken.core.months import Month
from peken.core.statements import rows_insert
from peken.ordering import rules
from peken.ordering.errors import (
    FulfilmentUnavailable,
    IdempotencyKeyReused,
    InsufficientStock,
    NotABuyer,
    ProductUnavailable,
)
from peken.ordering.locks import cap_reserve, stock_shortfall, stock_take
from peken.ordering.models import Checkout, Order, OrderEvent, OrderItem
from peken.ordering.placement import (
    SellableProduct,
    asn_area,
    products_sellable,
    warga_area,
)
from peken.policy.selectors import policy_current
from peken.quotas.rules import month_key
from peken.regions.models import Kelurahan


@dataclass(frozen=True)
class Buyer:
    """Who is buying, as placement needs it: their kind and where they are."""

    user: User
    kind: str
    kelurahan_id: int | None
    kecamatan_id: int | None


@dataclass(frozen=True)
class CheckoutResult:
    checkout: Checkout
    orders: list[Order]
    replayed: bool


class _DuplicateKey(Exception):
    pass


def buyer_of(user: User) -> Buyer:
    """An active ASN buys as ASN (their spending counts); otherwise a registered warga.

    The profiles decide, not the role list: a roster import gives both together, and a
    deactivated ASN keeps the role but loses the obligation."""
    area = asn_area(user)
    if area is not None:
        return Buyer(user, Order.BuyerKind.ASN, area.kelurahan_id, area.kecamatan_id)
    area = warga_area(user)
    if area is not None:
        return Buyer(user, Order.BuyerKind.WARGA, area.kelurahan_id, area.kecamatan_id)
    raise NotABuyer()


def checkout_place(
    *,
    buyer: User,
    lines: list[tuple[int, int]],
    fulfilment: str,
    address: str = "",
    delivery_kelurahan_code: str | None = None,
    idempotency_key: str | None = None,
) -> CheckoutResult:
    """One order per merchant of the cart, with stock and cap reserved for all or for none.

    The same idempotency key with the same cart returns the first result again; the cart's
    fingerprint is taken here, from these arguments, so every caller compares alike.
    """
    who = buyer_of(buyer)
    request_hash = rules.request_fingerprint(
        {
            "lines": [[product_id, quantity] for product_id, quantity in lines],
            "fulfilment": fulfilment,
            "address": address or "",
            "delivery_kelurahan": delivery_kelurahan_code or None,
        }
    )
    try:
        with transaction.atomic():
            # The key is claimed before anything else is read or checked: a retry is answered
            # from the first checkout even if the cart would not be accepted any more.
            checkout = Checkout(
                buyer=buyer, idempotency_key=idempotency_key or None, request_hash=request_hash
            )
            try:
                rows_insert([checkout])
            except IntegrityError as error:
                raise _DuplicateKey() from error
            orders = _place(checkout, who, lines, fulfilment, address, delivery_kelurahan_code)
            generation_bump(orders_of(buyer.pk))
    except _DuplicateKey:
        existing = Checkout.objects.get(buyer=buyer, idempotency_key=idempotency_key)
        return _replay(existing, request_hash)
    return CheckoutResult(checkout, orders, replayed=False)


def _place(checkout, who, lines, fulfilment, address, delivery_kelurahan_code) -> list[Order]:
    try:
        quantities = rules.merged_lines(lines)
    except rules.OrderRuleError as error:
        raise InvalidInput(str(error), field="items") from error
    products = _sellable_products(quantities, who.user)
    destination = _destination(who, fulfilment, address, delivery_kelurahan_code)
    # ASN orders always count; the policy is read only for a warga.
    counts = who.kind == Order.BuyerKind.ASN or policy_current().warga_orders_count_toward_cap
    return _place_orders(checkout, who, products, quantities, fulfilment, destination, counts)


def _replay(checkout: Checkout, request_hash: str) -> CheckoutResult:
    if checkout.request_hash != request_hash:
        raise IdempotencyKeyReused()
    orders = checkout.orders.select_related("merchant").prefetch_related("items", "events")
    return CheckoutResult(checkout, list(orders.order_by("id")), replayed=True)


def _sellable_products(quantities: dict[int, int], buyer: User) -> dict[int, SellableProduct]:
    products = products_sellable(list(quantities))
    for product_id in quantities:
        if product_id not in products:
            raise ProductUnavailable(
                _("Barang ini tidak ada, tidak aktif, atau tokonya tidak sedang berjualan."),
                product_id=product_id,
            )
        if products[product_id].merchant.owner_id == buyer.pk:
            raise InvalidInput(
                _("Anda tidak dapat membeli dari toko sendiri."), product_id=product_id
            )
    return products


@dataclass(frozen=True)
class _Destination:
    address: str
    kelurahan_id: int | None
    kecamatan_id: int | None


def _destination(
    who: Buyer, fulfilment: str, address: str, kelurahan_code: str | None
) -> _Destination:
    if fulfilment not in Order.Fulfilment.values:
        raise InvalidInput(
            _("Pilih diantar (delivery) atau ambil di toko (pickup)."), field="fulfilment"
        )
    if fulfilment == Order.Fulfilment.PICKUP:
        return _Destination("", None, None)
    address = " ".join((address or "").split())
    if not 5 <= len(address) <= 300:
        raise InvalidInput(_("Tulis alamat antar (5 sampai 300 huruf)."), field="address")
    if kelurahan_code:
        kelurahan = (
            Kelurahan.objects.filter(code=kelurahan_code).values_list("pk", "kecamatan_id").first()
        )
        if kelurahan is None:
            raise InvalidInput(
                _("Kelurahan '%(code)s' tidak dikenal.") % {"code": kelurahan_code},
                field="delivery_kelurahan",
            )
        return _Destination(address, *kelurahan)
    return _Destination(address, who.kelurahan_id, who.kecamatan_id)


def _place_orders(checkout, who, products, quantities, fulfilment, destination, counts):
    now = timezone.now()
    month = month_key(Month.of(now))
    by_merchant: dict[int, list[SellableProduct]] = defaultdict(list)
    for product_id in sorted(quantities):
        by_merchant[products[product_id].merchant.pk].append(products[product_id])
    # Every shop must offer the fulfilment before anything is written.
    delivery = {
        merchant_id: _delivery(lines[0], fulfilment, destination)
        for merchant_id, lines in by_merchant.items()
    }
    goods = {
        merchant_id: sum(product.price * quantities[product.id] for product in lines)
        for merchant_id, lines in by_merchant.items()
    }
    _take_stock(products, quantities)  # ordering.locks: product rows first, by id
    if counts:
        cap_reserve(month=month, goods_by_merchant=goods)  # then quota rows, by merchant id
    orders = []
    for merchant_id in sorted(by_merchant):
        zone, fee = delivery[merchant_id]
        orders.append(
            Order(
                checkout=checkout,
                buyer=who.user,
                buyer_kind=who.kind,
                merchant=by_merchant[merchant_id][0].merchant,
                placed_at=now,
                month=month,
                counts_toward_cap=counts,
                fulfilment=fulfilment,
                delivery_zone=zone,
                address=destination.address,
                goods_total=goods[merchant_id],
                delivery_fee=fee,
                total=goods[merchant_id] + fee,
            )
        )
    _orders_write(orders, by_merchant, quantities)
    return orders


def _orders_write(orders: list[Order], by_merchant: dict, quantities: dict[int, int]) -> None:
    """One INSERT each for the orders, their lines and their first events, whatever the cart."""
    rows_insert(orders)
    items = {
        order.pk: _items_of(order, by_merchant[order.merchant_id], quantities) for order in orders
    }
    rows_insert([item for lines in items.values() for item in lines])
    events = {
        order.pk: OrderEvent(
            order=order,
            to_status=order.status,
            at=order.placed_at,
            actor=order.buyer,
            actor_kind="buyer",
        )
        for order in orders
    }
    rows_insert(list(events.values()))
    for order in orders:
        # What a prefetch would have read: the caller shows the orders without asking again.
        order._prefetched_objects_cache = {"items": items[order.pk], "events": [events[order.pk]]}


def _items_of(
    order: Order, lines: list[SellableProduct], quantities: dict[int, int]
) -> list[OrderItem]:
    return [
        OrderItem(
            order=order,
            product_id=product.id,
            product_name=product.name,
            unit=product.unit,
            unit_price=product.price,
            quantity=quantities[product.id],
            line_total=product.price * quantities[product.id],
            reserved_stock=not product.is_made_to_order,
        )
        for product in lines
    ]


def _take_stock(products: dict[int, SellableProduct], quantities: dict[int, int]) -> None:
    stocked = {
        product_id: quantity
        for product_id, quantity in quantities.items()
        if not products[product_id].is_made_to_order
    }
    if not stocked:
        return
    taken = stock_take(stocked)
    if len(taken) != len(stocked):
        product_id, available = stock_shortfall(stocked, taken)
        raise InsufficientStock(
            _("Stok %(product)s tinggal %(available)s.")
            % {"product": products[product_id].name, "available": available},
            product_id=product_id,
            available=available,
        )


def _delivery(
    product: SellableProduct, fulfilment: str, destination: _Destination
) -> tuple[str, int]:
    """The zone and fee of the shop selling `product`."""
    merchant = product.merchant
    if fulfilment == Order.Fulfilment.PICKUP:
        if not merchant.offers_pickup:
            raise FulfilmentUnavailable(
                _("%(shop)s tidak melayani ambil di toko.") % {"shop": merchant.name},
                merchant_id=merchant.pk,
            )
        return "", 0
    if not merchant.offers_delivery:
        raise FulfilmentUnavailable(
            _("%(shop)s tidak melayani antar.") % {"shop": merchant.name}, merchant_id=merchant.pk
        )
    zone = rules.delivery_zone(
        buyer_kelurahan_id=destination.kelurahan_id,
        buyer_kecamatan_id=destination.kecamatan_id,
        merchant_kelurahan_id=merchant.kelurahan_id,
        merchant_kecamatan_id=product.merchant_kecamatan_id,
    )
    return zone, merchant.delivery_fee(zone)
