"""Who may do what, and where. Roles come from RoleGrant; scope is an area or an OPD."""

from django.db.models import Q
from django.utils.translation import gettext as _

from peken.accounts.models import Role, User
from peken.core.errors import OutsideArea, PermissionDenied
from peken.regions.models import Kelurahan


def has_role(user, *roles: str) -> bool:
    """Works for anonymous visitors too, who hold no role."""
    return user.is_authenticated and user.has_role(*roles)


def require_role(user: User, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied()


def require_writer(user: User) -> None:
    """An auditor reads everything and changes nothing: refused even for what any signed-in
    person may do (opening a shop), unless they also hold a role that writes."""
    if has_role(user, Role.AUDITOR) and not has_role(
        user, *(role for role in Role.values if role != Role.AUDITOR)
    ):
        raise PermissionDenied()


def officer_covers(user: User, kelurahan: Kelurahan) -> bool:
    """An officer of this kelurahan, or of the kecamatan it lies in."""
    return any(
        grant.role == Role.OFFICER
        and (
            grant.kelurahan_id == kelurahan.pk
            or (grant.kecamatan_id is not None and grant.kecamatan_id == kelurahan.kecamatan_id)
        )
        for grant in user.grants
    )


def require_area(user: User, kelurahan: Kelurahan) -> None:
    """City admins act everywhere; officers only inside their own area; nobody else."""
    if user.has_role(Role.CITY_ADMIN):
        return
    if not user.has_role(Role.OFFICER):
        raise PermissionDenied()
    if not officer_covers(user, kelurahan):
        raise OutsideArea(
            _("Kelurahan %(kelurahan)s berada di luar wilayah tugas Anda.")
            % {"kelurahan": kelurahan.name}
        )


def area_q(user: User, kelurahan_path: str = "kelurahan") -> Q | None:
    """A filter limiting rows to the officer's areas; None when the user sees the whole city."""
    if user.has_role(Role.CITY_ADMIN, Role.AUDITOR):
        return None
    kelurahan_ids = [
        g.kelurahan_id for g in user.grants if g.role == Role.OFFICER and g.kelurahan_id
    ]
    kecamatan_ids = [
        g.kecamatan_id for g in user.grants if g.role == Role.OFFICER and g.kecamatan_id
    ]
    return Q(**{f"{kelurahan_path}__in": kelurahan_ids}) | Q(
        **{f"{kelurahan_path}__kecamatan__in": kecamatan_ids}
    )


def opd_ids_of(user: User) -> list[int] | None:
    """The OPDs an OPD admin answers for, or None when the user sees every OPD."""
    if user.has_role(Role.CITY_ADMIN, Role.AUDITOR):
        return None
    return [grant.opd_id for grant in user.grants if grant.role == Role.OPD_ADMIN]


def can_see_nik(viewer: User, subject: User) -> bool:
    """NIK in clear: the person themself, a city admin, or an officer of the subject's area.

    Lists never show it in clear, whoever looks (see selectors)."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == subject.pk or viewer.has_role(Role.CITY_ADMIN):
        return True
    warga = getattr(subject, "warga_profile", None)
    return bool(warga and viewer.has_role(Role.OFFICER) and officer_covers(viewer, warga.kelurahan))
