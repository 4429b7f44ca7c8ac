"""Complaints and the refunds decided on them.

A buyer complains within 3 days of completion, or about an order paid but never arrived; the
shop answers; an officer of the shop's area or a city admin decides. A refund goes back through
the gateway, is reversed in the ledger, gives the shop's monthly cap back and no longer counts
toward the ASN's obligation — all in one transaction.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peken.accounts.models import Role, User
from peken.accounts.permissions import require_area
from peken.core.audit import audit_record
from peken.core.cache import generation_bump, orders_of
from peken.core.errors import InvalidInput, PermissionDenied
from peken.core.money import format_rupiah
from peken.ledger import rules as ledger_rules
from peken.ledger.services import ledger_complaint_refund
from peken.notifications.order_events import notify_complaint_opened
from peken.ordering.models import Order
from peken.ordering.rules import COMPLAINT_WINDOW
from peken.payments.errors import (
    ComplaintAlreadyDecided,
    ComplaintNotAllowed,
    ComplaintStatusConflict,
    RefundTooLarge,
)
from peken.payments.models import Complaint, Payment, Refund
from peken.quotas.services import quota_release
from peken.reports.services import rollup_order_refunded

NOT_ARRIVED_STATUSES = ("paid", "accepted", "delivering", "ready_for_pickup")


def complaint_open(*, buyer: User, order: Order, reason: str, description: str) -> Complaint:
    if order.buyer_id != buyer.pk:
        raise PermissionDenied(_("Hanya pembeli pesanan ini yang dapat mengajukan komplain."))
    if reason not in Complaint.Reason.values:
        raise InvalidInput(_("Pilih alasan komplain."), field="reason")
    description = _text(description, "description", minimum=10, maximum=1000)
    _require_complainable(order, reason)
    _require_first_complaint(order)
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                order=order, reason=reason, description=description
            )
            with translation.override(settings.LANGUAGE_CODE):
                reason_words = complaint.get_reason_display()
            notify_complaint_opened(order=order, reason=reason_words)
            return complaint
    except IntegrityError as error:  # another one was opened at the same moment
        raise _in_progress() from error


def _require_first_complaint(order: Order) -> None:
    """One complaint per order: an officer's decision is final, and one in progress is answered
    before anything else. Complaints are never deleted, so this check cannot be overtaken; two
    opened at once are stopped by the one-in-progress constraint."""
    statuses = set(order.complaints.values_list("status", flat=True))
    if statuses & {Complaint.Status.OPEN, Complaint.Status.ANSWERED}:
        raise _in_progress()
    if statuses:
        raise ComplaintAlreadyDecided()


def _in_progress() -> ComplaintNotAllowed:
    return ComplaintNotAllowed(_("Pesanan ini sudah punya komplain yang sedang diproses."))


def _require_complainable(order: Order, reason: str) -> None:
    if order.status == Order.Status.COMPLETED:
        if timezone.now() - order.completed_at > COMPLAINT_WINDOW:
            raise ComplaintNotAllowed(
                _("Komplain hanya dapat diajukan sampai 3 hari setelah selesai.")
            )
        return
    if reason == Complaint.Reason.NOT_RECEIVED and order.status in NOT_ARRIVED_STATUSES:
        return
    raise ComplaintNotAllowed(
        _(
            "Komplain dapat diajukan untuk pesanan yang selesai, atau yang dibayar tapi tidak "
            "sampai."
        )
    )


def complaint_answer(*, owner: User, complaint: Complaint, answer: str) -> Complaint:
    """The shop's side of the story, once."""
    answer = _text(answer, "answer", minimum=5, maximum=1000)
    with transaction.atomic():
        locked = (
            Complaint.objects.select_for_update()
            .select_related("order__merchant")
            .get(pk=complaint.pk)
        )
        if locked.order.merchant.owner_id != owner.pk:
            raise PermissionDenied(_("Hanya pemilik toko yang dapat menjawab komplain ini."))
        if locked.status != Complaint.Status.OPEN:
            raise ComplaintStatusConflict(_("Komplain ini sudah dijawab atau diputuskan."))
        locked.merchant_answer = answer
        locked.answered_at = timezone.now()
        locked.status = Complaint.Status.ANSWERED
        locked.save()
    return locked


def complaint_decide(
    *, actor: User, complaint: Complaint, refund_amount: int, note: str
) -> Complaint:
    """refund_amount 0 rejects the complaint; more refunds that much of the order (whole rupiah).

    A shop that has not answered within its chance still gets decided on: the officer may decide
    an open complaint too."""
    note = _text(note, "note", minimum=5, maximum=500)
    if isinstance(refund_amount, bool) or not isinstance(refund_amount, int) or refund_amount < 0:
        raise InvalidInput(
            _("Nominal pengembalian harus rupiah bulat, 0 atau lebih."), field="amount"
        )
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        order = (
            Order.objects.select_for_update()
            .select_related("merchant__kelurahan")
            .get(pk=locked.order_id)
        )
        require_area(actor, order.merchant.kelurahan)
        if locked.status not in (Complaint.Status.OPEN, Complaint.Status.ANSWERED):
            raise ComplaintStatusConflict()
        if refund_amount > 0:
            locked.refund = _refund(actor, order, refund_amount, note)
        locked.status = (
            Complaint.Status.REFUNDED if refund_amount > 0 else Complaint.Status.REJECTED
        )
        locked.decided_by, locked.decided_at, locked.decision_note = actor, timezone.now(), note
        locked.save()
        audit_record(
            actor=actor,
            action="complaint.decide",
            target=locked,
            after={"status": locked.status, "refund_amount": refund_amount, "note": note},
        )
    return locked


def _refund(actor: User, order: Order, amount: int, note: str) -> Refund:
    goods_left = order.goods_total - order.refunded_goods
    delivery_left = order.delivery_fee - order.refunded_delivery
    if order.status == Order.Status.CANCELLED or amount > goods_left + delivery_left:
        left = goods_left + delivery_left
        raise RefundTooLarge(
            _("Sisa nilai pesanan yang dapat dikembalikan %(left)s.")
            % {"left": format_rupiah(left)},
            remaining=left,
        )
    goods, delivery = ledger_rules.refund_split(
        goods_left=goods_left, delivery_left=delivery_left, amount=amount
    )
    refund = Refund.objects.create(
        payment=Payment.objects.filter(checkout_id=order.checkout_id).first(),
        order=order,
        kind=Refund.Kind.COMPLAINT,
        amount=amount,
        goods_part=goods,
        delivery_part=delivery,
        reason=note,
        created_by=actor,
    )
    ledger_complaint_refund(
        order=order, amount=amount, reference=f"refund:{refund.pk}", actor=actor
    )
    Order.objects.filter(pk=order.pk).update(
        refunded_goods=F("refunded_goods") + goods,
        refunded_delivery=F("refunded_delivery") + delivery,
    )
    generation_bump(orders_of(order.buyer_id))
    if order.counts_toward_cap and goods:
        quota_release(merchant_id=order.merchant_id, month=order.month, amount=goods)
    rollup_order_refunded(order, goods)  # `order` still holds the refunded amount before this
    return refund


def complaint_can_decide(user: User) -> bool:
    return user.has_role(Role.CITY_ADMIN, Role.OFFICER)


def _text(value: str, field: str, *, minimum: int, maximum: int) -> str:
    text = " ".join((value or "").split())
    if not minimum <= len(text) <= maximum:
        raise InvalidInput(
            _("Tulis %(minimum)s sampai %(maximum)s huruf.")
            % {"minimum": minimum, "maximum": maximum},
            field=field,
        )
    return text
