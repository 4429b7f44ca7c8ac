"""The city's policy: the default cap and the switches, read by city readers, set by admins."""

from ninja import Router, Schema
from pydantic import Field, StrictInt

from peken.accounts.permissions import require_city_reader
from peken.core.errors import InvalidInput, NotAuthenticated, PermissionDenied
from peken.policy.selectors import policy_current
from peken.policy.services import policy_update
from peken.quotas.api import CAP_RANGE

router = Router(tags=["pesanan"])
ERRORS_AUTH = [NotAuthenticated.code, PermissionDenied.code]


class PolicyIn(Schema):
    default_cap: StrictInt | None = Field(
        None, description="Rupiah, 1 sampai 10^12", json_schema_extra=CAP_RANGE
    )
    warga_orders_count_toward_cap: bool | None = None
    fair_ranking: bool | None = None
    obligation_home_kecamatan_only: bool | None = None
    payment_timeout_minutes: StrictInt | None = Field(None, ge=5, le=24 * 60)
    acceptance_timeout_hours: StrictInt | None = Field(None, ge=1, le=7 * 24)


class PolicyOut(Schema):
    default_cap: int
    warga_orders_count_toward_cap: bool
    fair_ranking: bool
    obligation_home_kecamatan_only: bool
    payment_timeout_minutes: int
    acceptance_timeout_hours: int


@router.get("/admin/policy", response=PolicyOut, openapi_extra={"x-error-codes": ERRORS_AUTH})
def admin_policy(request):
    require_city_reader(request.user)
    return policy_current()


@router.put(
    "/admin/policy",
    response=PolicyOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, InvalidInput.code]},
)
def admin_policy_update(request, payload: PolicyIn):
    """A city admin sets the default cap and the switches; only the fields sent change."""
    changes = {key: value for key, value in payload.dict().items() if value is not None}
    return policy_update(actor=request.user, **changes)
