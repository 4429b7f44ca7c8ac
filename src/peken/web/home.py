from django.shortcuts import redirect, render

from peken.accounts.models import Role
from peken.accounts.permissions import has_role, is_buyer, is_city_admin, sees_whole_city
from peken.catalog.selectors import categories
from peken.web.buyer.views import buyer_home

# Where each kind of user starts, in this order: someone who buys and also runs a shop starts
# as a buyer (the role menu leads to the shop).
START_PAGES = (
    (Role.MERCHANT, "web:merchant-home"),
    (Role.OFFICER, "web:officer-queue"),
    (Role.OPD_ADMIN, "web:opd-compliance"),
)


def home(request):
    """The buyer's home for ASN and warga; shop owners, officers and OPD admins go to their own
    pages; visitors, city admins and auditors get the landing page (with the back office)."""
    user = request.user
    if is_buyer(user):
        return buyer_home(request)
    for role, page in START_PAGES:
        if has_role(user, role):
            return redirect(page)
    context = {
        "categories": list(categories()),
        "is_back_office": sees_whole_city(user),
        "is_city_admin": is_city_admin(user),
    }
    return render(request, "web/home.html", context)
