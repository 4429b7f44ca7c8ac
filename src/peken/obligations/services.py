from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peken.core.audit import audit_import
from peken.core.errors import Conflict
from peken.core.months import Month
from peken.obligations.models import MonthClose, ObligationResult
from peken.obligations.selectors import month_compliance
from peken.reports.services import rollups_rebuild

BATCH = 2_000


@dataclass(frozen=True)
class MonthCloseSummary:
    asn: int
    met: int


class MonthNotOver(Conflict):
    code = "month_not_over"
    default_message = gettext_lazy("Bulan ini belum berakhir (WIB); belum dapat ditutup.")


def month_close(*, month: Month, actor) -> tuple[bool, int]:
    """Freezes every active ASN's result for a month that has ended, after recounting the month's
    roll-ups from its orders: the figures are final now, so the closed month reads exactly what
    the orders say, whoever closes it (command, back office, simulation). Idempotent: a month
    closed already is left as it is. Returns (closed now, number of results)."""
    if month.end() > timezone.now():
        raise MonthNotOver()
    key = month.first_day()
    if MonthClose.objects.filter(month=key).exists():
        return False, ObligationResult.objects.filter(month=key).count()
    rollups_rebuild(month)
    people = month_compliance(month).people
    try:
        with transaction.atomic():
            MonthClose.objects.create(month=key, closed_by=getattr(actor, "username", actor) or "")
            ObligationResult.objects.bulk_create(
                [
                    ObligationResult(
                        month=key,
                        asn_id=person.asn_id,
                        opd_id=person.opd_id,
                        required=person.figures.required,
                        spent=person.figures.spent,
                        is_exempt=person.figures.is_exempt,
                        is_met=person.figures.is_met,
                    )
                    for person in people
                ],
                batch_size=BATCH,
            )
            met = sum(person.figures.is_met for person in people)
            audit_import(
                actor=actor,
                action="obligation.month_close",
                target_type="obligations.MonthClose",
                summary=f"{month}: {len(people)} ASN",
                result=MonthCloseSummary(asn=len(people), met=met),
            )
    except IntegrityError:  # closed by someone else a moment ago
        return False, ObligationResult.objects.filter(month=key).count()
    return True, len(people)
