"""The officer's review of products held for prohibited words."""

from django.db import transaction
from django.utils.translation import gettext as _

from peken.accounts import permissions
from peken.catalog import rules
from peken.catalog.models import (
    Product,
)
from peken.catalog.services.common import (
    locked_product,
    rule_errors,
)
from peken.core.audit import audit_record, snapshot
from peken.core.errors import PermissionDenied


def product_approve(*, actor, product: Product) -> Product:
    """An officer of the shop's area, or a city admin, lets a held or rejected product be sold."""
    _require_reviewer(actor, product)
    return _review_set(actor=actor, product=product, review=rules.Review(rules.APPROVED, ""))


def product_reject(*, actor, product: Product, reason: str) -> Product:
    """An officer of the shop's area, or a city admin, refuses a product; the owner sees why."""
    _require_reviewer(actor, product)
    with rule_errors():
        reason = rules.check_review_reason(reason)
    return _review_set(actor=actor, product=product, review=rules.Review(rules.REJECTED, reason))


def _require_reviewer(actor, product: Product) -> None:
    permissions.require_area(actor, product.merchant.kelurahan)
    if actor.pk == product.merchant.owner_id:
        raise PermissionDenied(_("Produk toko Anda sendiri harus diperiksa petugas lain."))


def _review_set(*, actor, product: Product, review: rules.Review) -> Product:
    fields = ["review", "review_reason"]
    with transaction.atomic():
        locked = locked_product(product)
        before = snapshot(locked, fields)
        locked.review, locked.review_reason = review.state, review.reason
        locked.save(update_fields=[*fields, "updated_at"])
        audit_record(
            actor=actor,
            action=f"product.{'approve' if review.state == rules.APPROVED else 'reject'}",
            target=locked,
            before=before,
            after=snapshot(locked, fields),
        )
    return locked
