"""The background work Peken does on its own, run by `peken worker`.

No extra service: the worker is one more process against the same database, and several may run
at once on PostgreSQL — every job is safe to run twice or side by side (each order is changed
under its own row lock, and a step already taken is skipped).
"""

from collections.abc import Callable
from dataclasses import dataclass

from peken.core.maintenance import planner_statistics_refresh
from peken.notifications.outbox import outbox_purge, outbox_send
from peken.ordering.completion import orders_complete_unconfirmed
from peken.ordering.services import orders_expire
from peken.payments.refunds import refunds_send
from peken.payments.services import payments_expire
from peken.payouts.services import payouts_daily


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every_seconds: int


JOBS = (
    Job("orders_expire", orders_expire, every_seconds=60),
    # The deadline is counted in hours: a few minutes late is no one's loss.
    Job("orders_complete_unconfirmed", orders_complete_unconfirmed, every_seconds=300),
    Job("payments_expire", payments_expire, every_seconds=60),
    Job("refunds_send", refunds_send, every_seconds=60),
    # Once per WIB day (a second run the same day does nothing): money reaches the bank file
    # within 24 hours of an order's completion.
    Job("payouts_daily", payouts_daily, every_seconds=3600),
    Job("planner_statistics_refresh", planner_statistics_refresh, every_seconds=6 * 3600),
    # Someone may be waiting for a password code: a few seconds, whatever the worker's --tick
    # (it sleeps no longer than until the next job is due). Nothing due costs one indexed query.
    Job("outbox_send", outbox_send, every_seconds=5),
    Job("outbox_purge", outbox_purge, every_seconds=24 * 3600),
)
