"""People hear of their orders: the buyer when a charge is due and at each step, the shop when
an order is paid or cancelled."""

import pytest

from payment_steps import charge, complete, pay, two_shop_checkout
from peken.notifications.models import Notification
from peken.ordering.services import order_transition

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("kind", flat=True)
    )


def test_buyer_and_shop_are_told_of_each_step(api):
    checkout, orders = two_shop_checkout()
    buyer, shop_owner = checkout.buyer, orders[0].merchant.owner
    payment = charge(checkout)
    assert kinds(buyer) == ["order_placed"]
    assert payment.reference in Notification.objects.get(user=buyer).url
    pay(payment)
    assert kinds(shop_owner) == ["order_paid"]
    complete(orders[0])
    assert kinds(buyer) == [
        "order_placed",
        "order_paid",
        "order_paid",
        "order_accepted",
        "order_delivering",
    ]
    assert kinds(shop_owner) == ["order_paid", "order_completed"]
    order_transition(
        order=orders[1], action="reject", actor=None, actor_kind="system", reason="Stok habis"
    )
    cancelled = Notification.objects.get(user=buyer, kind="order_cancelled")
    assert "Stok habis" in cancelled.text and cancelled.url == f"/pesanan/{orders[1].pk}/"


def test_the_notifications_page_lists_them_and_marks_them_read(client):
    checkout, _ = two_shop_checkout()
    charge(checkout)
    client.force_login(checkout.buyer)
    assert 'data-testid="unread"' in client.get("/").content.decode()
    page = client.get("/notifikasi/").content.decode()
    assert "sebelum batas waktu" in page
    assert 'data-testid="unread"' not in client.get("/").content.decode()
