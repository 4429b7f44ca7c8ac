"""The city's list of goods that may not be sold."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from peken.catalog import rules
from peken.catalog.errors import (
    ProhibitedTermExists,
)
from peken.catalog.models import (
    ProhibitedTerm,
)
from peken.catalog.services.common import (
    require_city_admin,
    rule_errors,
)
from peken.core.audit import audit_record, snapshot


def prohibited_term_add(*, actor, term: str, reason: str) -> ProhibitedTerm:
    """A city admin adds a word (or brings back a switched-off one) that holds products.

    Products already on sale are not swept: the word holds a product when its text is next
    written (see rules.review_after_edit)."""
    require_city_admin(actor)
    with rule_errors():
        term = rules.normalize_term(term)
        reason = rules.check_label(reason, "reason", gettext_noop("Alasan"), max_length=120)
    try:
        with transaction.atomic():
            entry = ProhibitedTerm.objects.select_for_update().filter(term=term).first()
            if entry is not None and entry.is_active:
                raise ProhibitedTermExists()
            before = snapshot(entry) if entry is not None else None
            entry = entry or ProhibitedTerm(term=term)
            entry.reason, entry.is_active = reason, True
            entry.save()
            audit_record(
                actor=actor,
                action="prohibited_term.add",
                target=entry,
                before=before,
                after=snapshot(entry),
            )
    except IntegrityError as error:
        raise ProhibitedTermExists() from error
    return entry


def prohibited_term_deactivate(*, actor, entry: ProhibitedTerm) -> ProhibitedTerm:
    """Switches the word off; kept so the audit log and a later re-adding can refer to it."""
    require_city_admin(actor)
    if not entry.is_active:
        return entry
    with transaction.atomic():
        entry.is_active = False
        entry.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="prohibited_term.deactivate",
            target=entry,
            before={"is_active": True},
            after={"is_active": False},
        )
    return entry
