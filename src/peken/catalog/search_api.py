"""Public search: `GET /products` and `GET /merchants` (peken.catalog.search does the work)."""

from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from peken.accounts.api_auth import OPTIONAL
from peken.catalog import search
from peken.catalog.fairness import shopper_of
from peken.catalog.search_keywords import COUNT_CAP
from peken.core.db_router import is_anonymous_request, reads_may_lag

router = Router(tags=["cari"])

SEARCH_ERRORS = ["invalid_input", "query_too_long", "unknown_kecamatan", "unknown_kelurahan"]
NEAR_ERRORS = ["near_required"]


class RegionOut(Schema):
    code: str
    name: str


class ProductMerchantOut(Schema):
    id: int
    name: str
    kind: str
    kelurahan: RegionOut
    kecamatan: RegionOut

    @staticmethod
    def resolve_kecamatan(merchant):
        return merchant.kelurahan.kecamatan


class ProductHitOut(Schema):
    id: int
    name: str
    price: int = Field(..., description="Rupiah, bilangan bulat")
    unit: str
    stock: int
    is_made_to_order: bool
    category: str = Field(..., description="Slug kategori")
    merchant: ProductMerchantOut
    distance_km: float | None = Field(None, description="Dari kelurahan `near`, antar-titik tengah")

    @staticmethod
    def resolve_category(product):
        return product.category.slug


class MerchantHitOut(Schema):
    id: int
    name: str
    kind: str
    line: str
    kelurahan: RegionOut
    kecamatan: RegionOut
    is_mbr: bool
    distance_km: float | None = None

    @staticmethod
    def resolve_kecamatan(merchant):
        return merchant.kelurahan.kecamatan


class PageOut(Schema):
    total: int = Field(..., description=f"Berhenti dihitung di {COUNT_CAP:,}")
    total_is_exact: bool
    page: int
    page_size: int
    has_next: bool
    is_fuzzy: bool = Field(..., description="Ejaan yang mirip ikut dicari (sedikit hasil persis)")


class ProductPageOut(PageOut):
    items: list[ProductHitOut]


class MerchantPageOut(PageOut):
    items: list[MerchantHitOut]


SORT_HELP = (
    "Bawaan untuk ASN (selama kota menyalakan urutan adil): `fair` — toko di kelurahan "
    "sendiri, lalu kecamatan, lalu yang terdekat; yang omzet ASN-nya bulan ini lebih kecil "
    "lebih dulu. Bagi yang lain: `relevance` bila ada kata kunci, selain itu `{default}`."
)
PAGE = Field(1, ge=1, le=search.PAGE_MAX)
PAGE_SIZE = Field(search.PAGE_SIZE_DEFAULT, ge=1, le=search.PAGE_SIZE_MAX)


class ProductQuery(Schema):
    q: str = Field("", description=f"Kata kunci, paling banyak {search.QUERY_MAX_LENGTH} karakter")
    category: str | None = Field(None, description="Slug kategori, mis. `sembako`")
    merchant_kind: Literal["toko_kelontong", "umkm"] | None = None
    kecamatan: str | None = Field(None, description="Kode Kemendagri, mis. `35.78.05`")
    kelurahan: str | None = Field(None, description="Kode Kemendagri, mis. `35.78.05.1003`")
    min_price: int | None = Field(None, ge=0)
    max_price: int | None = Field(None, ge=0)
    in_stock: bool = Field(False, description="Hanya yang ada stok atau dibuat sesuai pesanan")
    sort: Literal["relevance", "price_asc", "price_desc", "newest", "nearest", "fair"] | None = (
        Field(None, description=SORT_HELP.format(default="newest"))
    )
    near: str | None = Field(None, description="Kode kelurahan asal untuk `nearest`")
    page: int = PAGE
    page_size: int = PAGE_SIZE


class MerchantQuery(Schema):
    q: str = Field("", description=f"Kata kunci, paling banyak {search.QUERY_MAX_LENGTH} karakter")
    kind: Literal["toko_kelontong", "umkm"] | None = None
    line: Literal["kuliner", "kerajinan", "fashion", "lainnya"] | None = None
    kecamatan: str | None = None
    kelurahan: str | None = None
    sort: Literal["relevance", "name", "newest", "nearest", "fair"] | None = Field(
        None, description=SORT_HELP.format(default="name")
    )
    near: str | None = Field(None, description="Kode kelurahan asal untuk `nearest`")
    page: int = PAGE
    page_size: int = PAGE_SIZE


def page_out(found: search.SearchPage) -> dict:
    return {
        "items": found.items,
        "total": found.total,
        "total_is_exact": found.total_is_exact,
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
        "is_fuzzy": found.is_fuzzy,
    }


@router.get(
    "/products",
    response={200: ProductPageOut, 422: dict},
    auth=OPTIONAL,
    openapi_extra={
        "x-error-codes": [*SEARCH_ERRORS, "unknown_category", "price_range_invalid", *NEAR_ERRORS]
    },
)
@reads_may_lag(when=is_anonymous_request)  # a visitor's search may lag (the replica)
def product_list(request, filters: Query[ProductQuery]):
    """Produk yang boleh dibeli: kata kunci (tahan salah ketik), saringan, urutan, halaman."""
    found = search.product_search(
        q=filters.q,
        category=filters.category,
        merchant_kind=filters.merchant_kind,
        kecamatan=filters.kecamatan,
        kelurahan=filters.kelurahan,
        min_price=filters.min_price,
        max_price=filters.max_price,
        in_stock=filters.in_stock,
        sort=filters.sort,
        near_kelurahan=filters.near,
        page=filters.page,
        page_size=filters.page_size,
        shopper=shopper_of(request.user),
    )
    return page_out(found)


@router.get(
    "/merchants",
    response={200: MerchantPageOut, 422: dict},
    auth=OPTIONAL,
    openapi_extra={"x-error-codes": [*SEARCH_ERRORS, *NEAR_ERRORS]},
)
@reads_may_lag(when=is_anonymous_request)
def merchant_list(request, filters: Query[MerchantQuery]):
    """Toko terverifikasi: kata kunci atas nama dan deskripsi, saringan, urutan, halaman."""
    found = search.merchant_search(
        q=filters.q,
        kind=filters.kind,
        line=filters.line,
        kecamatan=filters.kecamatan,
        kelurahan=filters.kelurahan,
        sort=filters.sort,
        near_kelurahan=filters.near,
        page=filters.page,
        page_size=filters.page_size,
        shopper=shopper_of(request.user),
    )
    return page_out(found)
