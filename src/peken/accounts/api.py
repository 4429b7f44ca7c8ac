import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from peken.accounts import permissions, selectors, services
from peken.accounts.backends import client_address
from peken.accounts.models import WargaProfile
from peken.accounts.roster import roster_import
from peken.core import selectors as core_selectors
from peken.core.errors import NotAuthenticated, NotFound
from peken.core.masking import mask_nik, mask_phone
from peken.core.pagination import PageNumberPagination
from peken.core.tabular import read_upload

router = Router(tags=["akun"])
people_router = Router(tags=["orang"])
audit_router = Router(tags=["audit"])
ERRORS_AUTH = ["not_authenticated", "permission_denied"]


# --- tokens and the signed-in person ----------------------------------------------------------


class TokenIn(Schema):
    username: str = Field(..., max_length=150, description="Nama pengguna, NIP, NIK atau nomor HP")
    password: str = Field(..., max_length=256)
    device: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: dict, 429: dict},
    auth=None,
    openapi_extra={"x-error-codes": ["invalid_credentials", "login_locked"]},
)
def token_create(request, payload: TokenIn):
    """A bearer token for a mobile client. Failed attempts are limited per account and address."""
    user = services.login_check(
        identifier=payload.username,
        password=payload.password,
        ip_address=client_address(request),
        request=request,
    )
    return {"token": services.token_issue(user=user, name=payload.device)}


@router.delete("/auth/token", response={204: None})
def token_delete(request):
    """Revokes the token this request was made with."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise NotAuthenticated(_("Permintaan ini tidak memakai token."))
    services.token_revoke(token=token)
    return Status(204, None)


class RoleOut(Schema):
    role: str
    kelurahan_code: str | None = None
    kecamatan_code: str | None = None
    opd_code: str | None = None

    @staticmethod
    def resolve_kelurahan_code(grant) -> str | None:
        return grant.kelurahan.code if grant.kelurahan_id else None

    @staticmethod
    def resolve_kecamatan_code(grant) -> str | None:
        return grant.kecamatan.code if grant.kecamatan_id else None

    @staticmethod
    def resolve_opd_code(grant) -> str | None:
        return grant.opd.code if grant.opd_id else None


class AsnOut(Schema):
    nip: str
    golongan: str
    jabatan: str
    eselon: str
    opd_code: str = Field(..., alias="opd.code")
    opd_name: str = Field(..., alias="opd.name")
    domicile_kelurahan_code: str | None
    workplace_kecamatan_code: str | None
    is_active: bool

    @staticmethod
    def resolve_domicile_kelurahan_code(profile) -> str | None:
        return profile.domicile_kelurahan.code if profile.domicile_kelurahan_id else None

    @staticmethod
    def resolve_workplace_kecamatan_code(profile) -> str | None:
        return profile.workplace_kecamatan.code if profile.workplace_kecamatan_id else None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    nik: str | None
    phone: str
    email: str
    roles: list[RoleOut]
    asn: AsnOut | None


@router.get("/me", response=MeOut)
def me(request):
    """The signed-in person, with their own NIK in clear."""
    user = selectors.user_with_profiles(request.user.pk)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "nik": user.nik,
        "phone": user.phone,
        "email": user.email,
        "roles": list(user.role_grants.all()),
        "asn": getattr(user, "asn_profile", None),
    }


class WargaRegisterIn(Schema):
    username: str = Field(..., min_length=3, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(..., min_length=8, max_length=256)
    full_name: str = Field(..., max_length=150)
    nik: str = Field(..., max_length=16)
    phone: str = Field(..., max_length=20)
    kelurahan_code: str = Field(..., max_length=13)
    address: str = Field("", max_length=300)


@router.post(
    "/auth/register",
    response={201: TokenOut, 409: dict, 422: dict, 429: dict},
    auth=None,
    openapi_extra={
        "x-error-codes": ["invalid_input", "weak_password", "identity_taken", "sign_up_throttled"]
    },
)
def warga_sign_up(request, payload: WargaRegisterIn):
    """A member of the public signs up as a buyer and receives a token."""
    user = services.warga_register(actor=None, ip_address=client_address(request), **payload.dict())
    return Status(201, {"token": services.token_issue(user=user, name="registrasi")})


class PasswordCodeIn(Schema):
    identifier: str = Field(
        ..., max_length=150, description="NIP, NIK, nomor HP, e-mail atau nama pengguna"
    )


class PasswordCodeRedeemIn(Schema):
    identifier: str = Field(..., max_length=150)
    code: str = Field(..., max_length=6)
    password: str = Field(..., max_length=256)


@router.post(
    "/auth/password-code",
    response={202: None, 429: dict},
    auth=None,
    openapi_extra={"x-error-codes": ["code_requests_throttled"]},
)
def password_code_send(request, payload: PasswordCodeIn):
    """Sends a code to set a first or new password. 202 whether or not the account exists."""
    services.password_code_request(
        identifier=payload.identifier, ip_address=client_address(request)
    )
    return Status(202, None)


@router.post(
    "/auth/password",
    response={204: None, 422: dict},
    auth=None,
    openapi_extra={"x-error-codes": ["invalid_code", "weak_password"]},
)
def password_set_with_code(request, payload: PasswordCodeRedeemIn):
    """Sets the password with the code; clears a login lock. Then ask for a token."""
    services.password_code_redeem(
        identifier=payload.identifier, code=payload.code, password=payload.password
    )
    return Status(204, None)


# --- people: warga for officers, ASN for OPD admins --------------------------------------------


class WargaOut(Schema):
    id: int
    username: str = Field(..., alias="user.username")
    full_name: str = Field(..., alias="user.full_name")
    nik: str
    phone: str
    kelurahan_code: str = Field(..., alias="kelurahan.code")
    kelurahan_name: str = Field(..., alias="kelurahan.name")
    address: str

    @staticmethod
    def resolve_nik(profile) -> str:
        return mask_nik(profile.user.nik)

    @staticmethod
    def resolve_phone(profile) -> str:
        return mask_phone(profile.user.phone)


class WargaDetailOut(WargaOut):
    @staticmethod
    def resolve_nik(profile, context) -> str:
        viewer = context["request"].user
        nik = profile.user.nik
        return nik if permissions.can_see_nik(viewer, profile.user) else mask_nik(nik)

    @staticmethod
    def resolve_phone(profile, context) -> str:
        viewer = context["request"].user
        phone = profile.user.phone
        return phone if permissions.can_see_nik(viewer, profile.user) else mask_phone(phone)


class WargaUpdateIn(Schema):
    full_name: str | None = Field(None, max_length=150)
    phone: str | None = Field(None, max_length=20)
    kelurahan_code: str | None = Field(None, max_length=13)
    address: str | None = Field(None, max_length=300)


class WargaCreateIn(Schema):
    full_name: str = Field(..., max_length=150)
    nik: str = Field(..., max_length=16)
    phone: str = Field(..., max_length=20)
    kelurahan_code: str = Field(..., max_length=13)
    address: str = Field("", max_length=300)


@people_router.get("/warga", response=list[WargaOut], openapi_extra={"x-error-codes": ERRORS_AUTH})
@paginate(PageNumberPagination, page_size=50)
def warga_list(request, kelurahan: str | None = None):
    """Warga of the officer's area (everyone for city admins and auditors); NIK masked."""
    return selectors.warga_list(viewer=request.user, kelurahan_code=kelurahan)


@people_router.post(
    "/warga",
    response={201: WargaDetailOut, 403: dict, 409: dict, 422: dict},
    openapi_extra={
        "x-error-codes": [*ERRORS_AUTH, "outside_area", "invalid_input", "identity_taken"]
    },
)
def warga_create(request, payload: WargaCreateIn):
    """An officer registers a warga of their area who is not online themself."""
    user = services.warga_register(
        actor=request.user, username=None, password=None, **payload.dict()
    )
    return Status(201, selectors.warga_get(viewer=request.user, warga_id=user.warga_profile.pk))


@people_router.get(
    "/warga/{warga_id}",
    response={200: WargaDetailOut, 404: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "not_found"]},
)
def warga_detail(request, warga_id: int):
    return selectors.warga_get(viewer=request.user, warga_id=warga_id)


@people_router.patch(
    "/warga/{warga_id}",
    response={200: WargaDetailOut, 403: dict, 404: dict, 422: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "outside_area", "not_found", "invalid_input"]},
)
def warga_patch(request, warga_id: int, payload: WargaUpdateIn):
    """An officer corrects a warga of their area; the change is audited."""
    profile = (
        WargaProfile.objects.select_related("user", "kelurahan__kecamatan")
        .filter(pk=warga_id)
        .first()
    )
    if profile is None:
        raise NotFound(_("Warga tidak ditemukan."))
    services.warga_update(actor=request.user, profile=profile, **payload.dict(exclude_unset=True))
    return selectors.warga_get(viewer=request.user, warga_id=warga_id)


class AsnListOut(Schema):
    id: int
    nip: str
    full_name: str = Field(..., alias="user.full_name")
    nik: str
    golongan: str
    jabatan: str
    eselon: str
    opd_code: str = Field(..., alias="opd.code")
    is_active: bool

    @staticmethod
    def resolve_nik(profile) -> str:
        return mask_nik(profile.user.nik)


@people_router.get("/asn", response=list[AsnListOut], openapi_extra={"x-error-codes": ERRORS_AUTH})
@paginate(PageNumberPagination, page_size=100)
def asn_list(request, opd: str | None = None, active: bool = False):
    """ASN of the OPD admin's OPD (every ASN for city admins and auditors); NIK masked."""
    return selectors.asn_list(viewer=request.user, opd_code=opd, active_only=active)


class OpdOut(Schema):
    code: str
    name: str
    kind: str


@people_router.get("/opd", response=list[OpdOut])
def opd_list(request):
    return list(selectors.opd_list())


class RosterImportOut(Schema):
    total: int
    created: int
    updated: int
    unchanged: int
    deactivated: int


@people_router.post(
    "/asn/import",
    response={200: RosterImportOut, 403: dict, 422: dict},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "file_invalid", "import_invalid"]},
)
def asn_import(request, file: File[UploadedFile], deactivate_missing: Form[bool] = False):
    """Imports a roster (.xlsx or CSV) as a city admin; any bad row → 422 listing every one."""
    permissions.require_city_admin(request.user)
    data = read_upload(file, max_bytes=settings.PEKEN_ROSTER_MAX_BYTES)
    return roster_import(data=data, actor=request.user, deactivate_missing=deactivate_missing)


# --- the audit log ----------------------------------------------------------------------------


class AuditEntryOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    action: str
    target_type: str
    target_id: str
    target_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@audit_router.get("", response=list[AuditEntryOut], openapi_extra={"x-error-codes": ERRORS_AUTH})
@paginate(PageNumberPagination, page_size=50)
def audit_list(
    request, action: str | None = None, target_type: str | None = None, target_id: str | None = None
):
    """The audit log, newest first (city admins and auditors; nobody can change it)."""
    permissions.require_city_reader(request.user)
    return core_selectors.audit_entries(action=action, target_type=target_type, target_id=target_id)
