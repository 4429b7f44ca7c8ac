"""A generated month of shopping, made through the real services: carts over several shops and
categories, payments through the gateway simulator and by the system, orders cancelled after
payment, partial and full complaint refunds (one followed by a cancellation), a shop filled to its
cap, verified shops nobody buys from, and orders just outside the month on both sides."""

import datetime as dt
import random
from dataclasses import dataclass, field

import time_machine

import factories
from payment_steps import charge, complete, pay
from peken.accounts.models import Role
from peken.core.errors import DomainError
from peken.core.months import WIB, Month
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_transition
from peken.payments.complaints import complaint_decide, complaint_open
from peken.quotas.models import MerchantCap

MONTH = Month(2026, 3)
CITY_REGISTERED = dt.datetime(2026, 1, 15, 9, 0, tzinfo=WIB)  # before the months reported on
SHOP_AREAS = ["35.78.05.1003", "35.78.05.1001", "35.78.01.1001", "35.78.10.1001", "35.78.09.1001"]
BUYER_AREAS = [*SHOP_AREAS, "35.78.26.1001"]
CATEGORIES = ["sembako", "makanan-minuman", "kuliner", "sayur-buah", "kebutuhan-rumah", "fashion"]
KINDS = [("toko_kelontong", ""), ("umkm", "kuliner"), ("umkm", "fashion"), ("umkm", "kerajinan")]
GOLONGAN = ["II/a", "II/c", "III/a", "III/b", "III/d", "IV/a", "IV/b"]
CAPPED_PRICE, CAPPED_CAP = 50_000, 300_000


@dataclass
class City:
    shops: list = field(default_factory=list)
    products: dict = field(default_factory=dict)  # shop id → its products
    capped: object = None
    idle: list = field(default_factory=list)
    asn: list = field(default_factory=list)
    warga: list = field(default_factory=list)
    admin: object = None


def city_build(*, shops: int = 10, asn: int = 24, warga: int = 6) -> City:
    city = City(admin=factories.user(None, Role.CITY_ADMIN))
    opds = [
        factories.opd("DINKES", "Dinas Kesehatan"),
        factories.opd("DISKOMINFO", "Dinas Komunikasi dan Informatika"),
        factories.opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", "badan"),
    ]
    for number in range(shops):
        kind, line = KINDS[number % len(KINDS)]
        shop = factories.merchant(
            SHOP_AREAS[number % len(SHOP_AREAS)],
            kind=kind,
            line=line,
            name=f"Toko Bulan {number + 1}",
            is_mbr=number % 3 == 0,
        )
        city.shops.append(shop)
        city.products[shop.pk] = [
            factories.product(
                shop,
                name=f"Barang {number}-{index}",
                price=5_000 + 2_500 * ((number * 7 + index * 3) % 40),
                stock=100_000,
                category_slug=CATEGORIES[(number + index) % len(CATEGORIES)],
            )
            for index in range(3)
        ]
    city.capped = factories.merchant(SHOP_AREAS[0], name="Toko Penuh", is_mbr=True)
    MerchantCap.objects.create(merchant=city.capped, cap=CAPPED_CAP)
    city.products[city.capped.pk] = [
        factories.product(city.capped, name="Paket Sembako", price=CAPPED_PRICE, stock=1_000)
    ]
    for number in range(3):  # verified, stocked, never bought from: the shops to help
        shop = factories.merchant(SHOP_AREAS[number + 2], name=f"Toko Sepi {number + 1}")
        factories.product(shop, name="Barang sepi", price=10_000, stock=10)
        city.idle.append(shop)
    factories.merchant(SHOP_AREAS[1], status="submitted", name="Toko Belum Verifikasi")
    for number in range(asn):
        area = BUYER_AREAS[number % len(BUYER_AREAS)] if number != asn - 1 else None
        city.asn.append(
            factories.asn(
                area, golongan=GOLONGAN[number % len(GOLONGAN)], opd=opds[number % len(opds)]
            )
        )
    city.warga = [factories.warga(BUYER_AREAS[number % 3]).user for number in range(warga)]
    return city


def moment(day: int, hour: int, minute: int = 0, month: Month = MONTH) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, minute, tzinfo=WIB)


def shop_at(when: dt.datetime, buyer, lines, *, fulfilment: str = "pickup") -> list[Order]:
    """Places a cart at `when`; [] when the services refuse it (the capped shop, say)."""
    with time_machine.travel(when, tick=False):
        try:
            result = checkout_place(
                buyer=buyer,
                lines=lines,
                fulfilment=fulfilment,
                address="Jl. Uji Coba No. 7" if fulfilment == "delivery" else "",
            )
        except DomainError:
            return []
    return result.orders


def pay_at(when: dt.datetime, orders: list[Order], *, through_gateway: bool) -> list[Order]:
    with time_machine.travel(when, tick=False):
        if through_gateway:
            pay(charge(orders[0].checkout))
        else:
            for order in orders:
                order_transition(order=order, action="pay", actor=None, actor_kind="system")
    return [Order.objects.get(pk=order.pk) for order in orders]


def refund_at(when: dt.datetime, city: City, order: Order, amount: int, reason: str) -> Order:
    with time_machine.travel(when, tick=False):
        complaint = complaint_open(
            buyer=order.buyer, order=order, reason=reason, description="Barang tidak sesuai."
        )
        complaint_decide(
            actor=city.admin, complaint=complaint, refund_amount=amount, note="Dikembalikan."
        )
    return Order.objects.get(pk=order.pk)


def step_at(when: dt.datetime, order: Order, action: str, actor_kind: str = "merchant") -> Order:
    with time_machine.travel(when, tick=False):
        return order_transition(
            order=order, action=action, actor=None, actor_kind=actor_kind, reason="Stok habis"
        )


def complete_at(when: dt.datetime, order: Order) -> Order:
    with time_machine.travel(when, tick=False):
        return complete(order)


def month_generate(city: City, *, checkouts: int = 125, seed: int = 7) -> None:
    """About 200 orders in MONTH, a few the month before and one the month after."""
    rng = random.Random(seed)
    _fill_the_capped_shop(city)
    for number in range(checkouts):
        when = moment(rng.randint(1, 31), rng.randint(6, 22), rng.randint(0, 59))
        one_checkout(city, rng, when, number)
    _refund_with_delivery(city)
    february = Month(2026, 2)
    for number in range(12):
        when = moment(rng.randint(1, 28), 10, month=february)
        one_checkout(city, rng, when, number, outcomes=False)
    # On the edges of the month in WIB (16.30 and 17.30 UTC on 31 March).
    last = shop_at(moment(31, 23, 30), city.asn[0], [(city.products[city.shops[1].pk][0].pk, 1)])
    pay_at(moment(31, 23, 40), last, through_gateway=False)
    april = Month(2026, 4)
    first = shop_at(
        moment(1, 0, 30, month=april), city.asn[0], [(city.products[city.shops[1].pk][1].pk, 1)]
    )
    pay_at(moment(1, 0, 40, month=april), first, through_gateway=False)


def _fill_the_capped_shop(city: City) -> None:
    product = city.products[city.capped.pk][0]
    for number in range(CAPPED_CAP // CAPPED_PRICE):
        orders = shop_at(moment(2 + number, 9), city.asn[number], [(product.pk, 1)])
        for order in pay_at(moment(2 + number, 9, 5), orders, through_gateway=True):
            complete_at(moment(2 + number, 15), order)


def _refund_with_delivery(city: City) -> None:
    """A delivered order refunded in full: the delivery fee comes back too, never turnover."""
    product = city.products[city.shops[2].pk][0]
    orders = shop_at(moment(20, 11), city.warga[0], [(product.pk, 2)], fulfilment="delivery")
    (order,) = pay_at(moment(20, 11, 5), orders, through_gateway=True)
    order = complete_at(moment(20, 16), order)
    refund_at(moment(21, 8), city, order, order.goods_total + order.delivery_fee, "wrong_item")


def one_checkout(city, rng, when, number, *, outcomes: bool = True) -> None:
    buyer = rng.choice(city.asn + city.warga) if number % 5 else rng.choice(city.warga)
    shops = rng.sample(city.shops + [city.capped], rng.choice([1, 1, 2, 3]))
    lines = [
        (product.pk, rng.randint(1, 4))
        for shop in shops
        for product in _some(rng, city.products[shop.pk])
    ]
    fulfilment = "delivery" if number % 4 == 0 else "pickup"
    orders = shop_at(when, buyer, lines, fulfilment=fulfilment)
    if not orders:
        return
    fate = rng.random()
    if fate < 0.08:
        return  # never paid
    if fate < 0.13:
        step_at(when + dt.timedelta(minutes=5), orders[0], "cancel", "buyer")
        return
    later = when + dt.timedelta(minutes=10)
    paid = pay_at(later, orders, through_gateway=number % 3 == 0)
    if outcomes:
        for order in paid:
            _after_payment(city, rng, later, order)


def _some(rng, products: list) -> list:
    return rng.sample(products, min(len(products), rng.randint(1, 2)))


def _after_payment(city, rng, when, order) -> None:
    fate = rng.random()
    if fate < 0.08:
        step_at(when, order, "reject")
    elif fate < 0.12:
        # Paid, not arrived: part refunded on a complaint, then the shop rejects it after all.
        order = step_at(when, order, "accept")
        order = refund_at(when, city, order, rng.randint(1, order.goods_total), "not_received")
        step_at(when, order, "reject")
    elif fate < 0.30:
        order = complete_at(when, order)
        left = order.goods_total + order.delivery_fee
        amount = left if fate < 0.15 else rng.randint(1, max(1, left // 2))
        refund_at(when, city, order, amount, "damaged")  # one complaint per order
    elif fate < 0.75:
        complete_at(when, order)
    elif fate < 0.85:
        step_at(when, order, "accept")
