"""A month replayed through the real services: checkout, payment through the simulator gateway's
webhook path, the shops' steps, complaints and refunds, daily payouts, the month close.

The clock is moved with time-machine so every order lands on its simulated day in WIB; listings
come from the real search (an ASN's view: shops at their cap are gone, the fair order when on),
refreshed per kelurahan at each shopping hour."""

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import time_machine

from peken.accounts.models import User
from peken.catalog.fairness import Shopper
from peken.catalog.search import merchant_search
from peken.catalog.selectors import products_visible
from peken.core.errors import DomainError
from peken.core.months import WIB, Month
from peken.merchants.models import Merchant
from peken.obligations.services import month_close
from peken.ordering.models import Order
from peken.ordering.services import checkout_place, order_act, orders_expire
from peken.payments.complaints import complaint_decide, complaint_open
from peken.payments.services import payment_simulate, payment_start, payments_expire
from peken.payouts.services import payouts_run
from peken.quotas.rules import month_key
from peken.regions.models import Kelurahan
from peken.simulation import behaviour
from peken.simulation.behaviour import BuyerPlan, ListedShop
from peken.simulation.databases import nightly_vacuum
from peken.simulation.policy import Policy

LISTING_SIZE = 40
MERCHANT_HOUR = 21
CLOSING_HOUR = 23


@dataclass
class Tally:
    checkouts: int = 0
    cap_refusals: int = 0
    stock_refusals: int = 0
    other_refusals: int = 0
    unpaid: int = 0
    cancelled_by_buyer: int = 0
    rejected_by_shop: int = 0
    complaints_refunded: int = 0
    payout_batches: int = 0
    searches: int = 0
    errors: dict = field(default_factory=lambda: defaultdict(int))


@dataclass
class Town:
    """What the replay keeps in memory: places, shops' goods, who plans what."""

    month: Month
    policy: Policy
    plans: list[BuyerPlan]
    places: dict[int, Kelurahan]
    shop_place: dict[int, int]  # merchant id → kelurahan id
    goods: dict[int, list[list[int]]]  # merchant id → [[product id, price, stock], …]
    items: dict[int, list[int]]  # product id → the same [product id, price, stock] list
    popularity: dict[int, float]
    users: dict[int, User]
    admin: User


def town_load(*, month: Month, policy: Policy, plans: list[BuyerPlan], admin: User, seed: int):
    chooser = random.Random(seed * 7919)
    shops = dict(Merchant.objects.filter(status="verified").values_list("pk", "kelurahan_id"))
    goods = defaultdict(list)
    rows = products_visible()
    for product_id, merchant_id, price, stock, made in rows.values_list(
        "pk", "merchant_id", "price", "stock", "is_made_to_order"
    ).order_by("pk"):
        goods[merchant_id].append([product_id, price, 1_000 if made else stock])
    users = User.objects.in_bulk([plan.user_id for plan in plans])
    return Town(
        month=month,
        policy=policy,
        plans=plans,
        places=Kelurahan.objects.in_bulk(),
        shop_place=shops,
        goods=goods,
        items={item[0]: item for items in goods.values() for item in items},
        popularity={merchant_id: behaviour.popularity(chooser) for merchant_id in sorted(shops)},
        users=users,
        admin=admin,
    )


def month_replay(town: Town, *, seed: int, progress=None) -> Tally:
    chooser = random.Random(seed)
    tally = Tally()
    days = (town.month.next().start() - town.month.start()).days
    due = defaultdict(list)
    for plan in town.plans:
        for slot in plan.checkout_days:
            due[slot].append(plan)
    for day in range(1, days + 1):
        for hour in behaviour.SHOPPING_HOURS:
            with time_machine.travel(_at(town.month, day, hour), tick=False):
                listings: dict[int | None, list[ListedShop]] = {}
                for plan in due.get((day, hour), []):
                    last = plan.checkout_days[-1] == (day, hour)
                    _shop(town, plan, chooser, tally, listings, last=last)
                    if progress:
                        progress(1)
        with time_machine.travel(_at(town.month, day, MERCHANT_HOUR), tick=False):
            _shops_work(town, chooser, tally)
        with time_machine.travel(_at(town.month, day, CLOSING_HOUR, 30), tick=False):
            payments_expire()
            orders_expire()
            if payouts_run(business_date=_at(town.month, day, 0).date()):
                tally.payout_batches += 1
        nightly_vacuum()
    with time_machine.travel(town.month.next().start() + dt.timedelta(hours=1), tick=False):
        month_close(month=town.month, actor="simulation")
    return tally


def _at(month: Month, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, hour, minute, tzinfo=WIB)


def _shop(town: Town, plan: BuyerPlan, chooser, tally: Tally, listings, *, last: bool) -> None:
    """One checkout of one buyer: pick shops from the listing they see, fill a basket, pay."""
    target = behaviour.basket_target(chooser, plan, last=last)
    if target <= 0:
        return
    for _attempt in range(3):
        listing = listings.get(plan.kelurahan_id)
        if listing is None:
            listing = listings[plan.kelurahan_id] = _listing(town, plan, tally)
        shop = behaviour.shop_pick(chooser, listing, fair_ranking=town.policy.fair_ranking)
        if shop is None:
            return
        lines = behaviour.basket(chooser, _goods_as_tuples(town, shop.merchant_id), target)
        if not lines:
            listing.remove(shop)
            continue
        if _checkout(town, plan, lines, chooser, tally):
            return
        listings.pop(plan.kelurahan_id, None)  # a shop filled up: look again


def _goods_as_tuples(town: Town, merchant_id: int):
    return [tuple(item) for item in town.goods.get(merchant_id, [])]


def _listing(town: Town, plan: BuyerPlan, tally: Tally) -> list[ListedShop]:
    home = town.places.get(plan.kelurahan_id) if plan.kelurahan_id else None
    shopper = Shopper(
        kelurahan_id=plan.kelurahan_id,
        kecamatan_id=plan.kecamatan_id,
        lat=home.lat if home else -7.2575,
        lon=home.lon if home else 112.7521,
        month=month_key(town.month),
        fair_ranking=town.policy.fair_ranking,
    )
    options = {"shopper": shopper, "page_size": LISTING_SIZE}
    if not town.policy.fair_ranking and home is not None:
        options.update(sort="nearest", near_kelurahan=home.code)
    tally.searches += 1
    found = merchant_search(**options)
    return [
        ListedShop(row.pk, _km(home, town.places[row.kelurahan_id]), town.popularity[row.pk])
        for row in found.items
    ]


def _km(home: Kelurahan | None, place: Kelurahan) -> float:
    if home is None:
        return 10.0
    lat = math.radians((home.lat + place.lat) / 2)
    dx = (home.lon - place.lon) * 111.32 * math.cos(lat)
    dy = (home.lat - place.lat) * 110.57
    return math.hypot(dx, dy)


def _checkout(town: Town, plan: BuyerPlan, lines, chooser, tally: Tally) -> bool:
    buyer = town.users[plan.user_id]
    try:
        result = checkout_place(
            buyer=buyer,
            lines=lines,
            fulfilment=chooser.choice(("pickup", "delivery")),
            address="Jl. Simulasi No. 1",
        )
    except DomainError as error:
        _refused(tally, error.code)
        return error.code not in ("merchant_cap_reached", "insufficient_stock")
    tally.checkouts += 1
    _take_stock(town, lines)
    payment = payment_start(buyer=buyer, checkout_id=result.checkout.pk, method="qris")
    if chooser.random() >= behaviour.PAY_SHARE:
        tally.unpaid += 1
        return True
    payment_simulate(payment=payment, status="paid")
    plan.spent += sum(order.goods_total for order in result.orders)
    if chooser.random() < behaviour.BUYER_CANCEL_SHARE:
        order = result.orders[0]
        order_act(actor=buyer, order=order, action="cancel")
        plan.spent -= order.goods_total
        tally.cancelled_by_buyer += 1
    return True


def _refused(tally: Tally, code: str) -> None:
    if code == "merchant_cap_reached":
        tally.cap_refusals += 1
    elif code == "insufficient_stock":
        tally.stock_refusals += 1
    else:
        tally.other_refusals += 1
        tally.errors[code] += 1


def _take_stock(town: Town, lines) -> None:
    """What a checkout took, off the town's own copy of each product's stock."""
    for product_id, quantity in lines:
        town.items[product_id][2] -= quantity


def _shops_work(town: Town, chooser, tally: Tally) -> None:
    """In the evening every shop deals with today's paid orders: accept and hand over, or
    (rarely) reject; the buyers confirm receipt; a few complain and an officer refunds part."""
    paid = Order.objects.filter(status="paid").select_related("merchant__owner", "buyer")
    for order in paid.order_by("id"):
        owner = order.merchant.owner
        if chooser.random() < behaviour.MERCHANT_REJECT_SHARE:
            order_act(actor=owner, order=order, action="reject", reason="Stok sedang habis")
            tally.rejected_by_shop += 1
            continue
        middle = "deliver" if order.fulfilment == "delivery" else "ready"
        for action in ("accept", middle):
            order = order_act(actor=owner, order=order, action=action)
        # The goods arrive (or are picked up) and the buyer confirms: the money is the shop's.
        order = order_act(actor=order.buyer, order=order, action="confirm")
        if chooser.random() < behaviour.COMPLAINT_SHARE:
            _complain(town, order, tally)


def _complain(town: Town, order: Order, tally: Tally) -> None:
    complaint = complaint_open(
        buyer=order.buyer, order=order, reason="incomplete", description="Barang kurang satu."
    )
    complaint_decide(
        actor=town.admin,
        complaint=complaint,
        refund_amount=max(1, order.goods_total // 10),
        note="Dikembalikan sebagian (simulasi)",
    )
    tally.complaints_refunded += 1
