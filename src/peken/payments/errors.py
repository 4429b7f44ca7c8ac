"""Payment errors with stable codes (the gateway's own are in gateways/base.py)."""

from django.utils.translation import gettext_lazy

from peken.core.errors import Conflict, InvalidInput


class NothingToPay(Conflict):
    code = "nothing_to_pay"
    default_message = gettext_lazy("Tidak ada pesanan yang menunggu pembayaran di checkout ini.")


class ComplaintNotAllowed(Conflict):
    code = "complaint_not_allowed"
    default_message = gettext_lazy("Komplain tidak dapat diajukan untuk pesanan ini.")


class ComplaintAlreadyDecided(ComplaintNotAllowed):
    code = "complaint_already_decided"
    default_message = gettext_lazy(
        "Komplain atas pesanan ini sudah diputuskan. Satu pesanan hanya dapat dikomplain sekali."
    )


class ComplaintStatusConflict(Conflict):
    code = "complaint_status_conflict"
    default_message = gettext_lazy("Komplain ini sudah diputuskan atau belum dijawab.")


class RefundTooLarge(InvalidInput):
    code = "refund_too_large"
    default_message = gettext_lazy("Nominal pengembalian melebihi sisa nilai pesanan.")
