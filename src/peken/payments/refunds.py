"""Sending decided refunds to the gateway: after commit, by the worker, retried until sent.

The ledger entry was written with the decision; this only moves the money at the gateway. The
refund's own id is its key at the gateway, so a retry after a lost answer refunds once."""

from django.db import transaction
from django.utils import timezone

from peken.payments.gateways import base as gateway_base
from peken.payments.gateways import gateway_get
from peken.payments.models import Refund

MAX_ATTEMPTS = 10


def refunds_send(*, limit: int = 100) -> int:
    """Sends waiting refunds; returns how many went out. Worker job."""
    waiting = Refund.objects.filter(
        status__in=[Refund.Status.REQUESTED, Refund.Status.FAILED],
        payment__isnull=False,
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("id")
    sent = 0
    for refund_id in waiting.values_list("id", flat=True)[:limit]:
        sent += _send_one(refund_id)
    return sent


def _send_one(refund_id: int) -> int:
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("payment")
            .filter(pk=refund_id)
            .exclude(status=Refund.Status.SENT)
            .first()
        )
        if refund is None:
            return 0  # another worker has it, or it went out already
        refund.attempts += 1
        try:
            answer = gateway_get(refund.payment.gateway).refund_create(
                refund.payment.reference,
                refund.amount,
                refund.reason or "Pengembalian dana Peken",
                refund_key=f"PKN-RF{refund.pk}",
            )
        except gateway_base.GatewayError as error:
            refund.status, refund.last_error = Refund.Status.FAILED, f"{error.code}: {error}"[:300]
            refund.save(update_fields=["status", "last_error", "attempts"])
            return 0
        refund.status, refund.sent_at = Refund.Status.SENT, timezone.now()
        refund.gateway_refund_id = answer.gateway_refund_id[:100]
        refund.save(update_fields=["status", "sent_at", "gateway_refund_id", "attempts"])
        return 1
