"""The outbox (issue 14): mail is written with the change that causes it and sent by the worker, so
a dead or hung mail server delays the mail, never a page, and the mail goes out once the server
is back. Against a real SMTP server (aiosmtpd) through Django's SMTP backend."""

import datetime as dt
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

import factories
from mail_server import MailServer, free_port
from outbox_steps import outbox_sent
from payment_steps import charge, pay, two_shop_checkout
from peken.accounts.models import Role
from peken.core.models import AuditEntry
from peken.notifications.models import Notification, OutboxMessage
from peken.notifications.outbox import BATCHES_PER_RUN, outbox_purge, outbox_send
from peken.notifications.rules import retry_delay_seconds
from peken.notifications.selectors import outbox_backlog
from peken.notifications.services import notify

ACCEPTED = Notification.Kind.ORDER_ACCEPTED


@pytest.fixture
def mail_server(settings):
    """Django's SMTP backend pointed at a port of our own; the test decides who answers there."""
    server = MailServer(free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.stop()


def person_with_mail(address="siti@example.org"):
    person = factories.user(None, Role.WARGA)
    person.email = address
    person.save()
    return person


def tell(person, words="Pesanan #%(id)s selesai."):
    notify(user=person, kind=ACCEPTED, text=words, params={"id": 7}, url="/pesanan/7/")


def paid_order_of_a_buyer_with_mail():
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    buyer = checkout.buyer
    buyer.email = "buyer@example.org"
    buyer.save()
    return orders[0]


# (a) the page does not wait for the mail server


@pytest.mark.parametrize("server_state", ["hung", "closed"])
def test_a_shop_accepting_an_order_does_not_wait_for_a_dead_mail_server(
    live_db, api, mail_server, settings, server_state
):
    """Real commits (live_db): mail sent after commit inside the request would be timed here."""
    settings.EMAIL_TIMEOUT = 5
    mail_server.hang() if server_state == "hung" else mail_server.stop()
    order = paid_order_of_a_buyer_with_mail()
    started = time.monotonic()
    response = api(order.merchant.owner).post(f"/merchant/orders/{order.pk}/accept")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < settings.EMAIL_TIMEOUT / 2, f"the page took {elapsed:.2f} s"
    message = OutboxMessage.objects.get(recipient="buyer@example.org", subject__contains="diterima")
    assert message.is_waiting and message.attempts == 0 and f"#{order.pk}" in message.body


# (b) the worker meets a dead server: an attempt recorded, the next one later


@pytest.mark.django_db
def test_the_worker_meets_a_hung_server_records_the_try_and_waits_its_backoff(mail_server):
    mail_server.hang()
    tell(person_with_mail())
    started = time.monotonic()
    run = outbox_send()
    elapsed = time.monotonic() - started
    # One timeout for the connection, not one per step or a hang.
    assert elapsed < 1 + 2, f"the worker waited {elapsed:.2f} s"
    assert (run.sent, run.retrying, run.failed) == (0, 1, 0)
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and message.sent_at is None and message.failed_at is None
    assert "timed out" in message.last_error.lower()
    wait = (message.next_attempt_at - timezone.now()).total_seconds()
    assert retry_delay_seconds(1) - 5 < wait <= retry_delay_seconds(1)
    assert not outbox_send()  # not due yet: nothing tried
    assert OutboxMessage.objects.get().attempts == 1


@pytest.mark.django_db
def test_the_worker_meets_a_closed_port_and_backs_off_exponentially(mail_server):
    mail_server.stop()
    tell(person_with_mail())
    now = timezone.now()
    waits = []
    for _ in range(3):
        outbox_send(now=now)
        message = OutboxMessage.objects.get()
        waits.append((message.next_attempt_at - now).total_seconds())
        now = message.next_attempt_at
    assert waits == [30, 60, 120]
    assert message.attempts == 3 and "refused" in message.last_error.lower()


# (c) the server comes back: the mail goes out, once


@pytest.mark.django_db
def test_mail_held_while_the_server_is_down_is_sent_when_it_comes_back(mail_server):
    mail_server.hang()
    tell(person_with_mail("siti@example.org"))
    outbox_send()
    assert mail_server.received == []
    mail_server.answer()
    assert not outbox_send(), "the backoff is kept even when the server is back"
    run = outbox_send(now=timezone.now() + dt.timedelta(seconds=retry_delay_seconds(1)))
    assert run.sent == 1
    [received] = mail_server.received
    assert received["to"] == ["siti@example.org"]
    assert received["subject"] == "Peken: Pesanan diterima toko"
    assert received["body"].startswith("Pesanan #7 selesai.") and "/pesanan/7/" in received["body"]
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None and message.last_error == "" and message.attempts == 2
    outbox_send(now=timezone.now() + dt.timedelta(days=1))
    assert len(mail_server.received) == 1  # sent is sent
    assert outbox_backlog() == (0, 0.0)


@pytest.mark.django_db
def test_a_message_the_server_refuses_does_not_hold_back_the_others(mail_server):
    mail_server.answer()
    tell(person_with_mail("siti@example.org"))
    tell(person_with_mail("hilang@ditolak.example"))
    tell(person_with_mail("budi@example.org"))
    run = outbox_send()
    assert (run.sent, run.retrying) == (2, 1)
    assert sorted(mail["to"][0] for mail in mail_server.received) == [
        "budi@example.org",
        "siti@example.org",
    ]
    refused = OutboxMessage.objects.get(recipient="hilang@ditolak.example")
    assert refused.is_waiting and "no such mailbox" in refused.last_error


@pytest.mark.django_db
def test_after_the_last_try_a_message_is_failed_and_the_city_admin_sends_it_again(
    mail_server, settings, client, city_admin, auditor
):
    settings.PEKEN_OUTBOX_MAX_ATTEMPTS = 2
    mail_server.stop()
    tell(person_with_mail())
    now = timezone.now()
    outbox_send(now=now)
    run = outbox_send(now=now + dt.timedelta(seconds=retry_delay_seconds(1)))
    assert run.failed == 1
    message = OutboxMessage.objects.get()
    assert message.failed_at is not None and message.attempts == 2
    assert outbox_backlog() == (0, 0.0)  # given up is not waiting; the back office shows it
    assert not outbox_send(now=now + dt.timedelta(days=1))

    listing = "/kelola/notifications/outboxmessage/"
    client.force_login(auditor)
    page = client.get(listing, {"status": "failed"})
    assert page.status_code == 200 and "siti@example.org" in page.content.decode()
    assert "retry_now" not in page.content.decode()  # auditors read
    refused = client.post(listing, {"action": "retry_now", "_selected_action": [message.pk]})
    assert OutboxMessage.objects.get().failed_at is not None, refused.status_code

    client.force_login(city_admin)
    page = client.get(listing, {"status": "failed"})
    assert "retry_now" in page.content.decode() and "Connection" in page.content.decode()
    client.post(listing, {"action": "retry_now", "_selected_action": [message.pk]})
    message.refresh_from_db()
    assert message.failed_at is None and message.next_attempt_at <= timezone.now()
    assert AuditEntry.objects.filter(action="outbox.retry", actor=city_admin).count() == 1
    mail_server.answer()
    assert outbox_send().sent == 1 and len(mail_server.received) == 1


# (d) a change rolled back writes no mail


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_no_message():
    person = person_with_mail()
    with pytest.raises(RuntimeError), transaction.atomic():
        tell(person)
        raise RuntimeError("the change fails after the note was written")
    assert not OutboxMessage.objects.exists() and not Notification.objects.exists()
    assert outbox_sent() == []


@pytest.mark.django_db
def test_no_address_no_mail_but_the_note_stands():
    person = factories.user(None, Role.WARGA)
    tell(person)
    assert Notification.objects.filter(user=person).exists()
    assert not OutboxMessage.objects.exists()


# (e) several workers side by side send each message once


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(mail_server):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED): SQLite runs one worker")
    mail_server.answer()
    people = [person_with_mail(f"warga{number}@example.org") for number in range(40)]
    for person in people:
        tell(person)
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            return outbox_send(batch=5).sent
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(lambda _: worker(), range(2)))
    assert sum(sent) == 40
    assert all(count > 0 for count in sent), f"one worker did everything: {sent}"
    addresses = [mail["to"][0] for mail in mail_server.received]
    assert sorted(addresses) == sorted(person.email for person in people)
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


# Password codes: the person waits, and the page still does not wait on the mail server


@pytest.mark.django_db(transaction=True)
def test_a_password_code_page_does_not_wait_for_a_hung_server_and_the_code_follows(
    client, mail_server, settings
):
    settings.EMAIL_TIMEOUT = 5
    mail_server.hang()
    person_with_mail("siti@example.org")
    started = time.monotonic()
    page = client.post("/sandi/kode/", {"identifier": "siti@example.org"})
    assert page.status_code == 302 and time.monotonic() - started < settings.EMAIL_TIMEOUT / 2
    settings.EMAIL_TIMEOUT = 1
    outbox_send()
    mail_server.answer()
    outbox_send(now=timezone.now() + dt.timedelta(seconds=retry_delay_seconds(1)))
    [received] = mail_server.received
    assert "Kode Peken Anda" in received["body"]
    message = OutboxMessage.objects.get()
    assert message.is_secret and message.sent_at and message.body == ""  # the code is gone


@pytest.mark.django_db
def test_a_code_not_sent_before_it_expires_never_is(settings, client, city_admin):
    person_with_mail("siti@example.org")
    client.post("/sandi/kode/", {"identifier": "siti@example.org"})
    message = OutboxMessage.objects.get()
    client.force_login(city_admin)
    shown = client.get(f"/kelola/notifications/outboxmessage/{message.pk}/change/")
    assert shown.status_code == 200 and "Kode Peken Anda" not in shown.content.decode()
    later = message.expires_at + dt.timedelta(seconds=1)
    assert outbox_send(now=later).failed == 1
    assert outbox_sent() == []
    message.refresh_from_db()
    assert message.failed_at and message.body == "" and "Kedaluwarsa" in message.last_error


# The worker, the metrics and the clean-up


@pytest.mark.django_db
def test_the_worker_command_sends_the_outbox():
    tell(person_with_mail())
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "outbox_send: terkirim 1" in out.getvalue()
    assert OutboxMessage.objects.get().sent_at is not None


@pytest.mark.django_db
def test_the_backlog_counts_waiting_messages_and_the_age_of_the_oldest(mail_server):
    mail_server.stop()
    assert outbox_backlog() == (0, 0.0)
    person = person_with_mail()
    tell(person)
    OutboxMessage.objects.update(created_at=timezone.now() - dt.timedelta(minutes=10))
    tell(person)
    outbox_send()  # refused: still waiting
    count, age = outbox_backlog()
    assert count == 2 and 600 <= age < 660


@pytest.mark.django_db
def test_old_messages_are_forgotten_waiting_ones_kept(settings):
    tell(person_with_mail())
    tell(person_with_mail("budi@example.org"))
    outbox_sent()
    tell(person_with_mail("wati@example.org"))
    later = timezone.now() + dt.timedelta(days=settings.PEKEN_OUTBOX_KEEP_DAYS, hours=1)
    assert outbox_purge(now=later) == 2
    assert OutboxMessage.objects.get().recipient == "wati@example.org"


@pytest.mark.django_db
def test_a_long_queue_goes_out_over_several_runs_oldest_first():
    people = [person_with_mail(f"warga{number}@example.org") for number in range(25)]
    for person in people:
        tell(person)
    first = outbox_send(batch=2)
    assert first.sent == 2 * BATCHES_PER_RUN
    assert [mail.to[0] for mail in outbox_sent()] == [person.email for person in people]
