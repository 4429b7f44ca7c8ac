"""Telling people what happened: a line in the app and, when they have an address, an e-mail
through the outbox (written with the change, sent by the worker: never for a change rolled back,
and never making the page wait on the mail server)."""

from django.conf import settings
from django.utils import timezone, translation

from peken.accounts.models import User
from peken.core.cache import forget
from peken.notifications.models import Notification, OutboxMessage, render_message
from peken.notifications.outbox import outbox_enqueue
from peken.notifications.selectors import unread_key


def notify(*, user: User, kind: str, text: str, params: dict | None = None, url: str = "") -> None:
    """Runs inside the caller's transaction: the note and its mail land with the change.

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
        outbox_enqueue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=user.email,
            subject=f"Peken: {subject}",
            body=f"{written}\n\n{url}".strip(),
        )


def notifications_read(*, user: User) -> int:
    read = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget(unread_key(user.pk))
    return read
