"""Writes on the catalog: products and their photos, the officer's review of held products,
reference prices (harga acuan) and the list of prohibited goods.

Services own their transaction. Changes by an officer or a city admin are audited; a shop owner's
own edits to their own products are not (they are the owner's business, not an act of office).
"""

from peken.catalog.errors import (
    PhotoNotFound,
    ProductNotFound,
    ProhibitedTermExists,
    ProhibitedTermNotFound,
    ReferenceItemExists,
    ReferenceItemNotFound,
    ReferencePriceMismatch,
    TooManyPhotos,
)
from peken.catalog.services.photos import product_photo_add, product_photo_remove
from peken.catalog.services.products import product_create, product_deactivate, product_update
from peken.catalog.services.prohibited import prohibited_term_add, prohibited_term_deactivate
from peken.catalog.services.reference_prices import (
    ReferenceItemChange,
    reference_item_create,
    reference_item_set_price,
    reference_item_update,
)
from peken.catalog.services.review import product_approve, product_reject

__all__ = [
    "PhotoNotFound",
    "ProductNotFound",
    "ProhibitedTermExists",
    "ProhibitedTermNotFound",
    "ReferenceItemChange",
    "ReferenceItemExists",
    "ReferenceItemNotFound",
    "ReferencePriceMismatch",
    "TooManyPhotos",
    "product_approve",
    "product_create",
    "product_deactivate",
    "product_photo_add",
    "product_photo_remove",
    "product_reject",
    "product_update",
    "prohibited_term_add",
    "prohibited_term_deactivate",
    "reference_item_create",
    "reference_item_set_price",
    "reference_item_update",
]
