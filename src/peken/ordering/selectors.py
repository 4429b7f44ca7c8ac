from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy

from peken.accounts.models import User
from peken.accounts.permissions import sees_whole_city
from peken.core.errors import NotFound
from peken.ordering.models import Order, OrderEvent, OrderItem


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = gettext_lazy("Pesanan tidak ditemukan.")


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("merchant__kelurahan__kecamatan").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("at", "id")),
    )


def orders_of_buyer(*, buyer: User, status: str | None = None) -> QuerySet[Order]:
    orders = _with_details(Order.objects.filter(buyer=buyer)).order_by("-placed_at", "-id")
    return orders.filter(status=status) if status else orders


def orders_of_merchant_owner(
    *, owner: User, merchant_id: int | None = None, status: str | None = None
) -> QuerySet[Order]:
    """Orders to the shops this person owns: their inbox."""
    orders = _with_details(Order.objects.filter(merchant__owner=owner)).order_by(
        "-placed_at", "-id"
    )
    if merchant_id:
        orders = orders.filter(merchant_id=merchant_id)
    return orders.filter(status=status) if status else orders


def order_for(*, viewer: User, order_id: int) -> Order:
    """An order its buyer or its shop's owner may see (city admins and auditors see all);
    anyone else is told it does not exist."""
    orders = _with_details(Order.objects.filter(pk=order_id))
    if not sees_whole_city(viewer):
        orders = orders.filter(Q(buyer=viewer) | Q(merchant__owner=viewer))
    order = orders.first()
    if order is None:
        raise OrderNotFound()
    return order
