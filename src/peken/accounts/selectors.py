from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peken.accounts import access_policy, permissions
from peken.accounts.models import OPD, AsnProfile, User, WargaProfile
from peken.core.errors import NotFound, PermissionDenied


def warga_list(*, viewer: User, kelurahan_code: str | None = None) -> QuerySet[WargaProfile]:
    """Warga an officer answers for (their area), or all of them for city admins and auditors."""
    permissions.require_role(viewer, *access_policy.AREA_READERS)
    rows = WargaProfile.objects.select_related("user", "kelurahan__kecamatan").order_by("id")
    area = permissions.area_q(viewer, "kelurahan")
    if area is not None:
        rows = rows.filter(area)
    if kelurahan_code:
        rows = rows.filter(kelurahan__code=kelurahan_code)
    return rows


def warga_get(*, viewer: User, warga_id: int) -> WargaProfile:
    """One warga; someone outside the viewer's area is reported as not found."""
    profile = warga_list(viewer=viewer).filter(pk=warga_id).first()
    if profile is None:
        raise NotFound(_("Warga tidak ditemukan."))
    return profile


def asn_list(
    *, viewer: User, opd_code: str | None = None, active_only: bool = False
) -> QuerySet[AsnProfile]:
    """ASN an OPD admin answers for, or every ASN for city admins and auditors."""
    permissions.require_role(viewer, *access_policy.OPD_READERS)
    rows = AsnProfile.objects.select_related(
        "user", "opd", "domicile_kelurahan", "workplace_kecamatan"
    ).order_by("opd__code", "nip")
    opd_ids = permissions.opd_ids_of(viewer)
    if opd_ids is not None:
        rows = rows.filter(opd_id__in=opd_ids)
    if opd_code:
        if opd_ids is not None and not OPD.objects.filter(pk__in=opd_ids, code=opd_code).exists():
            raise PermissionDenied(_("OPD ini bukan OPD Anda."))
        rows = rows.filter(opd__code=opd_code)
    if active_only:
        rows = rows.filter(is_active=True)
    return rows


def opd_list() -> QuerySet[OPD]:
    return OPD.objects.filter(is_active=True).order_by("code")


def user_with_profiles(user_id: int) -> User:
    return (
        User.objects.select_related(
            "asn_profile__opd",
            "asn_profile__domicile_kelurahan",
            "asn_profile__workplace_kecamatan",
            "warga_profile__kelurahan",
        )
        .prefetch_related("role_grants__kelurahan", "role_grants__kecamatan", "role_grants__opd")
        .get(pk=user_id)
    )
