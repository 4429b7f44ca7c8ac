"""Who may use the buyer pages: ASN and registered warga. Anyone else signed in is told so
plainly (a shop owner opening the cart, say) rather than shown a bare 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from peken.accounts.permissions import is_buyer


def buyer_required(view):
    """Signed in (else to /masuk/) as an ASN or warga (else a 403 page that says why)."""

    @login_required
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_buyer(request.user):
            return render(request, "web/buyer/not_a_buyer.html", status=403)
        return view(request, *args, **kwargs)

    return checked
