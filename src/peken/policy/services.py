from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peken.accounts.models import User
from peken.accounts.permissions import require_city_admin
from peken.core.audit import audit_record, changed_fields, snapshot
from peken.core.errors import InvalidInput
from peken.policy.models import CityPolicy
from peken.quotas.services import cap_validate, default_cap_apply

EDITABLE = (
    "default_cap",
    "warga_orders_count_toward_cap",
    "fair_ranking",
    "obligation_home_kecamatan_only",
    "payment_timeout_minutes",
    "acceptance_timeout_hours",
)


def policy_update(*, actor: User, **changes) -> CityPolicy:
    """A city admin changes the marketplace's switches; a new default cap reaches the current
    month of every merchant without its own cap (see quotas.services)."""
    require_city_admin(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            _("Pengaturan tidak dikenal: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "default_cap" in changes:
        cap_validate(changes["default_cap"], field="default_cap")
    with transaction.atomic():
        policy, _created = CityPolicy.objects.select_for_update().get_or_create(pk=1)
        before = snapshot(policy, EDITABLE)
        for key, value in changes.items():
            setattr(policy, key, value)
        policy.updated_at, policy.updated_by = timezone.now(), actor
        policy.save()
        after = snapshot(policy, EDITABLE)
        if before["default_cap"] != after["default_cap"]:
            default_cap_apply(cap=policy.default_cap)
        audit_record(
            actor=actor,
            action="policy.update",
            target=policy,
            before={key: before[key] for key in changed_fields(before, after)},
            after=changed_fields(before, after),
        )
    return policy
