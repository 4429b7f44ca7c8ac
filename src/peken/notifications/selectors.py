import datetime as dt

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from peken.accounts.models import User
from peken.core.cache import read, write
from peken.notifications.models import Notification, OutboxMessage

UNREAD_CACHE_SECONDS = 10 * 60


def unread_key(user_id: int) -> str:
    return f"unread:{user_id}"


def unread_count(user: User) -> int:
    """The badge on every page: counted once, then kept until a note arrives or is read
    (notifications.services forgets it then)."""
    key = unread_key(user.pk)
    count = read(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        write(key, count, UNREAD_CACHE_SECONDS)
    return count


def notifications_of(user: User, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)[:limit]


def outbox_backlog(*, now: dt.datetime | None = None) -> tuple[int, float]:
    """(messages waiting to be sent, seconds the oldest of them has waited) for the metrics: a
    growing age means the mail server or the worker is down. Given-up messages are not waiting
    (the back office lists them)."""
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    figures = waiting.aggregate(count=Count("id"), oldest=Min("created_at"))
    if not figures["count"]:
        return 0, 0.0
    age = ((now or timezone.now()) - figures["oldest"]).total_seconds()
    return figures["count"], max(0.0, age)
