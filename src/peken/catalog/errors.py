"""The catalog's errors, each with a stable machine code (see peken.core.errors)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from peken.catalog import rules
from peken.core.errors import Conflict, InvalidInput, NotFound, lazy_message


class ProductNotFound(NotFound):
    code = "product_not_found"
    default_message = _("Produk tidak ditemukan.")


class PhotoNotFound(NotFound):
    code = "photo_not_found"
    default_message = _("Foto tidak ditemukan pada produk ini.")


class ReferenceItemNotFound(NotFound):
    code = "reference_item_not_found"
    default_message = _("Barang harga acuan tidak ditemukan.")


class ProhibitedTermNotFound(NotFound):
    code = "prohibited_term_not_found"
    default_message = _("Kata terlarang tidak ditemukan.")


class ReferencePriceMismatch(InvalidInput):
    code = "reference_price_mismatch"
    default_message = _("Harga produk harus sama dengan harga acuan kota.")


class TooManyPhotos(Conflict):
    code = "too_many_photos"
    default_message = lazy_message(
        gettext_noop("Satu produk paling banyak %(maximum)s foto. Hapus satu foto dulu."),
        maximum=rules.MAX_PHOTOS,
    )


class ReferenceItemExists(Conflict):
    code = "reference_item_exists"
    default_message = _("Barang harga acuan dengan nama, merek, varian dan satuan ini sudah ada.")


class ProhibitedTermExists(Conflict):
    code = "prohibited_term_exists"
    default_message = _("Kata ini sudah ada dalam daftar barang terlarang.")
