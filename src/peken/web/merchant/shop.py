"""Which shop a page is about. An owner may have several: `?toko=<id>` picks one, the first
(oldest) is the default, and another person's shop id is simply not found."""

from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from peken.accounts.models import Role
from peken.core.errors import DomainError, NotFound, PermissionDenied
from peken.merchants.models import Merchant
from peken.merchants.selectors import merchants_of_owner
from peken.web.pages import domain_errors, role_required

SHOP_PARAMETER = "toko"


def owned_shops(request) -> list[Merchant]:
    """The signed-in person's shops, oldest first (one query, kept for the request)."""
    if not hasattr(request, "_owned_shops"):
        request._owned_shops = list(merchants_of_owner(owner=request.user))
    return request._owned_shops


def chosen_shop(request) -> Merchant | None:
    """The shop named by ?toko= (404 when it is not the person's), else their first, else None."""
    shops = owned_shops(request)
    wanted = request.GET.get(SHOP_PARAMETER) or request.POST.get(SHOP_PARAMETER)
    if not wanted:
        return shops[0] if shops else None
    shop = next((shop for shop in shops if str(shop.pk) == wanted.strip()), None)
    if shop is None:
        raise Http404(_("Toko tidak ditemukan."))
    return shop


def shop_page(view):
    """A page of one shop for its owner: merchants only (403 otherwise); a merchant without a
    shop is sent to the home page, which invites them to register one."""

    @role_required(Role.MERCHANT)
    @domain_errors
    @wraps(view)
    def with_shop(request, *args, **kwargs):
        shop = chosen_shop(request)
        if shop is None:
            return redirect("web:merchant-home")
        return view(request, shop, *args, **kwargs)

    return with_shop


def owner_page(view):
    """A page about one object of the owner's (a product, an order): merchants only."""
    return role_required(Role.MERCHANT)(domain_errors(view))


def shop_context(request, shop: Merchant, **extra) -> dict:
    """What the merchant layout needs: the shop, the others to switch to, the current tab."""
    return {"shop": shop, "shops": owned_shops(request), **extra}


def attempt(request, action) -> bool:
    """Runs a service call; a refusal it explains (wrong status, bad photo …) becomes a message
    on the next page. Not-found and forbidden go on up to become 404 and 403."""
    try:
        action()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as error:
        messages.error(request, error.message, extra_tags=error.code)
        return False
    return True
