"""The outbox: mail and text messages written with the change that causes them, sent by the
worker with retries and backoff, so a slow or dead mail server delays a message, never a page.

Several workers may send at once. Each takes its messages in a short transaction (SELECT … FOR
UPDATE SKIP LOCKED on PostgreSQL, then a conditional update that moves `next_attempt_at` past the
sending time: the claim) and commits before it speaks to any server; no transaction waits on
SMTP (on SQLite an open write transaction would stop every other writer). Delivery is at least
once: a worker killed after the server took a message, before the row says so, leaves it to be
sent again when its claim runs out.
"""

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from peken.accounts.sms import send_sms
from peken.core.audit import audit_record
from peken.notifications.models import OutboxMessage
from peken.notifications.rules import is_given_up, retry_delay_seconds

log = logging.getLogger(__name__)

BATCH = 20
BATCHES_PER_RUN = 10
WAITING = Q(sent_at__isnull=True, failed_at__isnull=True)
# An error that concerns one message (a refused address), not the server: the rest go on.
ONE_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException)


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    is_secret: bool = False,
    expires_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Runs inside the caller's transaction: the message exists if and only if the change does."""
    return OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        subject=subject[:200],
        body=body,
        is_secret=is_secret,
        expires_at=expires_at,
    )


@dataclass
class OutboxRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)

    def __str__(self) -> str:
        return f"terkirim {self.sent}, dicoba lagi nanti {self.retrying}, gagal {self.failed}"


def outbox_send(*, now: dt.datetime | None = None, batch: int = BATCH) -> OutboxRun:
    """Sends the messages that are due (the worker's job); safe side by side with other workers.

    Stops at the first server that cannot be reached: the next run, a few seconds on, tries
    again, and each message waits out its own backoff.
    """
    run = OutboxRun()
    # A long queue is sent over several runs, so the worker's other jobs get their turn.
    for _ in range(BATCHES_PER_RUN):
        clock = now or timezone.now()
        if not _anything_due(clock):
            break  # the usual case every few seconds: one indexed read, no write lock
        _give_up_expired(clock, run)
        messages = _claim(clock, batch)
        if not messages:
            break
        server_reached = _deliver(messages, clock, run)
        if not server_reached or len(messages) < batch:
            break
    return run


def outbox_retry(*, actor, messages) -> int:
    """The back office's "send again now": waiting or given-up messages become due at once.

    A code given up is not revived: it was wiped, and its owner asks for a new one.
    """
    now = timezone.now()
    retried = 0
    with transaction.atomic():
        for message in messages:
            if message.sent_at is not None or (message.is_secret and message.failed_at):
                continue
            OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
                next_attempt_at=now, failed_at=None
            )
            audit_record(actor=actor, action="outbox.retry", target=message)
            retried += 1
    return retried


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Forgets messages sent or given up long ago: they hold people's addresses and orders."""
    before = (now or timezone.now()) - dt.timedelta(days=settings.PEKEN_OUTBOX_KEEP_DAYS)
    deleted, _ = OutboxMessage.objects.filter(
        Q(sent_at__lt=before) | Q(failed_at__lt=before)
    ).delete()
    return deleted


def _anything_due(now: dt.datetime) -> bool:
    return (
        OutboxMessage.objects.filter(WAITING)
        .filter(Q(next_attempt_at__lte=now) | Q(expires_at__lte=now))
        .exists()
    )


def _give_up_expired(now: dt.datetime, run: OutboxRun) -> None:
    expired = OutboxMessage.objects.filter(WAITING, expires_at__lte=now)
    # A code's words are the code: gone with the chance to use it.
    expired.filter(is_secret=True).update(body="")
    run.failed += expired.update(failed_at=now, last_error="Kedaluwarsa sebelum terkirim.")


def _claim(now: dt.datetime, batch: int) -> list[OutboxMessage]:
    # Long enough to send a whole batch, each step waiting at most EMAIL_TIMEOUT; a worker that
    # dies while sending leaves its messages to the next one after this.
    claim_until = now + dt.timedelta(seconds=settings.EMAIL_TIMEOUT * (batch + 3) + 60)
    claimed = []
    with transaction.atomic():
        due = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(WAITING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:batch]
        )
        for message in due:
            # Under the row lock on PostgreSQL the condition holds; without row locks (SQLite)
            # it is what makes the claim one worker's.
            taken = OutboxMessage.objects.filter(
                WAITING, pk=message.pk, next_attempt_at__lte=now
            ).update(next_attempt_at=claim_until, attempts=F("attempts") + 1)
            if taken:
                message.attempts += 1
                claimed.append(message)
    return claimed


def _deliver(messages: list[OutboxMessage], now: dt.datetime, run: OutboxRun) -> bool:
    """Sends the claimed messages; False when the mail server could not be reached."""
    emails = []
    for message in messages:
        if message.channel == OutboxMessage.Channel.EMAIL:
            emails.append(message)
            continue
        try:
            send_sms(message.recipient, message.body)
        except Exception as error:  # a provider's gateway may raise anything
            _record_failure(message, error, now, run)
        else:
            _record_sent(message, run)
    return _deliver_emails(emails, now, run) if emails else True


def _deliver_emails(emails: list[OutboxMessage], now: dt.datetime, run: OutboxRun) -> bool:
    # The SMTP backend waits at most EMAIL_TIMEOUT on each step: a server that accepts the
    # connection and never answers costs one timeout, not a hung worker.
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:  # refused, timed out, TLS or login failed
        for message in emails:
            _record_failure(message, error, now, run)
        return False
    try:
        for position, message in enumerate(emails):
            mail = EmailMessage(message.subject, message.body, None, [message.recipient])
            try:
                connection.send_messages([mail])
            except ONE_MESSAGE_ERRORS as error:
                _record_failure(message, error, now, run)
            except OSError as error:  # the connection broke or timed out: this and the rest wait
                for unsent in emails[position:]:
                    _record_failure(unsent, error, now, run)
                return False
            except Exception as error:  # an address that is no address: this one only
                _record_failure(message, error, now, run)
            else:
                _record_sent(message, run)
    finally:
        try:
            connection.close()
        except Exception:  # a server gone quiet while we said goodbye: nothing is lost
            log.debug("closing the mail connection failed", exc_info=True)
    return True


def _record_sent(message: OutboxMessage, run: OutboxRun) -> None:
    changes = {"sent_at": timezone.now(), "last_error": ""}
    if message.is_secret:
        changes["body"] = ""
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)
    run.sent += 1


def _record_failure(
    message: OutboxMessage, error: Exception, now: dt.datetime, run: OutboxRun
) -> None:
    reason = f"{type(error).__name__}: {error}"[:500]
    log.warning(
        "outbox message %s (%s) failed on try %s: %s",
        message.pk,
        message.channel,
        message.attempts,
        reason,
    )
    if is_given_up(message.attempts, settings.PEKEN_OUTBOX_MAX_ATTEMPTS):
        changes = {"failed_at": now, "last_error": reason}
        if message.is_secret:
            changes["body"] = ""
        run.failed += 1
    else:
        delay = dt.timedelta(seconds=retry_delay_seconds(message.attempts))
        changes = {"next_attempt_at": now + delay, "last_error": reason}
        run.retrying += 1
    OutboxMessage.objects.filter(pk=message.pk).update(**changes)
