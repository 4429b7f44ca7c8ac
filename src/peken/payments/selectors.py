"""Reads for payments, complaints and a shop's money."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from peken.accounts.models import Role, User
from peken.accounts.permissions import area_q, sees_whole_city
from peken.core.errors import NotFound
from peken.payments.models import Complaint, Payment


class PaymentNotFound(NotFound):
    code = "payment_not_found"
    default_message = gettext_lazy("Pembayaran tidak ditemukan.")


class ComplaintNotFound(NotFound):
    code = "complaint_not_found"
    default_message = gettext_lazy("Komplain tidak ditemukan.")


def payment_by_reference(*, viewer: User, reference: str) -> Payment:
    """A payment its buyer, a city admin or an auditor may see; for anyone else it does not
    exist."""
    payments = Payment.objects.select_related("checkout").filter(reference=reference)
    if not sees_whole_city(viewer):
        payments = payments.filter(checkout__buyer=viewer)
    payment = payments.first()
    if payment is None:
        raise PaymentNotFound()
    return payment


def payment_of_payer(*, payer: User, reference: str) -> Payment:
    """A payment only its own buyer may act on as the payer (a city admin sees it, never pays)."""
    payment = (
        Payment.objects.select_related("checkout")
        .filter(reference=reference, checkout__buyer=payer)
        .first()
    )
    if payment is None:
        raise PaymentNotFound()
    return payment


def complaints_for(*, viewer: User, status: str | None = None) -> QuerySet[Complaint]:
    """Buyers see their own, owners those about their shops, officers those in their area,
    city admins and auditors every one."""
    complaints = Complaint.objects.select_related("order__merchant__kelurahan")
    if viewer.has_role(Role.CITY_ADMIN, Role.AUDITOR, Role.OFFICER):
        scope = area_q(viewer, "order__merchant__kelurahan")
        if scope is not None:
            complaints = complaints.filter(scope)
    else:
        complaints = complaints.filter(order__buyer=viewer) | complaints.filter(
            order__merchant__owner=viewer
        )
    if status:
        complaints = complaints.filter(status=status)
    return complaints.order_by("-opened_at", "-id")


def complaint_for(*, viewer: User, complaint_id: int) -> Complaint:
    complaint = complaints_for(viewer=viewer).filter(pk=complaint_id).first()
    if complaint is None:
        raise ComplaintNotFound()
    return complaint
