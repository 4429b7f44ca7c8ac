"""One policy's month on the database this process is configured with (an empty one)."""

import time

from peken.catalog.models import Product
from peken.core.months import Month
from peken.simulation import checks
from peken.simulation.city import buyer_plans, city_build
from peken.simulation.policy import Policy
from peken.simulation.replay import month_replay, town_load


def simulation_run(
    *,
    asn: int,
    merchants: int,
    products: int,
    month: Month,
    seed: int,
    policy: Policy,
    progress_factory=None,
) -> dict:
    """Builds the city, replays the month, checks it. The summary's keys are the documented
    ones (see `peken simulate --help`)."""
    admin = city_build(asn=asn, merchants=merchants, products=products, seed=seed, policy=policy)
    plans = buyer_plans(month=month, seed=seed)
    town = town_load(month=month, policy=policy, plans=plans, admin=admin, seed=seed)
    initial_stock = dict(Product.objects.filter(is_made_to_order=False).values_list("pk", "stock"))
    planned = sum(len(plan.checkout_days) for plan in plans)
    progress = progress_factory(planned, policy.label) if progress_factory else None
    started = time.perf_counter()
    tally = month_replay(town, seed=seed, progress=progress.update if progress else None)
    elapsed = time.perf_counter() - started
    if progress:
        progress.close()
    figures = checks.figures(month)
    return {
        "policy": policy.label,
        **figures,
        "cap_refusals": tally.cap_refusals,
        "elapsed_s": round(elapsed, 1),
        "orders_per_s": round(figures["orders"] / elapsed, 1) if elapsed else 0.0,
        "invariants": checks.invariants(month, initial_stock),
        "details": {
            "asn": asn,
            "merchants": merchants,
            "products": products,
            "month": str(month),
            "seed": seed,
            "checkouts": tally.checkouts,
            "planned_checkouts": planned,
            "stock_refusals": tally.stock_refusals,
            "other_refusals": dict(tally.errors),
            "unpaid": tally.unpaid,
            "cancelled_by_buyer": tally.cancelled_by_buyer,
            "rejected_by_shop": tally.rejected_by_shop,
            "complaints_refunded": tally.complaints_refunded,
            "payout_batches": tally.payout_batches,
            "searches": tally.searches,
        },
    }
