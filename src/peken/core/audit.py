"""Writing the audit log. Every service that changes data on behalf of an officer or admin calls
`audit_record` inside its own transaction, so the change and its record land together or not at all.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from peken.core.masking import mask_nik, mask_phone
from peken.core.models import AuditEntry

# Field names whose values never reach the log in clear.
MASKED_FIELDS = {"nik": mask_nik, "phone": mask_phone}
SECRET_FIELDS = {"password", "key_hash"}


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-ready picture of a model's concrete fields, personal data masked."""
    picture: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        if field.name in SECRET_FIELDS:
            continue
        picture[field.name] = _json_value(field.name, getattr(instance, name))
    return picture


def _json_value(name: str, value: Any) -> Any:
    if name in MASKED_FIELDS and value:
        return MASKED_FIELDS[name](str(value))
    if value is None or isinstance(value, (bool, int, float, str, dict, list)):
        return value
    return str(value)


def audit_record(**fields) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction."""
    entry = audit_entry(**fields)
    entry.save()
    return entry


def audit_entry(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEntry:
    """An unsaved entry, for callers that write many at once with bulk_create."""
    if target is not None:
        target_type = target_type or target._meta.label
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)[:200]
    return AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:200],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        ip_address=ip_address,
    )


def audit_import(*, actor, action: str, target_type: str, summary: str, result) -> AuditEntry:
    """One entry for a whole file import: what kind of rows, how many, what happened to them."""
    return audit_record(
        actor=actor,
        action=action,
        target_type=target_type,
        target_repr=summary,
        after=dict(result.__dict__),
    )


def _actor_name(actor) -> str:
    if actor is None:
        return "sistem"
    if isinstance(actor, str):
        return actor[:150]
    return (getattr(actor, "username", "") or str(actor))[:150]


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in after.items() if before.get(key) != value}
