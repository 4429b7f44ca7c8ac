from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from peken.accounts import services
from peken.accounts.backends import client_address
from peken.core.errors import DomainError


class PekenAuthenticationForm(AuthenticationForm):
    """Django's login form, going through the throttled login service."""

    username = forms.CharField(
        label="Nama pengguna, NIP, NIK atau nomor HP",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.login_check(
                    identifier=username,
                    password=password,
                    ip_address=client_address(self.request),
                    request=self.request,
                )
            except DomainError as error:
                raise forms.ValidationError(error.message, code=error.code) from error
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="Berkas daftar ASN (.xlsx atau .csv)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    deactivate_missing = forms.BooleanField(
        label="Nonaktifkan ASN yang tidak ada di berkas ini", required=False
    )


def kelurahan_choices() -> list:
    """Kelurahan grouped by kecamatan, for a <select> with <optgroup>s (one query)."""
    from peken.regions.models import Kelurahan

    groups: dict[str, list] = {}
    for kelurahan in Kelurahan.objects.select_related("kecamatan").order_by(
        "kecamatan__name", "name"
    ):
        groups.setdefault(kelurahan.kecamatan.name, []).append((kelurahan.code, kelurahan.name))
    return [("", _("— pilih kelurahan —")), *groups.items()]


class SignUpForm(forms.Form):
    """A member of the public signs up as a buyer (warga). The checks are the service's."""

    full_name = forms.CharField(
        label=_("Nama lengkap"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    nik = forms.CharField(
        label=_("NIK (16 angka, sesuai KTP)"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan tempat tinggal"), choices=())
    address = forms.CharField(label=_("Alamat"), max_length=300, required=False)
    password = forms.CharField(
        label=_("Kata sandi (paling sedikit 8 karakter)"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan_code"].choices = kelurahan_choices()

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Kedua kata sandi tidak sama."))
        return data


class PasswordCodeRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("NIP, NIK, nomor HP, e-mail atau nama pengguna"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )


class PasswordCodeRedeemForm(forms.Form):
    identifier = forms.CharField(
        label=_("NIP, NIK, nomor HP, e-mail atau nama pengguna"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    code = forms.CharField(
        label=_("Kode 6 angka dari e-mail atau SMS"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("Kata sandi baru (paling sedikit 8 karakter)"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Kedua kata sandi tidak sama."))
        return data
