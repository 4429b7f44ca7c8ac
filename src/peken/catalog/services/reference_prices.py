"""Reference prices (harga acuan): one price per staple, every linked product follows."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from peken.catalog import rules
from peken.catalog.errors import (
    ReferenceItemExists,
)
from peken.catalog.models import (
    Product,
    ReferenceItem,
)
from peken.catalog.services.common import (
    checked_unit,
    require_city_admin,
    rule_errors,
)
from peken.core.audit import audit_record, changed_fields, snapshot


@dataclass(frozen=True)
class ReferenceItemChange:
    item: ReferenceItem
    products_repriced: int


def reference_item_create(
    *, actor, name: str, brand: str, variant: str = "", unit: str, price: int
) -> ReferenceItem:
    """A city admin fixes the price of one staple (name, brand, variant, unit)."""
    require_city_admin(actor)
    with rule_errors():
        price = rules.check_price(price)
        name = rules.check_label(name, "name", gettext_noop("Nama barang"))
        brand = rules.check_label(brand, "brand", gettext_noop("Merek"))
    item = ReferenceItem(
        name=name,
        brand=brand,
        variant=" ".join(variant.split()),
        unit=checked_unit(unit),
        price=price,
    )
    try:
        with transaction.atomic():
            item.save()
            audit_record(
                actor=actor, action="reference_item.create", target=item, after=snapshot(item)
            )
    except IntegrityError as error:
        raise ReferenceItemExists() from error
    return item


def reference_item_update(*, actor, item: ReferenceItem, **changes) -> ReferenceItemChange:
    """Renames or (de)activates a reference item; a new price goes to every linked product.

    The unit cannot change: a different unit is a different item, with products of its own."""
    require_city_admin(actor)
    unknown = set(changes) - {"name", "brand", "variant", "is_active", "price"}
    if unknown:
        raise TypeError(f"reference_item_update: unknown fields {sorted(unknown)}")
    price = changes.pop("price", None)
    with transaction.atomic():
        repriced = 0
        if price is not None:
            repriced = reference_item_set_price(actor=actor, item=item, price=price)
        if changes:
            _reference_item_relabel(actor=actor, item=item, changes=changes)
    return ReferenceItemChange(item=item, products_repriced=repriced)


def _reference_item_relabel(*, actor, item: ReferenceItem, changes: dict) -> None:
    before = snapshot(item, ["name", "brand", "variant", "is_active"])
    with rule_errors():
        if "name" in changes:
            item.name = rules.check_label(changes["name"], "name", gettext_noop("Nama barang"))
        if "brand" in changes:
            item.brand = rules.check_label(changes["brand"], "brand", gettext_noop("Merek"))
    if "variant" in changes:
        item.variant = " ".join(changes["variant"].split())
    if "is_active" in changes:
        item.is_active = bool(changes["is_active"])
    changed = changed_fields(before, snapshot(item, before.keys()))
    if not changed:
        return
    try:
        with transaction.atomic():
            item.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as error:
        raise ReferenceItemExists() from error
    audit_record(
        actor=actor,
        action="reference_item.update",
        target=item,
        before={key: before[key] for key in changed},
        after=changed,
    )


def reference_item_set_price(*, actor, item: ReferenceItem, price: int) -> int:
    """The city's new reference price; every linked product follows in the same transaction.

    Returns how many products were repriced. One UPDATE for all of them, one audit entry."""
    require_city_admin(actor)
    with rule_errors():
        price = rules.check_price(price)
    with transaction.atomic():
        locked = ReferenceItem.objects.select_for_update().only("price").get(pk=item.pk)
        old_price = locked.price
        item.price = price
        if price == old_price:
            return 0
        now = timezone.now()
        ReferenceItem.objects.filter(pk=item.pk).update(price=price, updated_at=now)
        repriced = (
            Product.objects.filter(reference_item=item)
            .exclude(price=price)
            .update(price=price, updated_at=now)
        )
        audit_record(
            actor=actor,
            action="reference_item.set_price",
            target=item,
            before={"price": old_price},
            after={"price": price, "products_repriced": repriced},
        )
    return repriced
