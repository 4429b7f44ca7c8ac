"""Ordering's services, by verb: placing a cart (ordering.checkout), an order's steps
(ordering.lifecycle), what they refuse (ordering.errors), the lock order (ordering.locks).
Callers import from here or from those modules alike."""

from peken.ordering.checkout import Buyer, CheckoutResult, buyer_of, checkout_place
from peken.ordering.errors import (
    CompletionNeedsBuyer,
    FulfilmentUnavailable,
    IdempotencyKeyReused,
    InsufficientStock,
    NotABuyer,
    OrderStatusConflict,
    ProductUnavailable,
)
from peken.ordering.lifecycle import (
    TIMESTAMP_OF_STATUS,
    Step,
    order_act,
    order_paid_late,
    order_step,
    order_transition,
    orders_expire,
)

__all__ = [
    "TIMESTAMP_OF_STATUS",
    "Buyer",
    "CheckoutResult",
    "CompletionNeedsBuyer",
    "FulfilmentUnavailable",
    "IdempotencyKeyReused",
    "InsufficientStock",
    "NotABuyer",
    "OrderStatusConflict",
    "ProductUnavailable",
    "Step",
    "buyer_of",
    "checkout_place",
    "order_act",
    "order_paid_late",
    "order_step",
    "order_transition",
    "orders_expire",
]
