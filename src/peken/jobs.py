"""The background work Peken does on its own, run by `peken worker`.

No extra service: the worker is one more process against the same database, and several may run
at once on PostgreSQL — every job is safe to run twice or side by side (each order is changed
under its own row lock, and a step already taken is skipped).
"""

from collections.abc import Callable
from dataclasses import dataclass

from peken.core.maintenance import planner_statistics_refresh
from peken.ordering.services import orders_expire


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every_seconds: int


JOBS = (
    Job("orders_expire", orders_expire, every_seconds=60),
    Job("planner_statistics_refresh", planner_statistics_refresh, every_seconds=6 * 3600),
)
