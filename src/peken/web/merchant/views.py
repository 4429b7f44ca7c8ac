"""The shop owner's home, the shop's details and photo, the verification request and the money
page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peken.core.errors import InvalidInput
from peken.core.months import Month
from peken.merchants.models import Merchant
from peken.merchants.services import (
    merchant_owner_consent,
    merchant_photo_set,
    merchant_transition,
    merchant_update,
)
from peken.payouts.selectors import merchant_money
from peken.quotas.selectors import quota_status
from peken.web.merchant.forms import (
    BankForm,
    BusinessForm,
    PhotoForm,
    merchant_details,
    shop_initial,
)
from peken.web.merchant.queries import order_counts, readiness
from peken.web.merchant.shop import attempt, chosen_shop, shop_context, shop_page
from peken.web.pages import domain_errors

# A draft or a rejected shop may ask (again) to be verified.
SUBMITTABLE = {Merchant.Status.DRAFT, Merchant.Status.REJECTED}


def shop_url(name: str, shop: Merchant) -> str:
    return f"{reverse(name)}?toko={shop.pk}"


@login_required
@domain_errors
def merchant_home(request):
    """The shop at a glance; a person without a shop is invited to open one."""
    shop = chosen_shop(request)
    if shop is None:
        return render(request, "web/merchant/no_shop.html")
    quota = quota_status(viewer=request.user, merchant=shop, month=Month.of(timezone.now()))
    money = merchant_money(viewer=request.user, merchant_id=shop.pk, lines=0)
    context = shop_context(
        request,
        shop,
        tab="home",
        quota=quota,
        balance=money.balance,
        counts=order_counts(owner=request.user, merchant_id=shop.pk),
        can_submit=shop.status in SUBMITTABLE,
        readiness=readiness(shop) if shop.status in SUBMITTABLE else [],
        awaits_consent=shop.registered_by_id is not None and shop.owner_consented_at is None,
        is_payout_held=getattr(getattr(shop, "bank_account", None), "is_payout_held", False),
    )
    return render(request, "web/merchant/home.html", context)


@require_POST
@shop_page
def merchant_submit(request, shop):
    """Asks the kelurahan officer to verify the shop."""
    submitted = attempt(
        request,
        lambda: merchant_transition(actor=request.user, merchant=shop, action="submit"),
    )
    if submitted:
        messages.success(
            request, _("Toko diajukan. Petugas kelurahan %s akan memeriksanya.") % shop.kelurahan
        )
    return redirect(shop_url("web:merchant-home", shop))


@require_POST
@shop_page
def merchant_consent(request, shop):
    """The owner confirms a shop an officer registered for them: its data and bank are theirs."""
    if attempt(request, lambda: merchant_owner_consent(actor=request.user, merchant=shop)):
        messages.success(
            request,
            _("Terima kasih. Toko Anda kini dapat diverifikasi petugas kelurahan %s.")
            % shop.kelurahan,
        )
    return redirect(shop_url("web:merchant-home", shop))


@shop_page
def merchant_photo(request, shop):
    """The shop's photo: shown to buyers on the shop page."""
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["photo"]
        if not upload:
            form.add_error("photo", _("Pilih foto dulu."))
        elif attempt(
            request,
            lambda: merchant_photo_set(actor=request.user, merchant=shop, upload=upload),
        ):
            messages.success(request, _("Foto toko tersimpan."))
            return redirect(shop_url("web:merchant-home", shop))
    return render(request, "web/merchant/photo.html", shop_context(request, shop, form=form))


def _tell_what_the_change_did(request, shop: Merchant) -> None:
    was_selling = shop.status == Merchant.Status.VERIFIED
    shop.refresh_from_db()
    account = getattr(shop, "bank_account", None)
    if was_selling and shop.status == Merchant.Status.SUBMITTED:
        messages.warning(
            request,
            _(
                "Data toko tersimpan. Karena alamat atau kelurahan berubah, toko diperiksa ulang "
                "petugas kelurahan dan tidak tampil untuk pembeli sampai terverifikasi lagi."
            ),
        )
    elif account is not None and account.is_payout_held:
        messages.warning(
            request,
            _(
                "Data toko tersimpan. Toko tetap berjualan, tetapi pencairan ke rekening baru "
                "ditahan sampai petugas kelurahan mengonfirmasi rekening itu."
            ),
        )
    else:
        messages.success(request, _("Data toko tersimpan."))


@shop_page
def merchant_edit(request, shop):
    """The shop's details and bank account, changed through merchant_update (as the API's PUT):
    what a rejected shop fixes before asking again."""
    initial = shop_initial(shop)
    business = BusinessForm(request.POST or None, initial=initial)
    bank = BankForm(request.POST or None, initial=initial)
    if request.method == "POST" and business.is_valid() and bank.is_valid():
        details = merchant_details(business.cleaned_data, bank.cleaned_data)
        try:
            merchant_update(actor=request.user, merchant=shop, details=details)
        except InvalidInput as error:
            field = error.details.get("field")
            form = bank if field == "bank_account" else business
            form.add_error(field if field in form.fields else None, error.message)
        else:
            _tell_what_the_change_did(request, shop)
            return redirect(shop_url("web:merchant-home", shop))
    context = shop_context(request, shop, tab="home", business=business, bank=bank)
    return render(request, "web/merchant/edit.html", context)


@shop_page
def merchant_money_page(request, shop):
    """Balance, payouts and the statement: what each entry did to the balance."""
    money = merchant_money(viewer=request.user, merchant_id=shop.pk)
    # A ledger line is the platform's debt to the shop, negative when it grows; the shop reads
    # it the other way round: + owed to the shop, − paid out or refunded.
    statement = [(line, -line.amount) for line in money.statement]
    context = shop_context(request, shop, tab="money", money=money, statement=statement)
    return render(request, "web/merchant/money.html", context)
