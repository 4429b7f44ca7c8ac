"""Opening a shop, one step per screen: usaha, pemilik, rekening, foto. What was typed is kept in
the session until the last step hands it all to merchant_register; a refusal then is shown on
the step where the value was typed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from peken.core.masking import mask_nik
from peken.merchants import rules as merchant_rules
from peken.merchants.services import OwnerIdentityTaken, merchant_photo_set, merchant_register
from peken.regions.models import Kelurahan
from peken.web.merchant.forms import (
    BankForm,
    BusinessForm,
    OwnerForm,
    PhotoForm,
    merchant_details,
)
from peken.web.pages import domain_errors, writer_required

SESSION_KEY = "merchant_registration"
STEPS = {
    "usaha": (BusinessForm, gettext_lazy("Usaha")),
    "pemilik": (OwnerForm, gettext_lazy("Pemilik")),
    "rekening": (BankForm, gettext_lazy("Rekening bank")),
    "foto": (PhotoForm, gettext_lazy("Foto & kirim")),
}
STEP_NAMES = list(STEPS)
# Where a field the service refused was typed: (step, form field).
SERVICE_FIELDS = {
    "owner_nik": ("pemilik", "nik"),
    "bank_account": ("rekening", None),
    "opening_hours": ("usaha", "closes_at"),
}


def _progress(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _save_progress(request, progress: dict) -> None:
    request.session[SESSION_KEY] = progress


def _first_unfinished(progress: dict) -> str:
    return next((step for step in STEP_NAMES[:-1] if step not in progress), STEP_NAMES[-1])


@writer_required
def register(request):
    """Any signed-in person may open a shop; this takes them to where they left off."""
    step = _first_unfinished(_progress(request))
    return redirect("web:merchant-register-step", step=step)


@writer_required
@domain_errors
def register_step(request, step: str):
    if step not in STEPS:
        raise Http404
    progress = _progress(request)
    unfinished = _first_unfinished(progress)
    if STEP_NAMES.index(step) > STEP_NAMES.index(unfinished):
        return redirect("web:merchant-register-step", step=unfinished)
    # An account that already carries a NIK has nothing to tell on the owner's step.
    has_nik = step == "pemilik" and request.user.nik
    form = None if has_nik else _form_for(request, step, progress)
    if request.method == "POST":
        if step == "foto":
            return _finish(request, progress, form)
        if form is None or form.is_valid():
            progress[step] = form.cleaned_data if form is not None else {}
            _save_progress(request, progress)
            return redirect(
                "web:merchant-register-step", step=STEP_NAMES[STEP_NAMES.index(step) + 1]
            )
    return render(
        request, "web/merchant/register.html", _step_context(request, step, form, progress)
    )


def _form_for(request, step: str, progress: dict):
    form_class = STEPS[step][0]
    if request.method == "POST":
        return form_class(request.POST, request.FILES)
    refused = progress.get("refused")
    if refused and refused["step"] == step:
        # The service refused a value typed here: show it again, with its reason on the field.
        form = form_class(progress.get(step, {}))
        form.is_valid()
        form.add_error(refused["field"], refused["message"])
        progress.pop("refused")
        _save_progress(request, progress)
        return form
    if step == "rekening" and step not in progress:
        return form_class(initial={"holder_name": request.user.full_name})
    return form_class(initial=progress.get(step))


def _step_context(request, step: str, form, progress: dict) -> dict:
    position = STEP_NAMES.index(step)
    return {
        "form": form,
        "step": step,
        "step_label": STEPS[step][1],
        "step_number": position + 1,
        "step_count": len(STEPS),
        "steps": [
            {"name": name, "label": label, "done": name in progress, "current": name == step}
            for name, (_form, label) in STEPS.items()
        ],
        "previous": STEP_NAMES[position - 1] if position else None,
        "masked_nik": mask_nik(request.user.nik) if request.user.nik else "",
        "summary": _summary(progress) if step == "foto" else None,
    }


def _summary(progress: dict) -> dict:
    business, bank = progress.get("usaha", {}), progress.get("rekening", {})
    kelurahan = (
        Kelurahan.objects.select_related("kecamatan")
        .filter(code=business.get("kelurahan_code"))
        .first()
    )
    return {
        "business": business,
        "kelurahan": kelurahan,
        "days": len(business.get("open_days", [])),
        "bank_name": merchant_rules.BANKS.get(bank.get("bank_code", ""), ""),
        "account_tail": (bank.get("account_number") or "")[-4:],
        "holder_name": bank.get("holder_name", ""),
    }


def _finish(request, progress: dict, form):
    """Registers the shop as a draft, then sets its photo if one came along."""
    try:
        shop = merchant_register(
            actor=request.user,
            details=merchant_details(progress["usaha"], progress["rekening"]),
            owner_nik=progress.get("pemilik", {}).get("nik", ""),
        )
    except (InvalidInput, OwnerIdentityTaken) as error:
        step, field = _where_typed(error)
        progress["refused"] = {"step": step, "field": field, "message": error.message}
        _save_progress(request, progress)
        return redirect("web:merchant-register-step", step=step)
    request.session.pop(SESSION_KEY, None)
    home = f"{reverse('web:merchant-home')}?toko={shop.pk}"
    photo = form.files.get("photo") if form is not None else None
    if photo:
        try:
            merchant_photo_set(actor=request.user, merchant=shop, upload=photo)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as error:
            messages.warning(request, _("Toko tersimpan, tetapi fotonya belum: %s") % error.message)
            return redirect(f"{reverse('web:merchant-photo')}?toko={shop.pk}")
    # The shop is a draft: say so, and what makes it sell (the owner may add goods first).
    messages.success(
        request,
        _(
            "Toko %s tersimpan sebagai DRAF: belum tampil untuk pembeli. Langkah berikutnya: "
            "tekan “Ajukan verifikasi” di halaman toko agar petugas kelurahan memeriksanya."
        )
        % shop.name,
    )
    return redirect(home)


def _where_typed(error: DomainError) -> tuple[str, str | None]:
    if isinstance(error, OwnerIdentityTaken):
        return "pemilik", "nik"
    field = error.details.get("field", "")
    if field in SERVICE_FIELDS:
        return SERVICE_FIELDS[field]
    return "usaha", field if field in BusinessForm.base_fields else None
