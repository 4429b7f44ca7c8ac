"""Issue 17, newcomer's gap 5: a shop could complete its own delivery (or pickup) order and so
make the money its own without the buyer. Now the buyer confirms receipt, or the worker
completes an order nobody confirmed PEKEN_ORDER_AUTO_COMPLETE_HOURS after it was sent out."""

import datetime as dt
import importlib
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

import factories
from payment_steps import charge, pay, two_shop_checkout
from peken.core.errors import DomainError
from peken.ledger.models import LedgerEntry
from peken.ledger.selectors import ledger_is_balanced, merchant_balance
from peken.notifications.models import Notification
from peken.ordering.completion import orders_complete_unconfirmed
from peken.ordering.models import Order, OrderEvent
from peken.ordering.services import order_act
from peken.payments.complaints import complaint_decide, complaint_open

HOURS = 72  # the default of PEKEN_ORDER_AUTO_COMPLETE_HOURS


def sent_out(fulfilment="delivery"):
    """A paid order of two_shop_checkout's first shop that the shop has sent out (or readied)."""
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    order = Order.objects.get(pk=orders[0].pk)
    if fulfilment == "pickup":
        Order.objects.filter(pk=order.pk).update(fulfilment="pickup")
        order.refresh_from_db()
    owner = order.merchant.owner
    order = order_act(actor=owner, order=order, action="accept")
    middle = "deliver" if fulfilment == "delivery" else "ready"
    return order_act(actor=owner, order=order, action=middle)


def held_for_the_shop(order) -> bool:
    """The money is still held by the platform, not owed to the shop."""
    return (
        merchant_balance(order.merchant_id) == 0
        and not LedgerEntry.objects.filter(kind="completion", order=order).exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("fulfilment", ["delivery", "pickup"])
def test_the_shop_cannot_complete_its_own_order(api, fulfilment):
    order = sent_out(fulfilment)
    response = api(order.merchant.owner).post(f"/merchant/orders/{order.pk}/complete")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "completion_needs_buyer"
    assert "Toko tidak dapat menyelesaikannya sendiri" in body["message"]
    order.refresh_from_db()
    assert order.status in ("delivering", "ready_for_pickup") and order.completed_at is None
    assert held_for_the_shop(order)


@pytest.mark.django_db
def test_the_buyer_confirms_and_only_then_the_money_is_the_shops(api):
    order = sent_out()
    shown = api(order.buyer).get(f"/orders/{order.pk}").json()
    due = order.fulfilled_at + dt.timedelta(hours=HOURS)
    # JSON keeps milliseconds.
    assert abs(dt.datetime.fromisoformat(shown["auto_complete_at"]) - due) < dt.timedelta(
        milliseconds=1
    )
    confirmed = api(order.buyer).post(f"/orders/{order.pk}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "completed"
    assert confirmed.json()["auto_complete_at"] is None
    assert merchant_balance(order.merchant_id) == order.total
    assert ledger_is_balanced()


@pytest.mark.django_db
def test_confirming_before_the_goods_left_the_shop_is_refused_clearly(api):
    checkout, orders = two_shop_checkout()
    pay(charge(checkout))
    order = order_act(actor=orders[0].merchant.owner, order=orders[0], action="accept")
    response = api(order.buyer).post(f"/orders/{order.pk}/confirm")
    assert response.status_code == 409
    assert response.json()["code"] == "order_status_conflict"
    assert "belum diantar" in response.json()["message"]


@pytest.mark.django_db
def test_the_worker_completes_an_order_nobody_confirmed_after_72_hours_once():
    order = sent_out()
    sent = order.fulfilled_at
    assert orders_complete_unconfirmed(now=sent + dt.timedelta(hours=HOURS - 1)) == 0
    assert held_for_the_shop(order)
    assert orders_complete_unconfirmed(now=sent + dt.timedelta(hours=HOURS, minutes=1)) == 1
    order.refresh_from_db()
    assert order.status == "completed"
    last = order.events.order_by("id").last()
    assert (last.from_status, last.actor_kind) == ("delivering", "system")
    assert "72 jam" in last.note
    assert merchant_balance(order.merchant_id) == order.total
    assert LedgerEntry.objects.filter(kind="completion", order=order).count() == 1
    told = Notification.objects.get(user=order.buyer, kind="order_completed")
    assert "otomatis" in told.text and "komplain" in told.text
    assert Notification.objects.filter(user=order.merchant.owner, kind="order_completed").exists()
    # A second run (or a second worker) finds nothing left to do.
    assert orders_complete_unconfirmed(now=sent + dt.timedelta(hours=HOURS * 2)) == 0
    assert LedgerEntry.objects.filter(kind="completion", order=order).count() == 1
    assert ledger_is_balanced()


@pytest.mark.django_db
def test_the_deadline_is_a_setting_and_covers_pickup_too(settings):
    settings.PEKEN_ORDER_AUTO_COMPLETE_HOURS = 2
    order = sent_out("pickup")
    assert order.status == "ready_for_pickup"
    later = order.fulfilled_at + dt.timedelta(hours=2, minutes=1)
    assert orders_complete_unconfirmed(now=later) == 1
    assert Order.objects.get(pk=order.pk).status == "completed"


@pytest.mark.django_db
def test_a_complaint_in_progress_keeps_the_money_held_until_it_is_decided():
    order = sent_out()
    complaint = complaint_open(
        buyer=order.buyer, order=order, reason="not_received", description="Belum sampai juga."
    )
    late = order.fulfilled_at + dt.timedelta(hours=HOURS + 1)
    assert orders_complete_unconfirmed(now=late) == 0
    assert held_for_the_shop(order)
    complaint_decide(
        actor=factories.person_with("city_admin"),
        complaint=complaint,
        refund_amount=0,
        note="Toko menunjukkan bukti antar.",
    )
    assert orders_complete_unconfirmed(now=late) == 1
    assert merchant_balance(order.merchant_id) == order.total


@pytest.mark.django_db
def test_the_worker_runs_the_job():
    order = sent_out()
    Order.objects.filter(pk=order.pk).update(
        fulfilled_at=order.fulfilled_at - dt.timedelta(hours=HOURS + 1)
    )
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "orders_complete_unconfirmed: 1" in out.getvalue()
    assert Order.objects.get(pk=order.pk).status == "completed"


@pytest.mark.django_db
def test_orders_already_on_their_way_get_their_clock_from_the_timeline():
    order = sent_out()
    stepped = OrderEvent.objects.get(order=order, to_status="delivering").at
    Order.objects.filter(pk=order.pk).update(fulfilled_at=None)
    migration = importlib.import_module("peken.ordering.migrations.0004_order_fulfilled_at")
    migration.fulfilled_at_from_the_timeline(apps, None)
    assert Order.objects.get(pk=order.pk).fulfilled_at == stepped


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shops_page_waits_for_the_buyer_and_an_old_complete_button_is_refused(client):
    order = sent_out()
    client.force_login(order.merchant.owner)
    page_url = reverse("web:merchant-order", args=[order.pk])
    page = client.get(page_url).content.decode()
    assert 'value="complete"' not in page and "Tandai selesai" not in page
    assert "Menunggu pembeli menyatakan pesanan sudah diterima" in page
    inbox = client.get(reverse("web:merchant-orders")).content.decode()
    assert 'value="complete"' not in inbox and "menunggu pembeli" in inbox
    # A page loaded before the change still has the button: pressing it is told, not done.
    refused = client.post(
        reverse("web:merchant-order-step", args=[order.pk]),
        {"step": "complete", "kembali": "detail"},
        headers={"Referer": f"http://testserver{page_url}"},
        follow=True,
    )
    assert 'data-code="completion_needs_buyer"' in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == "delivering"


@pytest.mark.django_db
def test_the_buyers_page_offers_the_confirmation_and_says_when_it_happens_anyway(client):
    order = sent_out()
    client.force_login(order.buyer)
    page = client.get(reverse("web:order", args=[order.pk])).content.decode()
    assert "Pesanan sudah saya terima" in page
    assert "selesai otomatis" in page
    client.post(reverse("web:order-confirm", args=[order.pk]))
    assert Order.objects.get(pk=order.pk).status == "completed"


# --- concurrency ------------------------------------------------------------------------------


def test_workers_and_buyers_at_the_same_moment_complete_each_order_once(live_db):
    orders = [sent_out() for _ in range(4)]
    late = max(order.fulfilled_at for order in orders) + dt.timedelta(hours=HOURS + 1)

    def worker():
        return orders_complete_unconfirmed(now=late)

    def buyer_confirms(order):
        def confirm():
            try:
                order_act(actor=order.buyer, order=order, action="confirm")
                return 1
            except DomainError:
                return 0  # the worker was first

        return confirm

    def run(job):
        try:
            return job()
        finally:
            connection.close()

    jobs = [worker, worker, worker] + [buyer_confirms(order) for order in orders]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        completions = sum(pool.map(run, jobs))
    assert completions == len(orders)
    for order in orders:
        assert Order.objects.get(pk=order.pk).status == "completed"
        assert OrderEvent.objects.filter(order=order, to_status="completed").count() == 1
        assert LedgerEntry.objects.filter(kind="completion", order=order).count() == 1
        assert merchant_balance(order.merchant_id) == order.total
    assert ledger_is_balanced()


def test_ordering_names_the_complaint_states_that_hold_an_order_as_the_model_does():
    from peken.ordering.rules import COMPLAINT_IN_PROGRESS
    from peken.payments.models import Complaint

    assert COMPLAINT_IN_PROGRESS == (Complaint.Status.OPEN, Complaint.Status.ANSWERED)
