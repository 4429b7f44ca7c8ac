from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peken.accounts.models import AsnProfile
from peken.core.audit import audit_import
from peken.core.errors import Conflict
from peken.core.months import Month
from peken.obligations.models import MonthClose, ObligationResult
from peken.obligations.selectors import results_for
from peken.quotas.rules import month_key

BATCH = 2_000


@dataclass(frozen=True)
class MonthCloseSummary:
    asn: int
    met: int


class MonthNotOver(Conflict):
    code = "month_not_over"
    default_message = gettext_lazy("Bulan ini belum berakhir (WIB); belum dapat ditutup.")


def month_close(*, month: Month, actor) -> tuple[bool, int]:
    """Freezes every active ASN's result for a month that has ended. Idempotent: a month closed
    already is left as it is. Returns (closed now, number of results)."""
    if month.end() > timezone.now():
        raise MonthNotOver()
    key = month_key(month)
    if MonthClose.objects.filter(month=key).exists():
        return False, ObligationResult.objects.filter(month=key).count()
    asns = list(
        AsnProfile.objects.filter(is_active=True)
        .select_related("domicile_kelurahan")
        .order_by("pk")
    )
    results = results_for(asns, month)
    try:
        with transaction.atomic():
            MonthClose.objects.create(month=key, closed_by=getattr(actor, "username", actor) or "")
            ObligationResult.objects.bulk_create(
                [
                    ObligationResult(
                        month=key,
                        asn=result.asn,
                        opd_id=result.asn.opd_id,
                        required=result.figures.required,
                        spent=result.figures.spent,
                        is_exempt=result.figures.is_exempt,
                        is_met=result.figures.is_met,
                    )
                    for result in results
                ],
                batch_size=BATCH,
            )
            met = sum(result.figures.is_met for result in results)
            audit_import(
                actor=actor,
                action="obligation.month_close",
                target_type="obligations.MonthClose",
                summary=f"{month}: {len(results)} ASN",
                result=MonthCloseSummary(asn=len(results), met=met),
            )
    except IntegrityError:  # closed by someone else a moment ago
        return False, ObligationResult.objects.filter(month=key).count()
    return True, len(results)
