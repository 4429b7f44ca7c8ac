import datetime as dt
from typing import Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field, StrictInt

from peken.core import metrics
from peken.core.errors import DomainError
from peken.core.pagination import PageNumberPagination
from peken.ordering.selectors import order_for
from peken.payments import complaints, selectors, services
from peken.payments.gateways import GATEWAYS
from peken.payments.gateways.base import PAYMENT_METHODS
from peken.payments.qris import qris_image
from peken.payments.selectors import PaymentNotFound

router = Router(tags=["pembayaran"])
ERRORS_AUTH = ["not_authenticated", "permission_denied"]


class PaymentIn(Schema):
    method: str = Field("qris", description=" | ".join(PAYMENT_METHODS))


class PaymentOut(Schema):
    reference: str
    checkout_id: int
    method: str
    amount: int
    status: str
    qris_payload: str
    qris_image_url: str | None
    va_bank: str
    va_number: str
    expires_at: dt.datetime
    seconds_left: int
    paid_at: dt.datetime | None

    @staticmethod
    def resolve_qris_image_url(payment) -> str | None:
        if not payment.qris_payload:
            return None
        return f"/api/v1/payments/{payment.reference}/qris.svg"

    @staticmethod
    def resolve_seconds_left(payment) -> int:
        if payment.status != "pending":
            return 0
        return max(0, int((payment.expires_at - timezone.now()).total_seconds()))


@router.post(
    "/checkouts/{checkout_id}/payment",
    response={201: PaymentOut},
    openapi_extra={
        "x-error-codes": [
            *ERRORS_AUTH,
            "not_found",
            "nothing_to_pay",
            "payment_method_unsupported",
            "gateway_unavailable",
            "gateway_not_configured",
            "gateway_rejected",
        ]
    },
)
def payment_start(request, checkout_id: int, payload: PaymentIn):
    """One charge for every unpaid order of the checkout (QRIS or a virtual account). Asking
    again returns the same charge."""
    payment = services.payment_start(
        buyer=request.user, checkout_id=checkout_id, method=payload.method
    )
    return Status(201, payment)


@router.get(
    "/payments/{reference}",
    response=PaymentOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "payment_not_found"]},
)
def payment_detail(request, reference: str):
    """Status and countdown, for the payment page to poll."""
    return selectors.payment_by_reference(viewer=request.user, reference=reference)


class SimulateIn(Schema):
    status: Literal["paid", "expired", "failed"] = "paid"


@router.post(
    "/payments/{reference}/simulate",
    response=PaymentOut,
    openapi_extra={
        "x-error-codes": [*ERRORS_AUTH, "payment_not_found", "simulator_only", "simulator_off"]
    },
)
def payment_simulate(request, reference: str, payload: SimulateIn):
    """Demo and tests only (the simulator gateway, when PEKEN_PAYMENT_SIMULATOR is on; else
    404 simulator_off): pay, expire or fail the charge as the payer would; the simulator then
    notifies our webhook, signed."""
    services.simulator_require()
    payment = selectors.payment_of_payer(payer=request.user, reference=reference)
    return services.payment_simulate(payment=payment, status=payload.status)


@router.get(
    "/payments/{reference}/qris.svg",
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "payment_not_found"]},
)
def payment_qris_image(request, reference: str):
    """The QRIS code to scan, as an SVG image."""
    payment = selectors.payment_by_reference(viewer=request.user, reference=reference)
    if not payment.qris_payload:
        raise PaymentNotFound(_("Pembayaran ini bukan QRIS."))
    response = HttpResponse(qris_image(payment.qris_payload, kind="svg"), "image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.post(
    "/payments/webhooks/{gateway}",
    auth=None,
    response={200: dict},
    openapi_extra={
        "x-error-codes": ["signature_invalid", "notification_malformed", "gateway_unknown"]
    },
)
def payment_webhook(request, gateway: str):
    """The gateway tells us a charge's news. Signed; a duplicate changes nothing. A gateway this
    installation does not use (the simulator switched off, Midtrans without a key) is 404."""
    known = gateway if gateway in GATEWAYS else "unknown"  # a label: never the caller's text
    try:
        record = services.notification_receive(
            gateway_name=gateway,
            body=request.body,
            headers=request.headers,
            remote_address=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as error:
        metrics.webhook_received(gateway=known, outcome=error.code)
        raise
    metrics.webhook_received(gateway=known, outcome=record.outcome)
    return {"outcome": record.outcome}


# --- complaints -------------------------------------------------------------------------------


class ComplaintIn(Schema):
    reason: str = Field(..., description="not_received | damaged | wrong_item | incomplete | other")
    description: str = Field(..., max_length=1000)


class AnswerIn(Schema):
    answer: str = Field(..., max_length=1000)


class DecisionIn(Schema):
    refund_amount: StrictInt = Field(..., ge=0, description="0: tolak; lebih: rupiah kembali")
    note: str = Field(..., max_length=500)


class ComplaintOut(Schema):
    id: int
    order_id: int
    reason: str
    description: str
    status: str
    opened_at: dt.datetime
    merchant_answer: str
    decision_note: str
    refund_amount: int

    @staticmethod
    def resolve_refund_amount(complaint) -> int:
        return complaint.refund.amount if complaint.refund_id else 0


COMPLAINT_ERRORS = [*ERRORS_AUTH, "complaint_not_found", "invalid_input"]


@router.post(
    "/orders/{order_id}/complaints",
    response={201: ComplaintOut},
    openapi_extra={
        "x-error-codes": [
            *COMPLAINT_ERRORS,
            "order_not_found",
            "complaint_not_allowed",
            "complaint_already_decided",
        ]
    },
)
def complaint_open(request, order_id: int, payload: ComplaintIn):
    """Within 3 days of completion, or for a paid order that never arrived; one per order (a
    second, after a decision or while one is in progress, is 409)."""
    order = order_for(viewer=request.user, order_id=order_id)
    complaint = complaints.complaint_open(
        buyer=request.user, order=order, reason=payload.reason, description=payload.description
    )
    return Status(201, complaint)


@router.get(
    "/complaints", response=list[ComplaintOut], openapi_extra={"x-error-codes": ERRORS_AUTH}
)
@paginate(PageNumberPagination, page_size=20)
def complaint_list(request, status: str | None = None):
    return selectors.complaints_for(viewer=request.user, status=status)


@router.post(
    "/complaints/{complaint_id}/answer",
    response=ComplaintOut,
    openapi_extra={"x-error-codes": [*COMPLAINT_ERRORS, "complaint_status_conflict"]},
)
def complaint_answer(request, complaint_id: int, payload: AnswerIn):
    complaint = selectors.complaint_for(viewer=request.user, complaint_id=complaint_id)
    return complaints.complaint_answer(
        owner=request.user, complaint=complaint, answer=payload.answer
    )


@router.post(
    "/complaints/{complaint_id}/decide",
    response=ComplaintOut,
    openapi_extra={
        "x-error-codes": [
            *COMPLAINT_ERRORS,
            "outside_area",
            "complaint_status_conflict",
            "refund_too_large",
        ]
    },
)
def complaint_decide(request, complaint_id: int, payload: DecisionIn):
    """An officer of the shop's area or a city admin refunds (all or part) or rejects."""
    complaint = selectors.complaint_for(viewer=request.user, complaint_id=complaint_id)
    return complaints.complaint_decide(
        actor=request.user,
        complaint=complaint,
        refund_amount=payload.refund_amount,
        note=payload.note,
    )
