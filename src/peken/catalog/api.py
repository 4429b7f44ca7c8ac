"""The catalog API: categories and reference prices for everyone, a product's public page, the
shop owner's own products, the officer's queue of held products, and the city admin's lists.

Buyers' product lists and search live in search_api. Views parse, call one service or selector
and render; the rules are in rules.py and services.py."""

import datetime as dt
from typing import Annotated

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from peken.catalog import rules, selectors, services
from peken.catalog.models import Unit
from peken.core.pagination import PageNumberPagination
from peken.merchants import selectors as merchant_selectors

router = Router(tags=["katalog"])
ERRORS_AUTH = ["not_authenticated", "permission_denied"]
ERRORS_PRODUCT_WRITE = [
    "not_authenticated",
    "product_not_found",
    "invalid_input",
    "reference_price_mismatch",
]

# Money and counts arrive as JSON integers only: 1.5, "10rb", "10000" or true are refused (422).
Price = Annotated[
    int,
    Field(strict=True, gt=0, le=rules.MAX_PRICE, description="Harga dalam rupiah, bilangan bulat"),
]
Stock = Annotated[int, Field(strict=True, ge=0, le=rules.MAX_STOCK)]
StrictBool = Annotated[bool, Field(strict=True)]


# --- what the API shows -----------------------------------------------------------------------


class CategoryOut(Schema):
    slug: str
    name: str


class ReferenceItemOut(Schema):
    id: int
    name: str
    brand: str
    variant: str
    unit: str
    price: int
    is_active: bool


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int

    @staticmethod
    def resolve_url(photo, context) -> str:
        return context["request"].build_absolute_uri(photo.image.url)


class MerchantBriefOut(Schema):
    id: int
    name: str
    kelurahan: str = Field(..., alias="kelurahan.name")
    kecamatan: str = Field(..., alias="kelurahan.kecamatan.name")


class ProductOut(Schema):
    id: int
    name: str
    description: str
    category: str = Field(..., alias="category.slug")
    category_name: str = Field(..., alias="category.name")
    price: int
    unit: str
    stock: int
    is_made_to_order: bool
    is_in_stock: bool
    reference_item_id: int | None
    photos: list[PhotoOut]

    @staticmethod
    def resolve_photos(product) -> list:
        return list(product.photos.all())


class PublicProductOut(ProductOut):
    merchant: MerchantBriefOut


class MyProductOut(ProductOut):
    merchant_id: int
    merchant_name: str = Field(..., alias="merchant.name")
    is_active: bool
    review: str = Field(..., description="approved, on_hold (ditahan) atau rejected (ditolak)")
    review_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime


class HeldProductOut(ProductOut):
    merchant: MerchantBriefOut
    review_reason: str
    updated_at: dt.datetime


class ProhibitedTermOut(Schema):
    id: int
    term: str
    reason: str
    is_active: bool


# --- what the API takes -----------------------------------------------------------------------


class ProductIn(Schema):
    merchant_id: int
    name: str = Field(..., min_length=1, max_length=rules.MAX_NAME)
    description: str = Field("", max_length=rules.MAX_DESCRIPTION)
    category_slug: str = Field(..., max_length=50)
    price: Price
    unit: Unit
    stock: Stock = Field(0, description="Diabaikan (disimpan 0) untuk produk pesanan")
    is_made_to_order: StrictBool = False
    reference_item_id: int | None = Field(None, description="Barang harga acuan yang diikuti")


# In the change schemas a field left out stays as it is; an explicit null is refused (422),
# except reference_item_id, where null unlinks the product from its reference item.
class ProductChangeIn(Schema):
    name: str = Field(None, min_length=1, max_length=rules.MAX_NAME)
    description: str = Field(None, max_length=rules.MAX_DESCRIPTION)
    category_slug: str = Field(None, max_length=50)
    price: Price = None
    unit: Unit = None
    stock: Stock = None
    is_made_to_order: StrictBool = None
    reference_item_id: int | None = None
    is_active: StrictBool = None


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=rules.MAX_REVIEW_REASON)


class ReferenceItemIn(Schema):
    name: str = Field(..., max_length=80)
    brand: str = Field(..., max_length=80)
    variant: str = Field("", max_length=80)
    unit: Unit
    price: Price


class ReferenceItemChangeIn(Schema):
    name: str = Field(None, max_length=80)
    brand: str = Field(None, max_length=80)
    variant: str = Field(None, max_length=80)
    price: Price = None
    is_active: StrictBool = None


class ReferenceItemChangeOut(Schema):
    item: ReferenceItemOut
    products_repriced: int = Field(..., description="Produk yang harganya ikut diubah")


class ProhibitedTermIn(Schema):
    term: str = Field(..., max_length=60)
    reason: str = Field(..., max_length=120)


# --- public -----------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None)
def category_list(request):
    return list(selectors.categories())


@router.get("/reference-items", response=list[ReferenceItemOut], auth=None)
def reference_item_list(request):
    """Reference prices (harga acuan) in force: the same brand costs the same at every toko."""
    return list(selectors.reference_items())


@router.get(
    "/products/{product_id}",
    response={200: PublicProductOut, 404: dict},
    auth=None,
    openapi_extra={"x-error-codes": ["product_not_found"]},
)
def product_detail(request, product_id: int):
    """A product buyers may see: active, approved, of a verified shop."""
    return selectors.product_public_get(product_id=product_id)


# --- the shop owner's products ----------------------------------------------------------------


@router.get(
    "/my/products",
    response=list[MyProductOut],
    openapi_extra={"x-error-codes": ["not_authenticated"]},
)
@paginate(PageNumberPagination, page_size=50)
def my_product_list(request, merchant_id: int | None = None):
    """The signed-in owner's products, inactive and held ones too, with their review status."""
    return selectors.products_of_owner(owner=request.user, merchant_id=merchant_id)


@router.post(
    "/my/products",
    response={201: MyProductOut, 404: dict, 422: dict},
    openapi_extra={
        "x-error-codes": [
            "not_authenticated",
            "merchant_not_found",
            "invalid_input",
            "reference_price_mismatch",
        ]
    },
)
def my_product_create(request, payload: ProductIn):
    """A new product. A prohibited word puts it on hold (review=on_hold, reason says which)."""
    values = payload.dict()
    merchant_id = values.pop("merchant_id")
    merchant = merchant_selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)
    product = services.product_create(actor=request.user, merchant=merchant, **values)
    return Status(201, selectors.product_of_owner(owner=request.user, product_id=product.pk))


@router.get(
    "/my/products/{product_id}",
    response={200: MyProductOut, 404: dict},
    openapi_extra={"x-error-codes": ["not_authenticated", "product_not_found"]},
)
def my_product_detail(request, product_id: int):
    return selectors.product_of_owner(owner=request.user, product_id=product_id)


@router.patch(
    "/my/products/{product_id}",
    response={200: MyProductOut, 404: dict, 422: dict},
    openapi_extra={"x-error-codes": ERRORS_PRODUCT_WRITE},
)
def my_product_change(request, product_id: int, payload: ProductChangeIn):
    """Changes the fields sent. New words in the name or description are checked again."""
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    services.product_update(actor=request.user, product=product, **payload.dict(exclude_unset=True))
    return selectors.product_of_owner(owner=request.user, product_id=product_id)


@router.delete(
    "/my/products/{product_id}",
    response={204: None, 404: dict},
    openapi_extra={"x-error-codes": ["not_authenticated", "product_not_found"]},
)
def my_product_deactivate(request, product_id: int):
    """Takes the product off sale (kept for past orders; PATCH is_active=true brings it back)."""
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    services.product_deactivate(actor=request.user, product=product)
    return Status(204, None)


@router.post(
    "/my/products/{product_id}/photos",
    response={201: PhotoOut, 404: dict, 409: dict, 422: dict},
    openapi_extra={
        "x-error-codes": [
            "not_authenticated",
            "product_not_found",
            "image_invalid",
            "too_many_photos",
        ]
    },
)
def my_product_photo_add(request, product_id: int, file: File[UploadedFile]):
    """A JPEG, PNG or WebP photo up to 2 MB, stored re-encoded as WebP; five per product."""
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    return Status(201, services.product_photo_add(actor=request.user, product=product, upload=file))


@router.delete(
    "/my/products/{product_id}/photos/{photo_id}",
    response={204: None, 404: dict},
    openapi_extra={"x-error-codes": ["not_authenticated", "product_not_found", "photo_not_found"]},
)
def my_product_photo_remove(request, product_id: int, photo_id: int):
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    services.product_photo_remove(actor=request.user, product=product, photo_id=photo_id)
    return Status(204, None)


# --- officers: held products ------------------------------------------------------------------


@router.get(
    "/officer/products/held",
    response=list[HeldProductOut],
    openapi_extra={"x-error-codes": ERRORS_AUTH},
)
@paginate(PageNumberPagination, page_size=50)
def held_product_list(request):
    """Products on hold in the officer's area (the whole city for city admins), oldest first."""
    return selectors.products_held(viewer=request.user)


@router.post(
    "/officer/products/{product_id}/approve",
    response={200: HeldProductOut, 403: dict, 404: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "outside_area", "product_not_found"]},
)
def held_product_approve(request, product_id: int):
    """Lets a held or rejected product be sold; audited."""
    product = selectors.product_for_review(product_id=product_id)
    return services.product_approve(actor=request.user, product=product)


@router.post(
    "/officer/products/{product_id}/reject",
    response={200: HeldProductOut, 403: dict, 404: dict, 422: dict},
    openapi_extra={
        "x-error-codes": [*ERRORS_AUTH, "outside_area", "product_not_found", "invalid_input"]
    },
)
def held_product_reject(request, product_id: int, payload: RejectIn):
    """Refuses a product with a reason the owner sees; audited."""
    product = selectors.product_for_review(product_id=product_id)
    return services.product_reject(actor=request.user, product=product, reason=payload.reason)


# --- city admin: reference prices and prohibited goods ----------------------------------------


@router.post(
    "/admin/reference-items",
    response={201: ReferenceItemOut, 403: dict, 409: dict, 422: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "invalid_input", "reference_item_exists"]},
)
def reference_item_create(request, payload: ReferenceItemIn):
    return Status(201, services.reference_item_create(actor=request.user, **payload.dict()))


@router.patch(
    "/admin/reference-items/{item_id}",
    response={200: ReferenceItemChangeOut, 403: dict, 404: dict, 409: dict, 422: dict},
    openapi_extra={
        "x-error-codes": [
            *ERRORS_AUTH,
            "reference_item_not_found",
            "invalid_input",
            "reference_item_exists",
        ]
    },
)
def reference_item_change(request, item_id: int, payload: ReferenceItemChangeIn):
    """A new price goes to every linked product at once (`products_repriced` says how many)."""
    item = selectors.reference_item_get(item_id=item_id)
    return services.reference_item_update(
        actor=request.user, item=item, **payload.dict(exclude_unset=True)
    )


@router.get(
    "/admin/prohibited-terms",
    response=list[ProhibitedTermOut],
    openapi_extra={"x-error-codes": ERRORS_AUTH},
)
def prohibited_term_list(request):
    return list(selectors.prohibited_terms(viewer=request.user))


@router.post(
    "/admin/prohibited-terms",
    response={201: ProhibitedTermOut, 403: dict, 409: dict, 422: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "invalid_input", "prohibited_term_exists"]},
)
def prohibited_term_add(request, payload: ProhibitedTermIn):
    """Adds a word that holds products; it applies to products written from now on."""
    return Status(201, services.prohibited_term_add(actor=request.user, **payload.dict()))


@router.delete(
    "/admin/prohibited-terms/{term_id}",
    response={204: None, 403: dict, 404: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "prohibited_term_not_found"]},
)
def prohibited_term_deactivate(request, term_id: int):
    """Switches the word off (it stays in the list, inactive)."""
    entry = selectors.prohibited_term_get(term_id=term_id)
    services.prohibited_term_deactivate(actor=request.user, entry=entry)
    return Status(204, None)
