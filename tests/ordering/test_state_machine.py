"""Issue 18: the order state machine on its own, without a database: every status, every action,
both fulfilments, against the life an order is meant to have."""

import itertools

import pytest

from peken.ordering.rules import STATUS_LABELS, TRANSITIONS, OrderRuleError, next_status

STATUSES = tuple(STATUS_LABELS)
FULFILMENTS = ("delivery", "pickup")
# (status, action) → the next status, for either fulfilment unless the third item names one.
ALLOWED = {
    ("awaiting_payment", "pay"): "paid",
    ("awaiting_payment", "cancel"): "cancelled",
    ("awaiting_payment", "expire_payment"): "cancelled",
    ("paid", "accept"): "accepted",
    ("paid", "cancel"): "cancelled",
    ("paid", "reject"): "cancelled",
    ("paid", "expire_acceptance"): "cancelled",
    ("accepted", "reject"): "cancelled",
    ("accepted", "deliver", "delivery"): "delivering",
    ("accepted", "ready", "pickup"): "ready_for_pickup",
    ("delivering", "confirm"): "completed",
    ("delivering", "auto_complete"): "completed",
    ("ready_for_pickup", "confirm"): "completed",
    ("ready_for_pickup", "auto_complete"): "completed",
}


def expected(status: str, action: str, fulfilment: str) -> str | None:
    return ALLOWED.get((status, action, fulfilment), ALLOWED.get((status, action)))


@pytest.mark.parametrize(
    ("status", "action", "fulfilment"),
    list(itertools.product(STATUSES, TRANSITIONS, FULFILMENTS)),
)
def test_each_step_from_each_status(status, action, fulfilment):
    target = expected(status, action, fulfilment)
    if target is None:
        with pytest.raises(OrderRuleError):
            next_status(status=status, action=action, fulfilment=fulfilment)
    else:
        assert next_status(status=status, action=action, fulfilment=fulfilment) == target


def test_completed_and_cancelled_are_the_end():
    for status, action, fulfilment in itertools.product(
        ("completed", "cancelled"), TRANSITIONS, FULFILMENTS
    ):
        with pytest.raises(OrderRuleError):
            next_status(status=status, action=action, fulfilment=fulfilment)


def test_money_becomes_the_shops_only_after_the_goods_went_out():
    # No path reaches "completed" without passing delivering or ready_for_pickup.
    for fulfilment in FULFILMENTS:
        reached, frontier = {"awaiting_payment": ()}, ["awaiting_payment"]
        while frontier:
            status = frontier.pop()
            for action in TRANSITIONS:
                target = expected(status, action, fulfilment)
                if target and target not in reached:
                    reached[target] = (*reached[status], status)
                    frontier.append(target)
        assert set(reached) == set(STATUSES) - {
            "delivering" if fulfilment == "pickup" else "ready_for_pickup"
        }
        assert {"delivering", "ready_for_pickup"} & set(reached["completed"])
