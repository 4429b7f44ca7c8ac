from django.db.models import QuerySet

from peken.accounts.models import User
from peken.core.cache import read, write
from peken.notifications.models import Notification

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
