"""Telling people what happened: a line in the app and, when they have an address, an e-mail
through Django's mail settings. Sent after the change commits, never for a change rolled back."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from peken.accounts.models import User
from peken.core.cache import forget
from peken.notifications.models import Notification, render_message
from peken.notifications.selectors import unread_key

log = logging.getLogger(__name__)


def notify(*, user: User, kind: str, text: str, params: dict | None = None, url: str = "") -> None:
    """Runs inside the caller's transaction: the note lands with the change; mail after commit.

    `text` is a catalogue message in Bahasa Indonesia (marked with gettext_noop) with
    `%(name)s` placeholders filled from `params`: each reader sees it in their own language.
    """
    params = params or {}
    # Whoever caused the note may be reading in English; the stored words and the mail are in
    # the house language, the page shows the reader's.
    with translation.override(settings.LANGUAGE_CODE):
        written = render_message(text, params)[:300]
        subject = str(Notification.Kind(kind).label)
    Notification.objects.create(
        user=user,
        kind=kind,
        text=written,
        # Longer than a catalogue message ever is: words already written out, kept as they are.
        message=text if len(text) <= 300 else "",
        params=params,
        url=url[:200],
    )
    forget(unread_key(user.pk))
    if user.email:
        transaction.on_commit(lambda: _mail(user.email, subject, written, url))


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
