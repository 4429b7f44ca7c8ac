"""Who may do what, and where. Roles come from RoleGrant; scope is an area or an OPD."""

from django.db.models import Q
from django.utils.translation import gettext as _

from peken.accounts import access_policy
from peken.accounts.models import Role, User
from peken.core.errors import OutsideArea, PermissionDenied
from peken.regions.models import Kelurahan


def has_role(user, *roles: str) -> bool:
    """Works for anonymous visitors too, who hold no role."""
    return user.is_authenticated and user.has_role(*roles)


def require_role(user: User, *roles: str) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied()


def is_city_admin(user) -> bool:
    """The one test of "city admin": acts anywhere in the city, grants and revokes roles."""
    return has_role(user, *access_policy.CITY_ADMINS)


def require_city_admin(user: User) -> None:
    if not is_city_admin(user):
        raise PermissionDenied()


def sees_whole_city(user) -> bool:
    """The one test of read scope: city admins and auditors read everything in the city;
    everyone else reads what is theirs, their shop's, their area's or their OPD's."""
    return has_role(user, *access_policy.CITY_READERS)


def require_city_reader(user: User) -> None:
    if not sees_whole_city(user):
        raise PermissionDenied()


def may_grant_roles(user) -> bool:
    """Who may give and take away roles: a city admin (the command line acts as the city)."""
    return is_city_admin(user)


def is_writer(user) -> bool:
    """An auditor reads everything and changes nothing: refused even for what any signed-in
    person may do (opening a shop), unless they also hold a role that writes."""
    return not (
        has_role(user, Role.AUDITOR)
        and not has_role(user, *(role for role in Role.values if role != Role.AUDITOR))
    )


def require_writer(user: User) -> None:
    if not is_writer(user):
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
    if is_city_admin(user):
        return
    if not user.has_role(Role.OFFICER):
        raise PermissionDenied()
    if not officer_covers(user, kelurahan):
        raise OutsideArea(
            _("Kelurahan %(kelurahan)s berada di luar wilayah tugas Anda.")
            % {"kelurahan": kelurahan.name}
        )


def require_shop_manager(user: User, shop) -> bool:
    """May this person manage the shop (a Merchant)? Its owner, or an officer of its area or a
    city admin acting for an owner who is not online (officers register such shops). Returns
    True when acting on the owner's behalf; raises PermissionDenied for anyone else."""
    if user.is_authenticated and user.pk == shop.owner_id:
        return False
    require_area(user, shop.kelurahan)
    return True


def area_q(user: User, kelurahan_path: str = "kelurahan") -> Q | None:
    """A filter limiting rows to the officer's areas; None when the user sees the whole city."""
    if sees_whole_city(user):
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
    if sees_whole_city(user):
        return None
    return [grant.opd_id for grant in user.grants if grant.role == Role.OPD_ADMIN]


def is_buyer(user) -> bool:
    """An ASN or a registered warga: who may fill a cart and pay."""
    return has_role(user, *access_policy.BUYERS)


def can_see_nik(viewer: User, subject: User) -> bool:
    """NIK in clear: the person themself, a city admin, or an officer of the subject's area.

    Lists never show it in clear, whoever looks (see selectors)."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == subject.pk or is_city_admin(viewer):
        return True
    warga = getattr(subject, "warga_profile", None)
    return bool(warga and viewer.has_role(Role.OFFICER) and officer_covers(viewer, warga.kelurahan))


def can_see_owner_nik(viewer: User, merchant) -> bool:
    """A shop owner's NIK: the owner, a city admin, or an officer of the shop's area (who checks
    the KTP)."""
    if viewer.pk == merchant.owner_id or is_city_admin(viewer):
        return True
    return has_role(viewer, Role.OFFICER) and officer_covers(viewer, merchant.kelurahan)
