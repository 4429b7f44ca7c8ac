"""Placing a cart and moving orders through their life.

Placement is all-or-nothing: stock and cap are reserved for every order of the cart, or for none.
Locks are always taken in one order — product rows by id, then quota rows by merchant id, one
statement for each kind whatever the cart (ordering.placement, quotas.services) — and checks
happen in the same statement as the write (conditional UPDATE), so hundreds of concurrent
checkouts can neither oversell the last item nor push a shop past its cap.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from peken.accounts.models import User
from peken.accounts.permissions import is_city_admin
from peken.catalog.models import Product
from peken.core.cache import generation_bump, orders_of
from peken.core.errors import Conflict, InvalidInput, PermissionDenied
from peken.core.months import Month
from peken.notifications.order_events import notify_order_step
from peken.ordering import rules
from peken.ordering.models import Checkout, Order, OrderEvent, OrderItem
from peken.ordering.placement import (
    SellableProduct,
    asn_area,
    products_sellable,
    rows_insert,
    stock_shortfall,
    stock_take,
    warga_area,
)
from peken.payments.order_money import money_on_step
from peken.policy.selectors import policy_current
from peken.quotas.rules import month_key
from peken.quotas.services import quota_release, quotas_reserve
from peken.regions.models import Kelurahan


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = gettext_lazy("Stok barang tidak cukup.")


class ProductUnavailable(InvalidInput):
    code = "product_unavailable"
    default_message = gettext_lazy("Barang ini tidak dijual lagi.")


class FulfilmentUnavailable(InvalidInput):
    code = "fulfilment_unavailable"
    default_message = gettext_lazy("Toko ini tidak melayani cara pengambilan tersebut.")


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"
    default_message = gettext_lazy(
        "Idempotency-Key ini sudah dipakai untuk isi keranjang yang lain."
    )


class OrderStatusConflict(Conflict):
    code = "order_status_conflict"
    default_message = gettext_lazy("Status pesanan sudah berubah.")


class CompletionNeedsBuyer(Conflict):
    code = "completion_needs_buyer"
    default_message = gettext_lazy(
        "Pesanan selesai bila pembeli menyatakan sudah menerimanya, atau otomatis bila pembeli "
        "tidak menanggapi dalam batas waktu. Toko tidak dapat menyelesaikannya sendiri."
    )


class NotABuyer(PermissionDenied):
    code = "not_a_buyer"
    default_message = gettext_lazy("Hanya ASN dan warga terdaftar yang dapat berbelanja.")


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
    request_hash: str = "",
) -> CheckoutResult:
    """One order per merchant of the cart, with stock and cap reserved for all or for none.

    The same idempotency key with the same body returns the first result again.
    """
    who = buyer_of(buyer)
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
    _take_stock(products, quantities)  # product rows first, by id
    if counts:
        quotas_reserve(month=month, goods_by_merchant=goods)  # then quota rows, by merchant id
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
    fees = {
        "same_kelurahan": merchant.delivery_fee_same_kelurahan,
        "same_kecamatan": merchant.delivery_fee_same_kecamatan,
        "city": merchant.delivery_fee_city,
    }
    return zone, fees[zone]


# --- the life of an order ---------------------------------------------------------------------

TIMESTAMP_OF_STATUS = {
    "paid": "paid_at",
    "accepted": "accepted_at",
    "delivering": "fulfilled_at",
    "ready_for_pickup": "fulfilled_at",
    "completed": "completed_at",
    "cancelled": "cancelled_at",
}


def order_transition(
    *, order: Order, action: str, actor: User | None, actor_kind: str, reason: str = ""
) -> Order:
    """Moves one order a step (callers check who may). Leaving for `cancelled` gives back the
    stock and the cap it held, in the same transaction."""
    reason = " ".join((reason or "").split())[:300]
    if action in rules.ACTIONS_NEEDING_REASON and len(reason) < 5:
        raise InvalidInput(
            _("Tuliskan alasannya (paling sedikit 5 huruf) untuk pembeli."), field="reason"
        )
    now = timezone.now()
    with transaction.atomic():
        # The shop, its owner and the buyer come with the row: each step tells them.
        locked = (
            Order.objects.select_for_update(of=("self",))
            .select_related("merchant__owner", "buyer")
            .get(pk=order.pk)
        )
        try:
            target = rules.next_status(
                status=locked.status, action=action, fulfilment=locked.fulfilment
            )
        except rules.OrderRuleError as error:
            raise OrderStatusConflict(str(error), status=locked.status) from error
        changed = ["status", "updated_at"]
        if target == Order.Status.CANCELLED:
            _release(locked)
            locked.cancel_reason = reason
            changed.append("cancel_reason")
        previous = locked.status
        locked.status = target
        if target in TIMESTAMP_OF_STATUS:
            setattr(locked, TIMESTAMP_OF_STATUS[target], now)
            changed.append(TIMESTAMP_OF_STATUS[target])
        locked.save(update_fields=changed)
        generation_bump(orders_of(locked.buyer_id))
        money_on_step(order=locked, previous=previous, target=target, actor=actor)
        notify_order_step(order=locked, target=target, action=action)
        OrderEvent.objects.create(
            order=locked,
            from_status=previous,
            to_status=target,
            at=now,
            actor=actor,
            actor_kind=actor_kind,
            note=reason,
        )
    return locked


def _release(order: Order) -> None:
    """Stock back to each product (by id, as placement locks them), then the cap."""
    for item in order.items.filter(reserved_stock=True).order_by("product_id"):
        Product.objects.filter(pk=item.product_id).update(stock=F("stock") + item.quantity)
    # A complaint refund already gave back its goods part of the cap.
    held_of_cap = order.goods_total - order.refunded_goods
    if order.counts_toward_cap and held_of_cap > 0:
        quota_release(merchant_id=order.merchant_id, month=order.month, amount=held_of_cap)


def order_act(*, actor: User, order: Order, action: str, reason: str = "") -> Order:
    """A person takes a step on an order: its buyer, its shop's owner, or a city admin."""
    if action == "complete" and order.merchant.owner_id == actor.pk:
        raise CompletionNeedsBuyer()  # the shop's own step until issue 17: an old app says why
    if action in rules.BUYER_ACTIONS and order.buyer_id == actor.pk:
        kind = "buyer"
    elif action in rules.MERCHANT_ACTIONS and order.merchant.owner_id == actor.pk:
        kind = "merchant"
    elif action in rules.ADMIN_ACTIONS and is_city_admin(actor):
        kind = "admin"
    else:
        raise PermissionDenied(_("Anda tidak dapat melakukan ini pada pesanan tersebut."))
    return order_transition(order=order, action=action, actor=actor, actor_kind=kind, reason=reason)


def orders_expire(*, now: dt.datetime | None = None) -> int:
    """Cancels orders unpaid past the payment window and paid orders no shop accepted in time.

    Run by the background worker; safe to run twice (a step already taken is skipped).
    """
    now = now or timezone.now()
    policy = policy_current()
    overdue = [
        (
            "expire_payment",
            Order.Status.AWAITING_PAYMENT,
            "placed_at",
            policy.payment_timeout_minutes * 60,
        ),
        ("expire_acceptance", Order.Status.PAID, "paid_at", policy.acceptance_timeout_hours * 3600),
    ]
    expired = 0
    for action, status, since, seconds in overdue:
        deadline = now - dt.timedelta(seconds=seconds)
        for order in Order.objects.filter(status=status, **{f"{since}__lt": deadline}).order_by(
            "id"
        ):
            try:
                order_transition(
                    order=order,
                    action=action,
                    actor=None,
                    actor_kind="system",
                    # Catalogue messages: the order pages show them in the reader's language.
                    reason=gettext_noop("Batas waktu pembayaran habis")
                    if action == "expire_payment"
                    else gettext_noop("Toko tidak menerima pesanan tepat waktu"),
                )
                expired += 1
            except OrderStatusConflict:
                continue  # paid or accepted in the meantime
    return expired
