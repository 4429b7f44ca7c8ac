import datetime as dt
import io

import pytest
from django.core.management import call_command

import factories
from peken.ordering.models import Order
from peken.ordering.services import checkout_place

pytestmark = pytest.mark.django_db


def test_the_worker_expires_overdue_orders_once_through(monkeypatch):
    shop = factories.merchant()
    product = factories.product(shop, stock=3)
    order = checkout_place(
        buyer=factories.asn(), lines=[(product.pk, 1)], fulfilment="pickup"
    ).orders[0]
    Order.objects.filter(pk=order.pk).update(placed_at=order.placed_at - dt.timedelta(hours=2))
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "orders_expire: 1" in out.getvalue()
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    again = io.StringIO()
    call_command("expire_orders", stdout=again)
    assert "0 pesanan" in again.getvalue()
