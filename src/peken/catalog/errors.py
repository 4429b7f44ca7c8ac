"""The catalog's errors, each with a stable machine code (see peken.core.errors)."""

from peken.catalog import rules
from peken.core.errors import Conflict, InvalidInput, NotFound


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
