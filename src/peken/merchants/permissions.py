from peken.accounts.models import Role, User
from peken.accounts.permissions import has_role, officer_covers
from peken.merchants.models import Merchant


def can_see_owner_nik(viewer: User, merchant: Merchant) -> bool:
    """The owner, a city admin, or an officer of the shop's area (who checks the KTP)."""
    if viewer.pk == merchant.owner_id or has_role(viewer, Role.CITY_ADMIN):
        return True
    return has_role(viewer, Role.OFFICER) and officer_covers(viewer, merchant.kelurahan)
