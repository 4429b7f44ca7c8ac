"""What ordering refuses, each with its stable machine code (the API lists them from here)."""

from django.utils.translation import gettext_lazy

from peken.core.errors import Conflict, InvalidInput, PermissionDenied


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    default_message = gettext_lazy("Stok barang tidak cukup.")


class ProductUnavailable(InvalidInput):
    code = "product_unavailable"
    default_message = gettext_lazy("Barang ini tidak dijual lagi.")


class FulfilmentUnavailable(InvalidInput):
    code = "fulfilment_unavailable"
    default_message = gettext_lazy("Toko ini tidak melayani cara pengambilan tersebut.")


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"
    default_message = gettext_lazy(
        "Idempotency-Key ini sudah dipakai untuk isi keranjang yang lain."
    )


class OrderStatusConflict(Conflict):
    code = "order_status_conflict"
    default_message = gettext_lazy("Status pesanan sudah berubah.")


class CompletionNeedsBuyer(Conflict):
    code = "completion_needs_buyer"
    default_message = gettext_lazy(
        "Pesanan selesai bila pembeli menyatakan sudah menerimanya, atau otomatis bila pembeli "
        "tidak menanggapi dalam batas waktu. Toko tidak dapat menyelesaikannya sendiri."
    )


class NotABuyer(PermissionDenied):
    code = "not_a_buyer"
    default_message = gettext_lazy("Hanya ASN dan warga terdaftar yang dapat berbelanja.")


def codes(*errors: type) -> list[str]:
    """The machine codes of `errors`, for an operation's `x-error-codes`."""
    return [error.code for error in errors]
