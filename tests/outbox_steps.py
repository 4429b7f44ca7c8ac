"""The outbox in tests: mail and text messages leave only when the worker's job runs."""

from django.core import mail

from peken.accounts import sms
from peken.notifications.outbox import outbox_send


def outbox_sent() -> list:
    """Runs the worker's outbox job, as `peken worker` does every few seconds, and returns the
    mail Django's test backend (locmem) has received so far."""
    outbox_send()
    return mail.outbox


def texts_sent() -> list[tuple[str, str]]:
    """The same for text messages: (phone, text) kept by the SMS MemoryBackend."""
    outbox_send()
    return sms.outbox
