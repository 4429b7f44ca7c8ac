import datetime as dt

from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from peken.accounts.permissions import can_see_owner_nik
from peken.core.masking import mask_account_number, mask_nik
from peken.core.pagination import PageNumberPagination
from peken.merchants import rules, selectors, services
from peken.merchants.models import Merchant

router = Router(tags=["toko"])
ERRORS_AUTH = ["not_authenticated", "permission_denied"]
ERRORS_INPUT = ["invalid_input", "image_invalid"]


class AreaOut(Schema):
    code: str
    name: str


class BankIn(Schema):
    bank_code: str = Field(..., max_length=20, description="Kode bank: " + ", ".join(rules.BANKS))
    account_number: str = Field(..., max_length=30)
    holder_name: str = Field(..., max_length=120)


class BankOut(BankIn):
    pass


class MerchantIn(Schema):
    name: str = Field(..., max_length=120)
    kind: str = Field(..., description="toko_kelontong atau umkm")
    line: str = Field("", description="Bidang UMKM: kuliner, kerajinan, fashion, lainnya")
    description: str = Field("", max_length=2000)
    phone: str = Field(..., max_length=20)
    address: str = Field(..., max_length=300)
    kelurahan_code: str = Field(..., max_length=13)
    is_mbr: bool = False
    nib: str = Field("", max_length=13)
    opening_hours: dict[str, list[str]] = Field(
        default_factory=dict, description='Contoh: {"senin": ["07:00", "21:00"]}'
    )
    bank: BankIn

    def details(self) -> services.MerchantDetails:
        values = self.dict(exclude={"bank", "owner_nik", "owner_full_name", "owner_phone"})
        return services.MerchantDetails(**values, **self.bank.dict())


class MerchantRegisterIn(MerchantIn):
    owner_nik: str = Field("", max_length=16, description="Wajib bila akun Anda belum ber-NIK")


class MerchantForOwnerIn(MerchantIn):
    owner_full_name: str = Field(..., max_length=150)
    owner_nik: str = Field(..., max_length=16)
    owner_phone: str = Field(..., max_length=20)


class MerchantPublicOut(Schema):
    id: int
    name: str
    kind: str
    line: str
    description: str
    phone: str
    address: str
    is_mbr: bool
    opening_hours: dict
    photo_url: str | None
    kelurahan: AreaOut
    kecamatan: AreaOut

    @staticmethod
    def resolve_photo_url(merchant) -> str | None:
        return merchant.photo.url if merchant.photo else None

    @staticmethod
    def resolve_kecamatan(merchant):
        return merchant.kelurahan.kecamatan


class OwnerOut(Schema):
    id: int
    full_name: str
    nik: str


class MerchantManageOut(MerchantPublicOut):
    status: str
    status_label: str
    status_reason: str
    status_changed_at: dt.datetime | None
    nib: str
    bank: BankOut | None
    owner: OwnerOut
    is_registered_by_officer: bool
    owner_consented_at: dt.datetime | None
    is_payout_held: bool

    @staticmethod
    def resolve_is_payout_held(merchant) -> bool:
        account = getattr(merchant, "bank_account", None)
        return bool(account and account.is_payout_held)

    @staticmethod
    def resolve_status_label(merchant) -> str:
        return str(Merchant.Status(merchant.status).label)

    @staticmethod
    def resolve_bank(merchant, context):
        """The full account number only to the shop's owner; anyone else (officer, city admin,
        auditor) sees its last 4 digits. The bank file for payouts reads the model, not this."""
        bank = getattr(merchant, "bank_account", None)
        if bank is None:
            return None
        number = bank.account_number
        if context["request"].user.pk != merchant.owner_id:
            number = mask_account_number(number)
        return {
            "bank_code": bank.bank_code,
            "account_number": number,
            "holder_name": bank.holder_name,
        }

    @staticmethod
    def resolve_is_registered_by_officer(merchant) -> bool:
        return merchant.registered_by_id is not None

    @staticmethod
    def resolve_owner(merchant, context):
        owner, viewer = merchant.owner, context["request"].user
        nik = owner.nik if can_see_owner_nik(viewer, merchant) else mask_nik(owner.nik)
        return {"id": owner.pk, "full_name": owner.full_name, "nik": nik}


class MerchantQueueOut(MerchantManageOut):
    """A shop in a list: the owner's NIK is masked for everyone (the detail shows it to who may
    check it), so a page of 50 shops is not a page of 50 NIKs."""

    @staticmethod
    def resolve_owner(merchant, context):
        owner = merchant.owner
        return {"id": owner.pk, "full_name": owner.full_name, "nik": mask_nik(owner.nik)}


class ReasonIn(Schema):
    reason: str = Field("", max_length=500)


# --- public ---------------------------------------------------------------------------------


@router.get(
    "/merchants/{merchant_id}",
    response=MerchantPublicOut,
    auth=None,
    openapi_extra={"x-error-codes": ["merchant_not_found"]},
)
def merchant_detail(request, merchant_id: int):
    """A verified shop; any other is not found."""
    return selectors.merchant_public(merchant_id=merchant_id)


# --- owners ---------------------------------------------------------------------------------


@router.post(
    "/my/merchants",
    response={201: MerchantManageOut},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, *ERRORS_INPUT, "identity_taken"]},
)
def merchant_register(request, payload: MerchantRegisterIn):
    """Opens a shop as a draft owned by the signed-in person (not an auditor: read-only)."""
    merchant = services.merchant_register(
        actor=request.user, details=payload.details(), owner_nik=payload.owner_nik
    )
    return Status(201, selectors.merchant_of_owner(owner=request.user, merchant_id=merchant.pk))


@router.get("/my/merchants", response=list[MerchantManageOut])
def my_merchants(request):
    """The signed-in person's shops in every status, with the reason of a rejection."""
    return list(selectors.merchants_of_owner(owner=request.user))


@router.get(
    "/my/merchants/{merchant_id}",
    response=MerchantManageOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "merchant_not_found"]},
)
def my_merchant(request, merchant_id: int):
    return selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)


@router.put(
    "/my/merchants/{merchant_id}",
    response=MerchantManageOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, *ERRORS_INPUT, "merchant_not_found"]},
)
def my_merchant_update(request, merchant_id: int, payload: MerchantIn):
    merchant = selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)
    services.merchant_update(actor=request.user, merchant=merchant, details=payload.details())
    return selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)


@router.post(
    "/my/merchants/{merchant_id}/photo",
    response=MerchantManageOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "image_invalid", "merchant_not_found"]},
)
def my_merchant_photo(request, merchant_id: int, photo: File[UploadedFile]):
    """Replaces the shop photo (JPEG, PNG or WebP up to 2 MB; stored re-encoded)."""
    merchant = selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)
    services.merchant_photo_set(actor=request.user, merchant=merchant, upload=photo)
    return selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)


@router.post(
    "/my/merchants/{merchant_id}/submit",
    response=MerchantManageOut,
    openapi_extra={
        "x-error-codes": [*ERRORS_AUTH, "merchant_not_found", "merchant_status_conflict"]
    },
)
def my_merchant_submit(request, merchant_id: int):
    """Asks the kelurahan officer to verify the shop (from draft, or again after a rejection)."""
    merchant = selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)
    services.merchant_transition(actor=request.user, merchant=merchant, action="submit")
    return selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)


@router.post(
    "/my/merchants/{merchant_id}/consent",
    response=MerchantManageOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "merchant_not_found"]},
)
def my_merchant_consent(request, merchant_id: int):
    """The owner confirms a shop an officer registered for them (its data and bank account)."""
    merchant = selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)
    services.merchant_owner_consent(actor=request.user, merchant=merchant)
    return selectors.merchant_of_owner(owner=request.user, merchant_id=merchant_id)


# --- officers -------------------------------------------------------------------------------


@router.post(
    "/officer/merchants",
    response={201: MerchantManageOut},
    openapi_extra={
        "x-error-codes": [*ERRORS_AUTH, *ERRORS_INPUT, "outside_area", "identity_taken"]
    },
)
def merchant_register_for_owner(request, payload: MerchantForOwnerIn):
    """An officer registers a toko on its owner's behalf, inside their own area."""
    merchant = services.merchant_register_for_owner(
        actor=request.user,
        details=payload.details(),
        owner_full_name=payload.owner_full_name,
        owner_nik=payload.owner_nik,
        owner_phone=payload.owner_phone,
    )
    return Status(201, selectors.merchant_for_officer(viewer=request.user, merchant_id=merchant.pk))


@router.get(
    "/officer/merchants",
    response=list[MerchantQueueOut],
    openapi_extra={"x-error-codes": ERRORS_AUTH},
)
@paginate(PageNumberPagination, page_size=50)
def officer_merchants(request, status: str | None = None):
    """Shops of the officer's area (`?status=submitted` is the verification queue)."""
    return selectors.merchants_for_officer(viewer=request.user, status=status)


@router.get(
    "/officer/merchants/{merchant_id}",
    response=MerchantManageOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "merchant_not_found"]},
)
def officer_merchant(request, merchant_id: int):
    return selectors.merchant_for_officer(viewer=request.user, merchant_id=merchant_id)


def _decide(request, merchant_id: int, action: str, reason: str = ""):
    # Fetched without the area filter, so an officer of another area hears "outside_area".
    merchant = selectors.merchant_by_id(merchant_id=merchant_id)
    services.merchant_transition(
        actor=request.user, merchant=merchant, action=action, reason=reason
    )
    return selectors.merchant_for_officer(viewer=request.user, merchant_id=merchant_id)


DECISION_ERRORS = {
    "x-error-codes": [
        *ERRORS_AUTH,
        "outside_area",
        "merchant_not_found",
        "merchant_status_conflict",
        "invalid_input",
        "second_person_required",
        "owner_consent_missing",
    ]
}


@router.post(
    "/officer/merchants/{merchant_id}/verify",
    response=MerchantManageOut,
    openapi_extra=DECISION_ERRORS,
)
def merchant_verify(request, merchant_id: int):
    """Verifies a submitted shop: from now on it sells and is found."""
    return _decide(request, merchant_id, "verify")


@router.post(
    "/officer/merchants/{merchant_id}/reject",
    response=MerchantManageOut,
    openapi_extra=DECISION_ERRORS,
)
def merchant_reject(request, merchant_id: int, payload: ReasonIn):
    """Rejects a submitted shop with a reason the owner sees."""
    return _decide(request, merchant_id, "reject", payload.reason)


@router.post(
    "/officer/merchants/{merchant_id}/suspend",
    response=MerchantManageOut,
    openapi_extra=DECISION_ERRORS,
)
def merchant_suspend(request, merchant_id: int, payload: ReasonIn):
    """Suspends a verified shop with a reason: it disappears until reinstated."""
    return _decide(request, merchant_id, "suspend", payload.reason)


@router.post(
    "/officer/merchants/{merchant_id}/reinstate",
    response=MerchantManageOut,
    openapi_extra=DECISION_ERRORS,
)
def merchant_reinstate(request, merchant_id: int):
    return _decide(request, merchant_id, "reinstate")


@router.post(
    "/officer/merchants/{merchant_id}/confirm-bank",
    response=MerchantManageOut,
    openapi_extra=DECISION_ERRORS,
)
def merchant_bank_confirm(request, merchant_id: int):
    """Confirms a verified shop's new bank account; its held payouts resume."""
    merchant = selectors.merchant_by_id(merchant_id=merchant_id)
    services.bank_account_confirm(actor=request.user, merchant=merchant)
    return selectors.merchant_for_officer(viewer=request.user, merchant_id=merchant_id)
