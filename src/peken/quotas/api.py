"""A shop's monthly cap: what it is, what is used, and a city admin's cap for one shop."""

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field, StrictInt

from peken.core.errors import InvalidInput, NotAuthenticated, OutsideArea, PermissionDenied
from peken.core.months import month_or_current
from peken.merchants.selectors import MerchantNotFound, merchant_by_id
from peken.quotas.rules import CAP_MAX, CAP_MIN
from peken.quotas.selectors import quota_status
from peken.quotas.services import merchant_cap_set

router = Router(tags=["pesanan"])
ERRORS_AUTH = [NotAuthenticated.code, PermissionDenied.code]


class QuotaOut(Schema):
    month: str
    cap: int
    used: int
    remaining: int


@router.get(
    "/merchants/{merchant_id}/quota",
    response=QuotaOut,
    openapi_extra={
        "x-error-codes": [
            *ERRORS_AUTH,
            OutsideArea.code,
            MerchantNotFound.code,
            InvalidInput.code,
        ]
    },
)
def merchant_quota(request, merchant_id: int, month: str | None = None):
    """The shop's cap, ASN turnover and what is left in a WIB month (default: this month)."""
    merchant = merchant_by_id(merchant_id=merchant_id)
    period = month_or_current(month, now=timezone.now())
    return quota_status(viewer=request.user, merchant=merchant, month=period)


# The range is documented, and checked by the service: its refusal reads as a sentence.
CAP_RANGE = {"minimum": CAP_MIN, "maximum": CAP_MAX}


class CapIn(Schema):
    cap: StrictInt | None = Field(
        ...,
        description="Rupiah, 1 sampai 10^12; null: kembali ke batas kota",
        json_schema_extra=CAP_RANGE,
    )


@router.put(
    "/admin/merchants/{merchant_id}/cap",
    response=QuotaOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, MerchantNotFound.code, InvalidInput.code]},
)
def admin_merchant_cap(request, merchant_id: int, payload: CapIn):
    """A city admin gives one shop its own monthly cap."""
    merchant = merchant_by_id(merchant_id=merchant_id)
    merchant_cap_set(actor=request.user, merchant=merchant, cap=payload.cap)
    period = month_or_current(None, now=timezone.now())
    return quota_status(viewer=request.user, merchant=merchant, month=period)
