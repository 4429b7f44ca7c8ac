from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
