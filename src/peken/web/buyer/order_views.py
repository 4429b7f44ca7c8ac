"""A buyer's orders: the list, one order with its timeline, and the buyer's steps on it —
cancel before the shop accepts, confirm receipt, complain, rate the shop."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peken.core.cache import orders_of
from peken.ordering.contact import order_contact_url
from peken.ordering.models import Order, ShopReview
from peken.ordering.reviews import review_submit
from peken.ordering.rules import TRANSITIONS
from peken.ordering.selectors import OrderNotFound, orders_of_buyer
from peken.ordering.services import order_act
from peken.payments.complaints import COMPLAINT_WINDOW, NOT_ARRIVED_STATUSES, complaint_open
from peken.payments.models import Complaint, Payment
from peken.web.buyer.access import buyer_required
from peken.web.buyer.checkout_views import whole_number
from peken.web.pages import domain_errors
from peken.web.shared_pages import shared_page

ORDERS_PER_PAGE = 20
# Whoever took a step, as the buyer reads it in the timeline.
ACTOR_LABELS = {
    "buyer": gettext_lazy("Anda"),
    "merchant": gettext_lazy("Toko"),
    "system": gettext_lazy("Sistem"),
    "admin": gettext_lazy("Admin kota"),
}


@never_cache
@buyer_required
def orders_page(request):
    # Drawn again after any step of one of the buyer's orders (the orders_of family), and at
    # the latest a few seconds later.
    buyer = request.user
    return shared_page(
        request, (buyer.pk,), lambda: _orders_drawn(request), family=orders_of(buyer.pk)
    )


def _orders_drawn(request):
    status = request.GET.get("status") or None
    if status not in Order.Status.values:
        status = None
    orders = orders_of_buyer(buyer=request.user, status=status)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status or "", "statuses": Order.Status.choices}
    return render(request, "web/buyer/orders.html", context)


def own_order(user, order_id: int) -> Order:
    """One of the buyer's own orders; anyone else's does not exist here (404). A shop owner
    sees orders to their shop on their own pages."""
    order = orders_of_buyer(buyer=user).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


@never_cache
@buyer_required
@domain_errors
def order_page(request, order_id: int):
    order = own_order(request.user, order_id)
    complaints = list(order.complaints.select_related("refund").order_by("-opened_at", "-id"))
    review = ShopReview.objects.filter(order=order).first()
    context = {
        "order": order,
        "payment": Payment.objects.filter(checkout_id=order.checkout_id).first(),
        "timeline": [
            (event, Order.Status(event.to_status).label, ACTOR_LABELS.get(event.actor_kind, ""))
            for event in order.events.all()
        ],
        "can_cancel": order.status in TRANSITIONS["cancel"][0],
        "can_confirm": order.status in TRANSITIONS["confirm"][0],
        "complaints": complaints,
        "complaint_reasons": complaint_reasons(order, complaints),
        "review": review,
        "can_review": review is None and order.status == Order.Status.COMPLETED,
        "methods": Payment.Method.choices,
        "contact_url": order_contact_url(order=order, viewer=request.user),
    }
    return render(request, "web/buyer/order.html", context)


def complaint_reasons(order: Order, complaints: list[Complaint]) -> list[tuple[str, str]]:
    """The reasons the buyer may complain with now (complaint_open decides again): any within
    the window after completion; "not received" for a paid order that has not arrived; none
    once the order has a complaint, in progress or decided (one per order)."""
    if complaints:
        return []
    if order.status == Order.Status.COMPLETED:
        if order.completed_at and timezone.now() - order.completed_at <= COMPLAINT_WINDOW:
            return list(Complaint.Reason.choices)
        return []
    if order.status in NOT_ARRIVED_STATUSES:
        return [(Complaint.Reason.NOT_RECEIVED, Complaint.Reason.NOT_RECEIVED.label)]
    return []


@require_POST
@buyer_required
@domain_errors
def order_cancel(request, order_id: int):
    order = order_act(actor=request.user, order=own_order(request.user, order_id), action="cancel")
    messages.success(request, _("Pesanan dibatalkan."))
    return redirect("web:order", order_id=order.pk)


@require_POST
@buyer_required
@domain_errors
def order_confirm(request, order_id: int):
    order = own_order(request.user, order_id)
    order_act(actor=request.user, order=order, action="confirm")
    messages.success(request, _("Terima kasih, pesanan selesai."))
    return redirect("web:order", order_id=order.pk)


@require_POST
@buyer_required
@domain_errors
def order_complaint(request, order_id: int):
    order = own_order(request.user, order_id)
    complaint_open(
        buyer=request.user,
        order=order,
        reason=request.POST.get("reason", ""),
        description=request.POST.get("description", ""),
    )
    messages.success(request, _("Komplain terkirim. Toko akan menjawab, lalu petugas memutuskan."))
    return redirect("web:order", order_id=order.pk)


@require_POST
@buyer_required
@domain_errors
def order_review(request, order_id: int):
    order = own_order(request.user, order_id)
    review_submit(
        buyer=request.user,
        order=order,
        rating=whole_number(request.POST.get("rating")) or 0,
        comment=request.POST.get("comment", ""),
    )
    messages.success(request, _("Terima kasih atas ulasannya."))
    return redirect("web:order", order_id=order.pk)
