"""What the catalog services share: permission checks, rule errors, audited fields."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from peken.accounts import permissions
from peken.catalog import rules
from peken.catalog.models import Product, Unit
from peken.core.errors import InvalidInput

# Fields whose before/after go into the audit log when an officer edits a shop's product.
PRODUCT_AUDIT_FIELDS = [
    "name",
    "description",
    "category",
    "price",
    "unit",
    "stock",
    "is_made_to_order",
    "reference_item",
    "is_active",
    "review",
    "review_reason",
]
PRODUCT_EDITABLE = {
    "name",
    "description",
    "category_slug",
    "price",
    "unit",
    "stock",
    "is_made_to_order",
    "reference_item_id",
    "is_active",
}


@contextmanager
def rule_errors() -> Iterator[None]:
    try:
        yield
    except rules.CatalogRuleError as error:
        raise InvalidInput(str(error), field=error.field) from error


def require_city_admin(actor) -> None:
    # Superusers open the back office too (peken.admin_site); they act as a city admin there.
    if getattr(actor, "is_superuser", False):
        return
    permissions.require_city_admin(actor)


def locked_product(product: Product) -> Product:
    # No select_related here: PostgreSQL cannot lock the nullable side of an outer join
    # (reference_item), and the caller already holds the merchant.
    locked = Product.objects.select_for_update().get(pk=product.pk)
    locked.merchant = product.merchant
    return locked


def checked_unit(unit: str) -> str:
    if unit not in Unit.values:
        raise InvalidInput(
            _("Satuan '%(unit)s' tidak dikenal (%(units)s).")
            % {"unit": unit, "units": ", ".join(Unit.values)},
            field="unit",
        )
    return str(unit)
