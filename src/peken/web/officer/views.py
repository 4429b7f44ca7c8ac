"""Pages of kelurahan and kecamatan officers: the verification queue, a shop under review, and a
toko registered for an owner who is not online. Officers only ever see their own area: rows come
from peken.merchants.selectors, decisions go through peken.merchants.services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peken.accounts import access_policy
from peken.accounts.permissions import can_see_owner_nik
from peken.core.errors import Conflict, DomainError, InvalidInput
from peken.merchants import rules, selectors, services
from peken.merchants.models import Merchant
from peken.web.officer.forms import OwnerShopForm
from peken.web.officer.queries import (
    kelurahan_of_area,
    masked_account_number,
    products_of_shop,
    queue_counts,
)
from peken.web.pages import domain_errors, role_required

OFFICER_ROLES = access_policy.AREA_STAFF
QUEUE_PAGE_SIZE = 50
QUEUE_TABS = [
    (Merchant.Status.SUBMITTED, gettext_lazy("Menunggu verifikasi")),
    (Merchant.Status.VERIFIED, gettext_lazy("Terverifikasi")),
    (Merchant.Status.REJECTED, gettext_lazy("Ditolak")),
    (Merchant.Status.SUSPENDED, gettext_lazy("Dibekukan")),
]
# What an officer may do to a shop, with the button's words; which of them fits a shop's
# status is the state machine's to say (rules.TRANSITIONS).
DECISIONS = {
    "verify": gettext_lazy("Setujui dan verifikasi"),
    "reject": gettext_lazy("Tolak"),
    "suspend": gettext_lazy("Bekukan"),
    "reinstate": gettext_lazy("Aktifkan kembali"),
}
REASON_LABELS = {
    "reject": gettext_lazy("Alasan penolakan (dibaca pemilik toko)"),
    "suspend": gettext_lazy("Alasan pembekuan (dibaca pemilik toko)"),
}


def _decided_message(action: str, name: str) -> str:
    messages_by_action = {
        "verify": _("Toko %(name)s terverifikasi: kini berjualan dan muncul di pencarian."),
        "reject": _("Toko %(name)s ditolak. Pemilik dapat memperbaiki lalu mengajukan ulang."),
        "suspend": _("Toko %(name)s dibekukan dan tidak tampil sampai diaktifkan kembali."),
        "reinstate": _("Toko %(name)s aktif kembali."),
    }
    return messages_by_action[action] % {"name": name}


@role_required(*OFFICER_ROLES)
@domain_errors
def officer_queue(request):
    """Shops of the officer's area by status, those waiting for verification first."""
    statuses = [status for status, _label in QUEUE_TABS]
    status = request.GET.get("status", "")
    if status not in statuses:
        status = Merchant.Status.SUBMITTED
    merchants = selectors.merchants_for_officer(viewer=request.user, status=status)
    page = Paginator(merchants, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queue_counts(viewer=request.user)
    tabs = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in QUEUE_TABS
    ]
    return render(
        request,
        "web/officer/queue.html",
        {"page": page, "status": status, "tabs": tabs},
    )


@role_required(*OFFICER_ROLES)
@domain_errors
def officer_merchant(request, merchant_id: int):
    """A shop of the officer's area with what the officer checks before deciding."""
    merchant = selectors.merchant_for_officer(viewer=request.user, merchant_id=merchant_id)
    owner = merchant.owner
    bank = getattr(merchant, "bank_account", None)
    decisions = [
        {
            "action": action,
            "label": DECISIONS[action],
            "reason_label": REASON_LABELS.get(action, ""),
        }
        for (status, action) in rules.TRANSITIONS
        if status == merchant.status and action in DECISIONS
    ]
    return render(
        request,
        "web/officer/merchant.html",
        {
            "merchant": merchant,
            "owner_nik": owner.nik
            if can_see_owner_nik(request.user, merchant)
            else owner.masked_nik,
            "bank": bank,
            "bank_name": rules.BANKS.get(bank.bank_code, bank.bank_code) if bank else "",
            "account_number": masked_account_number(bank.account_number) if bank else "",
            "products": products_of_shop(merchant=merchant),
            "decisions": decisions,
            "is_second_person": request.user.pk
            not in (merchant.owner_id, merchant.registered_by_id),
            "awaits_consent": merchant.registered_by_id is not None
            and merchant.owner_consented_at is None,
        },
    )


@require_POST
@role_required(*OFFICER_ROLES)
@domain_errors
def officer_merchant_decide(request, merchant_id: int, action: str):
    """Verify, reject, suspend or reinstate; a refusal comes back as a message on the shop."""
    if action not in DECISIONS:
        raise Http404
    # Fetched without the area filter, as the API does, so an officer of another area is told
    # "outside your area" (403) by the service rather than finding nothing.
    merchant = selectors.merchant_by_id(merchant_id=merchant_id)
    services.merchant_transition(
        actor=request.user,
        merchant=merchant,
        action=action,
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, _decided_message(action, merchant.name))
    return redirect("web:officer-merchant", merchant_id=merchant.pk)


@require_POST
@role_required(*OFFICER_ROLES)
@domain_errors
def officer_bank_confirm(request, merchant_id: int):
    """A verified shop's new bank account checked by the officer: held payouts resume."""
    merchant = selectors.merchant_by_id(merchant_id=merchant_id)
    services.bank_account_confirm(actor=request.user, merchant=merchant)
    messages.success(
        request,
        _("Rekening baru toko %(name)s dikonfirmasi; pencairan berjalan lagi.")
        % {"name": merchant.name},
    )
    return redirect("web:officer-merchant", merchant_id=merchant.pk)


@role_required(*OFFICER_ROLES)
@domain_errors
def officer_register(request):
    """A toko registered for its owner, straight into the verification queue."""
    posted = request.method == "POST"  # an empty POST is still a POST: bound, and refused
    form = OwnerShopForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        kelurahan=kelurahan_of_area(officer=request.user),
    )
    if posted:
        # Both checks run, so an empty field and a wrong NIK are told in the same round.
        is_valid = form.is_valid()
        has_problems = _show_problems(form)
        if is_valid and not has_problems:
            merchant = _register(request, form)
            if merchant is not None:
                return redirect("web:officer-merchant", merchant_id=merchant.pk)
    status = 422 if form.errors else 200
    return render(request, "web/officer/register.html", {"form": form}, status=status)


def _show_problems(form: OwnerShopForm) -> bool:
    """Puts every value the service would refuse next to its field at once; True if any. A
    field that already has an error (left empty, say) keeps that one."""
    data = form.cleaned_data
    problems = services.merchant_details_problems(
        form.details(),
        owner_full_name=data.get("owner_full_name", ""),
        owner_nik=data.get("owner_nik", ""),
        owner_phone=data.get("owner_phone", ""),
    )
    problems = {
        field: message
        for field, message in problems.items()
        if not form.has_error(form.form_field_of(field))
    }
    for field, message in problems.items():
        form.add_service_error(field, message)
    return bool(problems)


def _register(request, form: OwnerShopForm) -> Merchant | None:
    """The new shop, or None with the service's complaint put on the form."""
    data = form.cleaned_data
    try:
        merchant = services.merchant_register_for_owner(
            actor=request.user,
            details=form.details(),
            owner_full_name=data["owner_full_name"],
            owner_nik=data["owner_nik"],
            owner_phone=data["owner_phone"],
        )
    except (InvalidInput, Conflict) as error:
        field = error.details.get("field") or (
            "owner_nik" if error.code == "identity_taken" else None
        )
        form.add_service_error(field, error.message)
        return None
    messages.success(
        request,
        _(
            "Toko %(name)s terdaftar. Sebelum diverifikasi, pemilik harus mengonfirmasi data "
            "dan rekeningnya dari akunnya sendiri, lalu petugas lain atau admin kota memverifikasi."
        )
        % {"name": merchant.name},
    )
    if data.get("photo"):
        _attach_photo(request, merchant, data["photo"])
    return merchant


def _attach_photo(request, merchant: Merchant, upload) -> None:
    """The shop exists already; a photo refused is told, and can be added later."""
    try:
        services.merchant_photo_set(actor=request.user, merchant=merchant, upload=upload)
    except DomainError as error:
        messages.warning(request, _("Foto toko belum tersimpan: %(why)s") % {"why": error.message})
