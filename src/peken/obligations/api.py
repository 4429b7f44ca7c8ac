from django.utils import timezone
from ninja import Router, Schema

from peken.core.masking import mask_nik
from peken.core.months import month_or_current
from peken.obligations import selectors

router = Router(tags=["kewajiban"])


class ObligationOut(Schema):
    month: str
    required: int
    spent: int
    remaining: int
    is_met: bool
    is_exempt: bool
    is_closed: bool


@router.get(
    "/me/obligation",
    response=ObligationOut,
    openapi_extra={"x-error-codes": ["not_authenticated", "not_an_asn", "invalid_input"]},
)
def my_obligation(request, month: str | None = None):
    """The signed-in ASN's minimum for a WIB month, what they spent and what is left."""
    period = month_or_current(month, now=timezone.now())
    figures = selectors.obligation_of(user=request.user, month=period)
    return {
        "month": str(period),
        **figures.__dict__,
        "is_closed": selectors.is_closed(period),
    }


class ComplianceRowOut(Schema):
    nip: str
    full_name: str
    nik: str
    golongan: str
    eselon: str
    required: int
    spent: int
    shortfall: int
    is_met: bool
    is_exempt: bool


class ComplianceOut(Schema):
    month: str
    opd_code: str
    opd_name: str
    is_closed: bool
    asn_count: int
    met_count: int
    items: list[ComplianceRowOut]
    count: int


@router.get(
    "/opd/{opd_code}/compliance",
    response=ComplianceOut,
    openapi_extra={
        "x-error-codes": ["not_authenticated", "permission_denied", "not_found", "invalid_input"]
    },
)
def opd_compliance(request, opd_code: str, month: str | None = None, page: int = 1):
    """Every ASN of the OPD with required, spent and shortfall, the largest shortfall first
    (its OPD admin, city admins, auditors). 100 a page; counts cover the whole OPD."""
    period = month_or_current(month, now=timezone.now())
    compliance = selectors.opd_compliance(viewer=request.user, opd_code=opd_code, month=period)
    opd, results = compliance.opd, compliance.results
    page = max(1, page)
    shown = results[(page - 1) * 100 : page * 100]
    return {
        "month": str(period),
        "opd_code": opd.code,
        "opd_name": opd.name,
        "is_closed": compliance.is_closed,
        "asn_count": len(results),
        "met_count": sum(result.figures.is_met for result in results),
        "count": len(results),
        "items": [
            {
                "nip": result.asn.nip,
                "full_name": result.asn.user.full_name,
                "nik": mask_nik(result.asn.user.nik),
                "golongan": result.asn.golongan,
                "eselon": result.asn.eselon,
                "required": result.figures.required,
                "spent": result.figures.spent,
                "shortfall": result.figures.remaining,
                "is_met": result.figures.is_met,
                "is_exempt": result.figures.is_exempt,
            }
            for result in shown
        ],
    }
