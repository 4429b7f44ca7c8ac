"""Complaints of the officer's area and the decision on one: a refund (all or part) or a
rejection, through peken.payments.complaints.complaint_decide."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.core.errors import DomainError, NotFound, PermissionDenied
from peken.core.money import format_rupiah
from peken.payments.complaints import complaint_decide
from peken.payments.models import Complaint
from peken.payments.selectors import complaint_for, complaints_for
from peken.web.officer.queries import complaint_items
from peken.web.officer.views import OFFICER_ROLES
from peken.web.pages import domain_errors, role_required

COMPLAINTS_PAGE_SIZE = 30
COMPLAINT_TABS = [
    ("", gettext_lazy("Semua")),
    (Complaint.Status.ANSWERED, gettext_lazy("Menunggu keputusan")),
    (Complaint.Status.OPEN, gettext_lazy("Menunggu jawaban toko")),
    (Complaint.Status.REFUNDED, gettext_lazy("Dana dikembalikan")),
    (Complaint.Status.REJECTED, gettext_lazy("Ditolak")),
]
UNDECIDED = (Complaint.Status.OPEN, Complaint.Status.ANSWERED)


@role_required(*OFFICER_ROLES)
@domain_errors
def officer_complaints(request):
    statuses = [status for status, _label in COMPLAINT_TABS]
    status = request.GET.get("status", "")
    if status not in statuses:
        status = ""
    complaints = complaints_for(viewer=request.user, status=status or None)
    page = Paginator(complaints, COMPLAINTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/officer/complaints.html",
        {"page": page, "status": status, "tabs": COMPLAINT_TABS},
    )


@role_required(*OFFICER_ROLES)
@domain_errors
def officer_complaint(request, complaint_id: int):
    """The complaint with its order; on POST, the officer's decision."""
    complaint = complaint_for(viewer=request.user, complaint_id=complaint_id)
    order = complaint.order
    remaining = order.total - order.refunded_goods - order.refunded_delivery
    decision = {"choice": "refund", "amount": str(remaining), "note": ""}
    error = None
    if request.method == "POST":
        decision = {
            "choice": request.POST.get("choice", ""),
            "amount": request.POST.get("amount", ""),
            "note": request.POST.get("note", ""),
        }
        error = _decide(request, complaint, decision)
        if error is None:
            return redirect("web:officer-complaint", complaint_id=complaint.pk)
    context = {
        "complaint": complaint,
        "order": order,
        "items": complaint_items(complaint=complaint),
        "remaining": remaining,
        "is_undecided": complaint.status in UNDECIDED,
        "decision": decision,
        "error": error,
    }
    return render(request, "web/officer/complaint.html", context, status=422 if error else 200)


def _decide(request, complaint: Complaint, decision: dict) -> str | None:
    """None when decided; otherwise what the officer should fix, in Indonesian."""
    if decision["choice"] not in ("refund", "reject"):
        return _("Pilih: kembalikan dana atau tolak komplain.")
    amount = 0
    if decision["choice"] == "refund":
        amount = _rupiah_typed(decision["amount"])
        if amount is None or amount <= 0:
            return _("Tulis nominal pengembalian dalam rupiah bulat, lebih dari 0.")
    try:
        decided = complaint_decide(
            actor=request.user, complaint=complaint, refund_amount=amount, note=decision["note"]
        )
    except (NotFound, PermissionDenied):
        raise  # 404 / 403 by domain_errors
    except DomainError as error:
        return _message_for(error)
    if decided.status == Complaint.Status.REFUNDED:
        text = _("Komplain diputuskan: %(amount)s dikembalikan ke pembeli.") % {
            "amount": format_rupiah(amount)
        }
    else:
        text = _("Komplain ditolak.")
    messages.success(request, text)
    return None


def _message_for(error: DomainError) -> str:
    if error.details.get("field") == "note":
        return _("Catatan keputusan: %(why)s") % {"why": error.message}
    return error.message


def _rupiah_typed(text: str) -> int | None:
    """`50000`, `50.000` or `Rp 50.000` → 50000; anything else → None."""
    digits = text.replace("Rp", "").replace(".", "").replace(" ", "").strip()
    return int(digits) if digits.isdigit() else None
