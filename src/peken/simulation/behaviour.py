"""How simulated people behave. Pure: no Django; every choice from the run's seeded Random.

Buyers shop on paydays and in the month-end rush, mostly near home, and follow what they see
first in a listing; some shops are famous and draw more. Merchants act within a day."""

import math
import random
from dataclasses import dataclass

# Share of a month's checkouts on each kind of day: payday (the 1st–3rd), the mid-month
# allowance (14th–16th), the month-end rush (the last 4 days), any other day.
DAY_WEIGHTS = {"payday": 6.0, "mid_month": 3.0, "month_end": 6.0, "other": 1.0}
SHOPPING_HOURS = (8, 12, 16, 20)
BASKET_TARGET = 150_000  # rupiah a checkout aims at, before the buyer's own spread
COMPLIER_SHARE = 0.88  # the rest spend less than they owe
POSITION_BIAS = 0.9  # how strongly the n-th shop in a listing loses to the first
POPULARITY_SPREAD = 1.1  # sigma of log-popularity: a few shops are famous
PAY_SHARE = 0.97  # the rest let the charge expire
BUYER_CANCEL_SHARE = 0.02
MERCHANT_REJECT_SHARE = 0.01
COMPLAINT_SHARE = 0.01


def day_kind(day: int, days_in_month: int) -> str:
    if day <= 3:
        return "payday"
    if 14 <= day <= 16:
        return "mid_month"
    if day > days_in_month - 4:
        return "month_end"
    return "other"


@dataclass
class BuyerPlan:
    user_id: int
    kelurahan_id: int | None
    kecamatan_id: int | None
    required: int
    budget: int
    checkout_days: list[tuple[int, int]]  # (day, hour) of each planned checkout
    complies: bool = True  # means to meet the obligation (and tops up on the last checkout)
    spent: int = 0


def plan_buyer(
    chooser: random.Random, *, user_id, kelurahan_id, kecamatan_id, required, days_in_month
) -> BuyerPlan:
    """What one ASN means to spend this month and when."""
    complies = chooser.random() < COMPLIER_SHARE
    factor = chooser.uniform(1.0, 1.3) if complies else chooser.uniform(0.2, 0.9)
    budget = int(required * factor)
    count = max(1, round(budget / (BASKET_TARGET * chooser.uniform(0.7, 1.4))))
    days = list(range(1, days_in_month + 1))
    weights = [DAY_WEIGHTS[day_kind(day, days_in_month)] for day in days]
    slots = sorted(
        (chooser.choices(days, weights)[0], chooser.choice(SHOPPING_HOURS)) for _ in range(count)
    )
    return BuyerPlan(user_id, kelurahan_id, kecamatan_id, required, budget, slots, complies)


def basket_target(chooser: random.Random, plan: BuyerPlan, *, last: bool) -> int:
    """What one checkout aims at: a usual basket, within what is left of the budget. On their
    last planned checkout, those who mean to comply make up whatever they still owe (the
    month-end rush of people checking their progress bar)."""
    usual = min(plan.budget - plan.spent, int(BASKET_TARGET * chooser.uniform(0.6, 1.6)))
    if last and plan.complies:
        return max(usual, plan.required - plan.spent, 0)
    return max(usual, 0)


def popularity(chooser: random.Random) -> float:
    return math.exp(chooser.gauss(0.0, POPULARITY_SPREAD))


@dataclass(frozen=True)
class ListedShop:
    merchant_id: int
    distance_km: float
    popularity: float


def shop_pick(chooser: random.Random, listing: list[ListedShop], *, fair_ranking: bool):
    """The shop a buyer opens. With fair ranking the city's order is what they see; without it,
    the famous shops come first. Either way nearer and higher-listed shops are likelier."""
    if not listing:
        return None
    shown = listing if fair_ranking else sorted(listing, key=lambda s: -s.popularity)
    weights = [
        (POSITION_BIAS**rank) * math.sqrt(shop.popularity) / (1.0 + shop.distance_km / 3.0)
        for rank, shop in enumerate(shown)
    ]
    return chooser.choices(shown, weights)[0]


def basket(chooser: random.Random, products: list[tuple[int, int, int]], target: int):
    """(product_id, quantity) lines from a shop's (id, price, stock) goods, near `target`."""
    goods = [item for item in products if item[2] > 0 and item[1] <= target * 2]
    if not goods:
        return []
    most = 3 if target <= 2 * BASKET_TARGET else 6  # a big top-up takes more kinds of goods
    chosen = chooser.sample(goods, min(len(goods), chooser.randint(1, most)))
    lines, total = [], 0
    for product_id, price, stock in chosen:
        quantity = max(1, min(stock, 10, (target - total) // max(price, 1) or 1))
        lines.append((product_id, quantity))
        total += price * quantity
        if total >= target:
            break
    return lines
