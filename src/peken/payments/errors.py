"""Payment errors with stable codes (the gateway's own are in gateways/base.py)."""

from django.utils.translation import gettext_lazy

from peken.core.errors import Conflict, InvalidInput


class NothingToPay(Conflict):
    code = "nothing_to_pay"
    default_message = gettext_lazy("Tidak ada pesanan yang menunggu pembayaran di checkout ini.")


class ComplaintNotAllowed(Conflict):
    code = "complaint_not_allowed"
    default_message = gettext_lazy("Komplain tidak dapat diajukan untuk pesanan ini.")


class ComplaintStatusConflict(Conflict):
    code = "complaint_status_conflict"
    default_message = gettext_lazy("Komplain ini sudah diputuskan atau belum dijawab.")


class RefundTooLarge(InvalidInput):
    code = "refund_too_large"
    default_message = gettext_lazy("Nominal pengembalian melebihi sisa nilai pesanan.")
