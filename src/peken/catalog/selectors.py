"""Reads of the catalog. Lists come with their related rows joined or prefetched, so a page costs
the same few queries however many products it shows."""

from django.db.models import QuerySet

from peken.accounts import access_policy, permissions
from peken.accounts.models import User
from peken.catalog.errors import (
    ProductNotFound,
    ProhibitedTermNotFound,
    ReferenceItemNotFound,
)
from peken.catalog.models import Category, Product, ProhibitedTerm, ReferenceItem
from peken.merchants.models import Merchant


def products_visible() -> QuerySet[Product]:
    """What buyers may see and order: active, approved products of verified merchants."""
    return Product.objects.filter(
        is_active=True,
        review=Product.Review.APPROVED,
        merchant__status=Merchant.Status.VERIFIED,
    )


def product_public_get(*, product_id: int) -> Product:
    """One product as a buyer sees it; held, inactive or unverified-shop products are not found."""
    product = (
        products_visible()
        .select_related("category", "merchant__kelurahan__kecamatan")
        .prefetch_related("photos")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise ProductNotFound()
    return product


# --- a shop owner's own products --------------------------------------------------------------


def products_of_owner(*, owner: User, merchant_id: int | None = None) -> QuerySet[Product]:
    """Every product of the owner's shops, inactive and held ones too, newest first."""
    rows = (
        Product.objects.filter(merchant__owner=owner)
        .select_related("category", "merchant")
        .prefetch_related("photos")
        .order_by("-created_at", "-id")
    )
    if merchant_id is not None:
        rows = rows.filter(merchant_id=merchant_id)
    return rows


def product_of_owner(*, owner: User, product_id: int) -> Product:
    """One of the owner's products. Another shop's product is simply not found: its id tells a
    stranger nothing."""
    product = products_of_owner(owner=owner).filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound()
    return product


# --- officers ---------------------------------------------------------------------------------


def products_held(*, viewer: User) -> QuerySet[Product]:
    """Active products waiting for an officer: those of the officer's area, or the whole city for
    city admins and auditors. Oldest first, as a queue."""
    permissions.require_role(viewer, *access_policy.AREA_READERS)
    rows = (
        Product.objects.filter(review=Product.Review.ON_HOLD, is_active=True)
        .select_related("category", "merchant__kelurahan__kecamatan")
        .prefetch_related("photos")
        .order_by("updated_at", "id")
    )
    area = permissions.area_q(viewer, "merchant__kelurahan")
    return rows if area is None else rows.filter(area)


def product_for_review(*, product_id: int) -> Product:
    """Any product, with the area its shop lies in: the review service decides who may act."""
    product = (
        Product.objects.select_related("merchant__kelurahan__kecamatan", "category")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise ProductNotFound()
    return product


# --- lists the city keeps ---------------------------------------------------------------------


def categories() -> QuerySet[Category]:
    return Category.objects.order_by("position", "name")


def reference_items(*, active_only: bool = True) -> QuerySet[ReferenceItem]:
    rows = ReferenceItem.objects.order_by("name", "brand", "variant")
    return rows.filter(is_active=True) if active_only else rows


def reference_item_get(*, item_id: int) -> ReferenceItem:
    item = ReferenceItem.objects.filter(pk=item_id).first()
    if item is None:
        raise ReferenceItemNotFound()
    return item


def prohibited_terms(*, viewer: User) -> QuerySet[ProhibitedTerm]:
    """The whole list, switched-off words too, for city admins and auditors."""
    permissions.require_city_reader(viewer)
    return ProhibitedTerm.objects.order_by("term")


def prohibited_term_get(*, term_id: int) -> ProhibitedTerm:
    entry = ProhibitedTerm.objects.filter(pk=term_id).first()
    if entry is None:
        raise ProhibitedTermNotFound()
    return entry
