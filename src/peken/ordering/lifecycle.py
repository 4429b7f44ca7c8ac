"""Moving an order through its life, one step at a time.

A step locks the order's row (ordering.locks), checks the move against the state machine
(ordering.rules), writes the row and its timeline, and returns a `Step`: a plain value saying
what changed. What a step sets off elsewhere — money, roll-ups, notifications — is not known
here: the handler table named by settings.PEKEN_ORDER_STEP_HANDLERS (peken.order_steps) runs in
the step's own transaction, so it lands with the step or not at all.
"""

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from peken.accounts.models import User
from peken.accounts.permissions import is_city_admin
from peken.core.cache import generation_bump, orders_of
from peken.core.errors import InvalidInput, PermissionDenied
from peken.core.statements import rows_insert
from peken.ordering import rules
from peken.ordering.errors import CompletionNeedsBuyer, OrderStatusConflict
from peken.ordering.locks import order_lock, stock_and_cap_release
from peken.ordering.models import Order, OrderEvent
from peken.policy.selectors import policy_current

TIMESTAMP_OF_STATUS = {
    "paid": "paid_at",
    "accepted": "accepted_at",
    "delivering": "fulfilled_at",
    "ready_for_pickup": "fulfilled_at",
    "completed": "completed_at",
    "cancelled": "cancelled_at",
}
# The event of a payment that arrived for an order already cancelled: no status changes, but
# the money came in and goes straight back.
PAID_LATE = "paid_late"


@dataclass(frozen=True)
class Step:
    """What one step changed. `order` is the locked row as it is now; `event` is the handler
    table's key (the new status, or PAID_LATE); `reference` the payment's, when a gateway paid."""

    order: Order
    previous: str
    target: str
    action: str
    actor: User | None
    actor_kind: str
    at: dt.datetime
    reference: str = ""
    event: str = ""

    def __post_init__(self) -> None:
        if not self.event:
            object.__setattr__(self, "event", self.target)


Handler = Callable[[Step], None]


def order_step(
    *,
    order: Order,
    action: str,
    actor: User | None,
    actor_kind: str,
    reason: str = "",
    reference: str = "",
    locked: bool = False,
) -> Step:
    """Moves one order a step (callers check who may). Leaving for `cancelled` gives back the
    stock and the cap it held. `locked`: the caller holds the row lock and `order` was read
    under it (ordering.locks.orders_lock), with its shop, owner and buyer."""
    reason = " ".join((reason or "").split())[:300]
    if action in rules.ACTIONS_NEEDING_REASON and len(reason) < 5:
        raise InvalidInput(
            _("Tuliskan alasannya (paling sedikit 5 huruf) untuk pembeli."), field="reason"
        )
    refused = None
    # No savepoint of its own: a refusal is raised after the block, which then wrote nothing;
    # any other error undoes the caller's whole transaction, as it must.
    with transaction.atomic(savepoint=False):
        row = order if locked else order_lock(order.pk)
        try:
            target = rules.next_status(status=row.status, action=action, fulfilment=row.fulfilment)
        except rules.OrderRuleError as error:
            refused = error
        else:
            step = _take(row, target, action, actor, actor_kind, reason, reference)
    if refused is not None:
        raise OrderStatusConflict(str(refused), status=row.status) from refused
    return step


def order_transition(
    *, order: Order, action: str, actor: User | None, actor_kind: str, reason: str = ""
) -> Order:
    """`order_step`, for callers that want the order as it is after the step."""
    return order_step(
        order=order, action=action, actor=actor, actor_kind=actor_kind, reason=reason
    ).order


def order_paid_late(*, order: Order, reference: str) -> Step:
    """A payment arrived for an order our clock already cancelled (`order` locked by the
    caller): its money came in and goes straight back (the handlers write both)."""
    step = Step(
        order=order,
        previous=order.status,
        target=order.status,
        action="pay",
        actor=None,
        actor_kind="system",
        at=timezone.now(),
        reference=reference,
        event=PAID_LATE,
    )
    _handle(step)
    return step


def _take(row, target, action, actor, actor_kind, reason, reference) -> Step:
    now = timezone.now()
    previous = row.status
    changed = {"status": target, "updated_at": now}
    if target == Order.Status.CANCELLED:
        stock_and_cap_release(row)
        changed["cancel_reason"] = reason
    if target in TIMESTAMP_OF_STATUS:
        changed[TIMESTAMP_OF_STATUS[target]] = now
    for name, value in changed.items():
        setattr(row, name, value)
    _order_write(row.pk, changed)
    rows_insert(
        [
            OrderEvent(
                order=row,
                from_status=previous,
                to_status=target,
                at=now,
                actor=actor,
                actor_kind=actor_kind,
                note=reason,
            )
        ]
    )
    generation_bump(orders_of(row.buyer_id))
    step = Step(row, previous, target, action, actor, actor_kind, now, reference)
    _handle(step)
    return step


def _order_write(pk: int, changed: dict) -> None:
    """One UPDATE of the step's columns, without the ORM rebuilding it each time."""
    fields = [Order._meta.get_field(name) for name in changed]
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself: fields ask it for adapters
    values = [field.get_db_prep_save(changed[field.name], database) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(tuple(field.column for field in fields)), [*values, pk])


@functools.cache
def _update_sql(columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    return f"UPDATE {quote(Order._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"


def _handle(step: Step) -> None:
    for handler in _table(settings.PEKEN_ORDER_STEP_HANDLERS).get(step.event, ()):
        handler(step)


@functools.cache
def _table(path: str) -> dict[str, tuple[Handler, ...]]:
    return import_string(path)


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
