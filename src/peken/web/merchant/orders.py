"""The order inbox: paid orders arrive without a reload (the list polls every 10 s), and each
order is accepted, rejected, delivered or readied through ordering.services.order_act as the
API's /merchant/orders does; its buyer completes it (or time does, ordering.completion). One
order's page adds its timeline, any complaint, and a WhatsApp link to the buyer."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peken.ordering.contact import order_contact_open, order_contact_url
from peken.ordering.models import Order
from peken.ordering.selectors import OrderNotFound, orders_of_merchant_owner
from peken.ordering.services import order_act
from peken.payments.complaints import complaint_answer
from peken.payments.selectors import complaint_for, complaints_for
from peken.web.merchant.queries import inbox
from peken.web.merchant.shop import attempt, owner_page, shop_context, shop_page

DONE_MESSAGES = {
    "accept": gettext_lazy("Pesanan #%(id)s diterima. Siapkan barangnya."),
    "reject": gettext_lazy("Pesanan #%(id)s ditolak; dana kembali ke pembeli."),
    "deliver": gettext_lazy("Pesanan #%(id)s sedang diantar."),
    "ready": gettext_lazy("Pesanan #%(id)s siap diambil pembeli."),
}
ACTOR_LABELS = {
    "buyer": gettext_lazy("pembeli"),
    "merchant": gettext_lazy("toko"),
    "admin": gettext_lazy("admin kota"),
    "system": gettext_lazy("sistem"),
}
STATUS_LABELS = dict(Order.Status.choices)


@never_cache
@shop_page
def order_inbox(request, shop):
    context = shop_context(
        request, shop, tab="orders", inbox=inbox(owner=request.user, merchant_id=shop.pk)
    )
    return render(request, "web/merchant/orders.html", context)


@never_cache
@require_GET
@shop_page
def order_inbox_list(request, shop):
    """The inbox's inner list, fetched by htmx every 10 s."""
    return _inbox_fragment(request, shop.pk)


def _inbox_fragment(request, merchant_id: int, notice: str = ""):
    context = {"inbox": inbox(owner=request.user, merchant_id=merchant_id), "notice": notice}
    return render(request, "web/merchant/_inbox.html", context)


def _owned_order(request, order_id: int) -> Order:
    """An order to one of the person's shops; any other order (their own purchases included)
    is not found here."""
    order = orders_of_merchant_owner(owner=request.user).filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound()
    return order


@require_POST
@owner_page
def order_step(request, order_id: int):
    """Accept, reject (with a reason), deliver or ready; a refusal (the buyer cancelled
    meanwhile, "complete" from an old page …) is told by domain_errors."""
    order = _owned_order(request, order_id)
    action = request.POST.get("step", "")
    order = order_act(
        actor=request.user, order=order, action=action, reason=request.POST.get("reason", "")
    )
    notice = DONE_MESSAGES.get(action, _("Tersimpan.")) % {"id": order.pk}
    if request.headers.get("HX-Request"):
        return _inbox_fragment(request, order.merchant_id, notice)
    messages.success(request, notice)
    if request.POST.get("kembali") == "detail":
        return redirect("web:merchant-order", order_id=order.pk)
    return redirect(f"{reverse('web:merchant-orders')}?toko={order.merchant_id}")


@never_cache
@owner_page
def order_detail(request, order_id: int):
    order = _owned_order(request, order_id)
    timeline = [
        (
            event,
            STATUS_LABELS.get(event.to_status, event.to_status),
            ACTOR_LABELS.get(event.actor_kind, ""),
        )
        for event in order.events.all()
    ]
    complaints = list(complaints_for(viewer=request.user).filter(order=order))
    contact_url = order_contact_url(order=order, viewer=request.user)
    context = shop_context(
        request,
        order.merchant,
        tab="orders",
        order=order,
        buyer_name=order.buyer.full_name,
        timeline=timeline,
        complaints=complaints,
        contact_url=contact_url,
        # Open for contact, but the buyer left no number the link could use.
        contact_missing=contact_url is None and order_contact_open(order),
    )
    return render(request, "web/merchant/order.html", context)


@require_POST
@owner_page
def complaint_reply(request, complaint_id: int):
    """The shop's side of a complaint, once; an officer decides after."""
    complaint = complaint_for(viewer=request.user, complaint_id=complaint_id)
    answered = attempt(
        request,
        lambda: complaint_answer(
            owner=request.user, complaint=complaint, answer=request.POST.get("answer", "")
        ),
    )
    if answered:
        messages.success(request, _("Jawaban terkirim. Petugas akan memutuskan komplain ini."))
    return redirect("web:merchant-order", order_id=complaint.order_id)
