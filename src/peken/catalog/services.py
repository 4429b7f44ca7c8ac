"""Writes on the catalog: products and their photos, the officer's review of held products,
reference prices (harga acuan) and the list of prohibited goods.

Services own their transaction. Changes by an officer or a city admin are audited; a shop owner's
own edits to their own products are not (they are the owner's business, not an act of office).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from peken.accounts import permissions
from peken.accounts.models import Role
from peken.catalog import rules
from peken.catalog.models import (
    Category,
    Product,
    ProductPhoto,
    ProhibitedTerm,
    ReferenceItem,
    Unit,
)
from peken.core.audit import audit_record, changed_fields, snapshot
from peken.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from peken.core.images import image_clean
from peken.merchants.models import Merchant

# --- errors -----------------------------------------------------------------------------------


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = "Produk tidak ditemukan."


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = "Foto tidak ditemukan pada produk ini."


class ReferenceItemNotFound(NotFound):
    code = "reference_item_not_found"
    default_message = "Barang harga acuan tidak ditemukan."


class ProhibitedTermNotFound(NotFound):
    code = "prohibited_term_not_found"
    default_message = "Kata terlarang tidak ditemukan."


class ReferencePriceMismatch(InvalidInput):
    code = "reference_price_mismatch"
    default_message = "Harga produk harus sama dengan harga acuan kota."


class TooManyPhotos(Conflict):
    code = "too_many_photos"
    default_message = f"Satu produk paling banyak {rules.MAX_PHOTOS} foto. Hapus satu foto dulu."


class ReferenceItemExists(Conflict):
    code = "reference_item_exists"
    default_message = "Barang harga acuan dengan nama, merek, varian dan satuan ini sudah ada."


class ProhibitedTermExists(Conflict):
    code = "prohibited_term_exists"
    default_message = "Kata ini sudah ada dalam daftar barang terlarang."


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
def _rule_errors() -> Iterator[None]:
    try:
        yield
    except rules.CatalogRuleError as error:
        raise InvalidInput(str(error), field=error.field) from error


def _require_city_admin(actor) -> None:
    # Superusers open the back office too (peken.admin_site); they act as a city admin there.
    if getattr(actor, "is_superuser", False):
        return
    permissions.require_role(actor, Role.CITY_ADMIN)


def _require_manager(actor, merchant: Merchant) -> bool:
    """The owner, or an officer of the shop's area or a city admin entering goods for an owner
    who is not online (as officers register such shops). True when acting for the owner."""
    if actor.is_authenticated and actor.pk == merchant.owner_id:
        return False
    permissions.require_area(actor, merchant.kelurahan)
    return True


# --- products ---------------------------------------------------------------------------------


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
    on_behalf = _require_manager(actor, merchant)
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
    on_behalf = _require_manager(actor, product.merchant)
    with transaction.atomic():
        locked = _locked(product)
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


def _locked(product: Product) -> Product:
    # No select_related here: PostgreSQL cannot lock the nullable side of an outer join
    # (reference_item), and the caller already holds the merchant.
    locked = Product.objects.select_for_update().get(pk=product.pk)
    locked.merchant = product.merchant
    return locked


def _apply(product: Product, **values) -> None:
    """Checks and sets the given values on an unsaved or locked product, inside the caller's
    transaction."""
    with _rule_errors():
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
        product.unit = _unit(values["unit"])
    if "category_slug" in values:
        product.category = _category(values["category_slug"])
    if values.get("reference_item_id", product.reference_item_id) != product.reference_item_id:
        product.reference_item = _reference_item_to_link(values["reference_item_id"])
    if "is_active" in values:
        product.is_active = bool(values["is_active"])
    _require_reference_price(product)


def _unit(unit: str) -> str:
    if unit not in Unit.values:
        raise InvalidInput(
            f"Satuan '{unit}' tidak dikenal ({', '.join(Unit.values)}).", field="unit"
        )
    return str(unit)


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise InvalidInput(f"Kategori '{slug}' tidak dikenal.", field="category_slug")
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
        raise InvalidInput("Barang harga acuan tidak dikenal.", field="reference_item_id")
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


# --- photos -----------------------------------------------------------------------------------


def product_photo_add(*, actor, product: Product, upload) -> ProductPhoto:
    """Adds the upload, re-encoded as WebP, as the product's last photo; at most MAX_PHOTOS."""
    on_behalf = _require_manager(actor, product.merchant)
    clean = image_clean(upload)  # before taking the lock: re-encoding takes a moment
    with transaction.atomic():
        # The product row is the lock: two uploads at once cannot both become the fifth photo.
        locked = _locked(product)
        positions = list(locked.photos.values_list("position", flat=True))
        if len(positions) >= rules.MAX_PHOTOS:
            raise TooManyPhotos()
        photo = ProductPhoto(
            product=locked,
            width=clean.width,
            height=clean.height,
            position=max(positions, default=-1) + 1,
        )
        photo.image.save(clean.file.name, clean.file, save=False)
        try:
            photo.save()
            if on_behalf:
                audit_record(
                    actor=actor,
                    action="product.photo_add",
                    target=locked,
                    after={"photo": photo.image.name},
                )
        except Exception:
            photo.image.storage.delete(photo.image.name)
            raise
    return photo


def product_photo_remove(*, actor, product: Product, photo_id: int) -> None:
    """Removes one photo of this product; the file goes once the removal is committed."""
    on_behalf = _require_manager(actor, product.merchant)
    with transaction.atomic():
        photo = ProductPhoto.objects.filter(product=product, pk=photo_id).first()
        if photo is None:
            raise PhotoNotFound()
        photo.delete()
        if on_behalf:
            audit_record(
                actor=actor,
                action="product.photo_remove",
                target=product,
                before={"photo": photo.image.name},
            )
        transaction.on_commit(partial(photo.image.storage.delete, photo.image.name))


# --- review of held products ------------------------------------------------------------------


def product_approve(*, actor, product: Product) -> Product:
    """An officer of the shop's area, or a city admin, lets a held or rejected product be sold."""
    _require_reviewer(actor, product)
    return _review_set(actor=actor, product=product, review=rules.Review(rules.APPROVED, ""))


def product_reject(*, actor, product: Product, reason: str) -> Product:
    """An officer of the shop's area, or a city admin, refuses a product; the owner sees why."""
    _require_reviewer(actor, product)
    with _rule_errors():
        reason = rules.check_review_reason(reason)
    return _review_set(actor=actor, product=product, review=rules.Review(rules.REJECTED, reason))


def _require_reviewer(actor, product: Product) -> None:
    permissions.require_area(actor, product.merchant.kelurahan)
    if actor.pk == product.merchant.owner_id:
        raise PermissionDenied("Produk toko Anda sendiri harus diperiksa petugas lain.")


def _review_set(*, actor, product: Product, review: rules.Review) -> Product:
    fields = ["review", "review_reason"]
    with transaction.atomic():
        locked = _locked(product)
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


# --- reference prices (harga acuan) ------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceItemChange:
    item: ReferenceItem
    products_repriced: int


def reference_item_create(
    *, actor, name: str, brand: str, variant: str = "", unit: str, price: int
) -> ReferenceItem:
    """A city admin fixes the price of one staple (name, brand, variant, unit)."""
    _require_city_admin(actor)
    with _rule_errors():
        price = rules.check_price(price)
        name = rules.check_label(name, "name", "Nama barang")
        brand = rules.check_label(brand, "brand", "Merek")
    item = ReferenceItem(
        name=name, brand=brand, variant=" ".join(variant.split()), unit=_unit(unit), price=price
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
    _require_city_admin(actor)
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
    with _rule_errors():
        if "name" in changes:
            item.name = rules.check_label(changes["name"], "name", "Nama barang")
        if "brand" in changes:
            item.brand = rules.check_label(changes["brand"], "brand", "Merek")
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
    _require_city_admin(actor)
    with _rule_errors():
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


# --- prohibited goods -------------------------------------------------------------------------


def prohibited_term_add(*, actor, term: str, reason: str) -> ProhibitedTerm:
    """A city admin adds a word (or brings back a switched-off one) that holds products.

    Products already on sale are not swept: the word holds a product when its text is next
    written (see rules.review_after_edit)."""
    _require_city_admin(actor)
    with _rule_errors():
        term = rules.normalize_term(term)
        reason = rules.check_label(reason, "reason", "Alasan", max_length=120)
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
    _require_city_admin(actor)
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
