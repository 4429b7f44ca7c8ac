from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peken.accounts import services
from peken.accounts.backends import client_address
from peken.accounts.forms import (
    PasswordCodeRedeemForm,
    PasswordCodeRequestForm,
    PekenAuthenticationForm,
    RosterUploadForm,
    SignUpForm,
)
from peken.accounts.permissions import is_city_admin
from peken.accounts.roster import roster_import
from peken.core.errors import DomainError
from peken.core.tabular import ImportRejected, read_upload


class PekenLoginView(LoginView):
    form_class = PekenAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def sign_up(request):
    """A member of the public makes a buyer account and is signed in at once."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.warga_register(
                actor=None,
                username=None,
                password=data["password"],
                full_name=data["full_name"],
                nik=data["nik"],
                phone=data["phone"],
                kelurahan_code=data["kelurahan_code"],
                address=data["address"],
                ip_address=client_address(request),
            )
        except DomainError as error:
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            return redirect("home")
    return render(request, "accounts/sign_up.html", {"form": form}, status=200)


def password_code_request(request):
    """First password or a forgotten one: ask for a code. The answer never says who exists."""
    form = PasswordCodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            services.password_code_request(
                identifier=identifier, ip_address=client_address(request)
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            request.session["password_code_identifier"] = identifier
            messages.info(
                request,
                _(
                    "Jika data itu cocok dengan akun yang punya e-mail atau nomor HP, kode "
                    "sudah kami kirim ke sana."
                ),
            )
            return redirect("password-code-redeem")
    return render(request, "accounts/password_code_request.html", {"form": form})


def password_code_redeem(request):
    """Sets the password with the code; the person then logs in with it."""
    initial = {"identifier": request.session.get("password_code_identifier", "")}
    form = PasswordCodeRedeemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_code_redeem(
                identifier=data["identifier"], code=data["code"], password=data["password"]
            )
        except DomainError as error:
            field = error.details.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            request.session.pop("password_code_identifier", None)
            messages.success(request, _("Kata sandi sudah disimpan. Silakan masuk."))
            return redirect("login")
    return render(request, "accounts/password_code_redeem.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("home")


def roster_upload(request):
    """The city admin's page for the personnel office's roster."""
    if not request.user.is_authenticated:
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    if not is_city_admin(request.user):
        return HttpResponseForbidden(_("Halaman ini hanya untuk admin kota."))
    context = {"form": RosterUploadForm()}
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            try:
                data = read_upload(
                    form.cleaned_data["file"], max_bytes=settings.PEKEN_ROSTER_MAX_BYTES
                )
                context["result"] = roster_import(
                    data=data,
                    actor=request.user,
                    deactivate_missing=form.cleaned_data["deactivate_missing"],
                )
            except ImportRejected as error:
                context["error"] = error.message
                context["problems"] = error.problems[:500]
                context["problem_count"] = len(error.problems)
            except DomainError as error:
                context["error"] = error.message
    return render(
        request, "accounts/roster_upload.html", context, status=422 if "error" in context else 200
    )
