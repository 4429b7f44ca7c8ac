"""Telling people what happened: a line in the app and, when they have an address, an e-mail
through Django's mail settings. Sent after the change commits, never for a change rolled back."""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from peken.accounts.models import User
from peken.core.cache import forget
from peken.notifications.models import Notification
from peken.notifications.selectors import unread_key

log = logging.getLogger(__name__)


def notify(*, user: User, kind: str, text: str, url: str = "") -> None:
    """Runs inside the caller's transaction: the note lands with the change; mail after commit."""
    Notification.objects.create(user=user, kind=kind, text=text[:300], url=url[:200])
    forget(unread_key(user.pk))
    if user.email:
        transaction.on_commit(lambda: _mail(user.email, Notification.Kind(kind).label, text, url))


def _mail(address: str, subject: str, text: str, url: str) -> None:
    try:
        send_mail(f"Peken: {subject}", f"{text}\n\n{url}".strip(), None, [address])
    except OSError:
        log.warning("mail to %s failed", address, exc_info=True)  # the in-app note stands


def notifications_read(*, user: User) -> int:
    read = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget(unread_key(user.pk))
    return read
