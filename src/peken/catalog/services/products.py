"""Products: create, edit, take off sale."""

from django.db import transaction
from django.utils.translation import gettext as _

from peken.accounts import permissions
from peken.catalog import rules
from peken.catalog.errors import (
    ReferencePriceMismatch,
)
from peken.catalog.models import (
    Category,
    Product,
    ProhibitedTerm,
    ReferenceItem,
)
from peken.catalog.services.common import (
    PRODUCT_AUDIT_FIELDS,
    PRODUCT_EDITABLE,
    checked_unit,
    locked_product,
    rule_errors,
)
from peken.core.audit import audit_record, changed_fields, snapshot
from peken.core.errors import InvalidInput
from peken.merchants.models import Merchant


def product_create(
    *,
    actor,
    merchant: Merchant,
    name: str,
    description: str,
    category_slug: str,
    price: int,
    unit: str,
    stock: int,
    is_made_to_order: bool,
    reference_item_id: int | None = None,
) -> Product:
    """A new product of the shop; a prohibited word puts it on hold for an officer.

    A shop in any status may prepare its goods; only a verified shop's are shown to buyers
    (selectors.products_visible)."""
    on_behalf = permissions.require_shop_manager(actor, merchant)
    product = Product(merchant=merchant, stock=0)
    with transaction.atomic():  # _apply may lock the reference item until we commit
        _apply(
            product,
            name=name,
            description=description,
            category_slug=category_slug,
            price=price,
            unit=unit,
            stock=stock,
            is_made_to_order=is_made_to_order,
            reference_item_id=reference_item_id,
        )
        review = rules.review_for_new(_prohibited_match(product))
        product.review, product.review_reason = review.state, review.reason
        product.search_text = _search_text(product)
        product.save()
        if on_behalf:
            audit_record(
                actor=actor,
                action="product.create",
                target=product,
                after=snapshot(product, PRODUCT_AUDIT_FIELDS),
            )
    return product


def product_update(*, actor, product: Product, **changes) -> Product:
    """Changes some of the product's fields (see PRODUCT_EDITABLE); absent ones stay as they are.

    Works on the row as stored, under lock, and writes only the changed columns: stock that a
    checkout took since the caller read `product` is not put back by a change of price."""
    unknown = set(changes) - PRODUCT_EDITABLE
    if unknown:
        raise TypeError(f"product_update: unknown fields {sorted(unknown)}")
    on_behalf = permissions.require_shop_manager(actor, product.merchant)
    with transaction.atomic():
        locked = locked_product(product)
        before = snapshot(locked, PRODUCT_AUDIT_FIELDS)
        old_text = (locked.name, locked.description)
        _apply(locked, **changes)
        text_changed = (locked.name, locked.description) != old_text
        review = rules.review_after_edit(
            current=rules.Review(locked.review, locked.review_reason),
            text_changed=text_changed,
            match=_prohibited_match(locked) if text_changed else None,
        )
        locked.review, locked.review_reason = review.state, review.reason
        after = snapshot(locked, PRODUCT_AUDIT_FIELDS)
        changed = changed_fields(before, after)
        if changed:
            locked.search_text = _search_text(locked)
            locked.save(update_fields=[*changed, "search_text", "updated_at"])
        if on_behalf and changed:
            audit_record(
                actor=actor,
                action="product.update",
                target=locked,
                before={key: before[key] for key in changed},
                after=changed,
            )
    return locked


def product_deactivate(*, actor, product: Product) -> Product:
    """Takes the product off sale. It is kept, not deleted: orders will point at it, and the owner
    can switch it on again (product_update is_active=True)."""
    return product_update(actor=actor, product=product, is_active=False)


def _apply(product: Product, **values) -> None:
    """Checks and sets the given values on an unsaved or locked product, inside the caller's
    transaction."""
    with rule_errors():
        if "name" in values:
            product.name = rules.check_name(values["name"])
        if "description" in values:
            product.description = rules.check_description(values["description"])
        if "price" in values:
            product.price = rules.check_price(values["price"])
        if "is_made_to_order" in values:
            product.is_made_to_order = bool(values["is_made_to_order"])
        if "stock" in values or "is_made_to_order" in values:
            product.stock = rules.stock_for(
                stock=values.get("stock", product.stock), is_made_to_order=product.is_made_to_order
            )
    if "unit" in values:
        product.unit = checked_unit(values["unit"])
    if "category_slug" in values:
        product.category = _category(values["category_slug"])
    if values.get("reference_item_id", product.reference_item_id) != product.reference_item_id:
        product.reference_item = _reference_item_to_link(values["reference_item_id"])
    if "is_active" in values:
        product.is_active = bool(values["is_active"])
    _require_reference_price(product)


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise InvalidInput(
            _("Kategori '%(slug)s' tidak dikenal.") % {"slug": slug}, field="category_slug"
        )
    return category


def _reference_item_to_link(item_id: int | None) -> ReferenceItem | None:
    if item_id is None:
        return None
    # A new link is checked under the item's lock, held until our commit: a city admin's new
    # price reprices only the products it sees linked, and would miss this one if it slipped in
    # between. No deadlock: the repricing holds the item and waits only for products already
    # linked to it, which this one is not yet. An existing link needs no lock: the repricing
    # waits for our lock on the product row and applies after us.
    item = ReferenceItem.objects.select_for_update().filter(pk=item_id, is_active=True).first()
    if item is None:
        raise InvalidInput(_("Barang harga acuan tidak dikenal."), field="reference_item_id")
    return item


def _require_reference_price(product: Product) -> None:
    item = product.reference_item
    if item is None:
        return
    problem = rules.reference_mismatch(
        price=product.price, unit=product.unit, reference_price=item.price, reference_unit=item.unit
    )
    if problem:
        raise ReferencePriceMismatch(
            problem, field="price", expected_price=item.price, expected_unit=item.unit
        )


def _prohibited_match(product: Product) -> rules.ProhibitedMatch | None:
    terms = ProhibitedTerm.objects.filter(is_active=True).values_list("term", "reason")
    return rules.prohibited_match(name=product.name, description=product.description, terms=terms)


def _search_text(product: Product) -> str:
    return rules.search_text_for(
        name=product.name, description=product.description, merchant_name=product.merchant.name
    )
