from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from peken.accounts import access_policy, permissions
from peken.accounts.models import User
from peken.core.errors import NotFound
from peken.merchants.models import Merchant


class MerchantNotFound(NotFound):
    code = "merchant_not_found"
    default_message = gettext_lazy("Toko tidak ditemukan.")


def merchants_visible() -> QuerySet[Merchant]:
    """Merchants buyers may see: verified ones only."""
    return Merchant.objects.filter(status=Merchant.Status.VERIFIED)


def _with_details(merchants: QuerySet[Merchant]) -> QuerySet[Merchant]:
    return merchants.select_related("kelurahan__kecamatan", "owner", "bank_account")


def merchant_by_id(*, merchant_id: int) -> Merchant:
    merchant = _with_details(Merchant.objects.all()).filter(pk=merchant_id).first()
    if merchant is None:
        raise MerchantNotFound()
    return merchant


def merchant_public(*, merchant_id: int) -> Merchant:
    merchant = _with_details(merchants_visible()).filter(pk=merchant_id).first()
    if merchant is None:
        raise MerchantNotFound()
    return merchant


def merchants_of_owner(*, owner: User) -> QuerySet[Merchant]:
    return _with_details(Merchant.objects.filter(owner=owner)).order_by("id")


def merchant_of_owner(*, owner: User, merchant_id: int) -> Merchant:
    """The owner's own shop; another's is reported as not found, never as forbidden."""
    merchant = merchants_of_owner(owner=owner).filter(pk=merchant_id).first()
    if merchant is None:
        raise MerchantNotFound()
    return merchant


def merchants_for_officer(*, viewer: User, status: str | None = None) -> QuerySet[Merchant]:
    """Shops in the officer's area (all of them for city admins and auditors), oldest first."""
    permissions.require_role(viewer, *access_policy.AREA_READERS)
    merchants = _with_details(Merchant.objects.all()).order_by("status_changed_at", "id")
    area = permissions.area_q(viewer, "kelurahan")
    if area is not None:
        merchants = merchants.filter(area)
    if status:
        merchants = merchants.filter(status=status)
    return merchants


def merchant_for_officer(*, viewer: User, merchant_id: int) -> Merchant:
    merchant = merchants_for_officer(viewer=viewer).filter(pk=merchant_id).first()
    if merchant is None:
        raise MerchantNotFound()
    return merchant
