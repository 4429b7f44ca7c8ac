"""Paying a checkout: the QRIS code or virtual account, a countdown, the status polled every
few seconds, and (with the built-in simulator gateway) a button that pays as a payer would."""

import base64
import datetime as dt
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peken.core.cache import cached, orders_of
from peken.payments.gateways import SimulatorGateway, simulator_enabled
from peken.payments.models import Payment
from peken.payments.qris import qris_image
from peken.payments.selectors import payment_by_reference, payment_of_payer
from peken.payments.services import (
    SimulatorOff,
    payment_simulate,
    payment_start,
    simulator_require,
)
from peken.web.buyer.access import buyer_required
from peken.web.pages import domain_errors
from peken.web.shared_pages import shared_page

QRIS_CACHE_SECONDS = 30 * 60
# After the deadline the worker expires the charge; the page keeps asking a little while.
POLL_GRACE = dt.timedelta(minutes=2)


@never_cache
@login_required
@domain_errors
def payment_page(request, reference: str):
    # Drawn again after any step of the payer's orders (paid, expired: the orders_of family);
    # the time left is each request's own.
    user = request.user
    family = orders_of(user.pk)
    deadline = cached(
        family,
        ("deadline", user.pk, reference),
        settings.PEKEN_LISTING_CACHE_SECONDS,
        lambda: payment_by_reference(viewer=user, reference=reference).expires_at,
    )
    return shared_page(
        request,
        (user.pk, timezone.now() < deadline),
        lambda: _payment_page_drawn(request, reference),
        {"time-left": lambda: time_left(deadline)[1]},
        family=family,
    )


def _payment_page_drawn(request, reference: str):
    payment = payment_by_reference(viewer=request.user, reference=reference)
    context = {
        **status_context(payment),
        "qris_src": qris_data_uri(payment),
        "orders": list(payment.orders.select_related("merchant").order_by("id")),
        "is_simulator": payment.gateway == SimulatorGateway.name and simulator_enabled(),
    }
    return render(request, "web/buyer/payment.html", context)


def qris_data_uri(payment: Payment) -> str:
    """The code drawn into the page itself: no second request, nothing cached elsewhere."""
    if not payment.qris_payload or payment.status != Payment.Status.PENDING:
        return ""
    # Drawing the code is most of the page's cost, and a charge's code never changes: drawn
    # once, then reused while the page is polled and reopened.
    return cached(
        "qris",
        (payment.qris_payload,),
        QRIS_CACHE_SECONDS,
        lambda: (
            "data:image/svg+xml;base64,"
            + base64.b64encode(qris_image(payment.qris_payload, kind="svg")).decode()
        ),
    )


def status_context(payment: Payment) -> dict:
    now = timezone.now()
    is_pending = payment.status == Payment.Status.PENDING
    seconds_left, text = time_left(payment.expires_at)
    return {
        "payment": payment,
        "is_pending": is_pending,
        "seconds_left": seconds_left,
        "time_left": text,
        "keeps_polling": is_pending and now < payment.expires_at + POLL_GRACE,
    }


def time_left(deadline: dt.datetime) -> tuple[int, str]:
    """Seconds to the deadline, and as app.js writes them (m:ss)."""
    seconds = max(0, int((deadline - timezone.now()).total_seconds()))
    return seconds, f"{seconds // 60}:{seconds % 60:02d}"


@never_cache
@login_required
@domain_errors
def payment_status(request, reference: str):
    """The polled fragment. Once the payment is settled the whole page is drawn again (the
    code and the simulator button go, the orders' links come)."""
    payment = payment_by_reference(viewer=request.user, reference=reference)
    if payment.status != Payment.Status.PENDING and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "web/buyer/_payment_status.html", status_context(payment))


def simulator_route(view):
    """Switched off, the simulator's page is the 404 page for everyone, signed in or not."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            simulator_require()
        except SimulatorOff as error:
            raise Http404(error.message) from error
        return view(request, *args, **kwargs)

    return guarded


@simulator_route
@require_POST
@login_required
@domain_errors
def payment_simulate_view(request, reference: str):
    payment = payment_of_payer(payer=request.user, reference=reference)
    payment_simulate(payment=payment, status="paid")
    return redirect("web:payment", reference=payment.reference)


@require_POST
@buyer_required
@domain_errors
def payment_start_view(request, checkout_id: int):
    """For a checkout whose charge could not be made at checkout (the gateway was down)."""
    method = request.POST.get("method") or Payment.Method.QRIS
    if method not in Payment.Method.values:
        method = Payment.Method.QRIS
    payment = payment_start(buyer=request.user, checkout_id=checkout_id, method=method)
    return redirect("web:payment", reference=payment.reference)
