"""Forms of the officer pages. They only turn typed text into plain values: every rule (a valid
NIK, a known bank, the officer's area, a reason long enough) is the services' to check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peken.merchants.models import Merchant
from peken.merchants.rules import BANKS
from peken.merchants.services import MerchantDetails
from peken.regions.models import Kelurahan

# Where a service's complaint about a field shows on this form (service field → form field).
SERVICE_FIELDS = {
    "bank_account": "account_number",
    "kelurahan_code": "kelurahan_code",
}


class OwnerShopForm(forms.Form):
    """A toko registered by an officer for an owner who is not online."""

    owner_full_name = forms.CharField(label=_("Nama pemilik (sesuai KTP)"), max_length=150)
    owner_nik = forms.CharField(
        label=_("NIK pemilik"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    owner_phone = forms.CharField(
        label=_("Nomor HP pemilik"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    name = forms.CharField(label=_("Nama usaha"), max_length=120)
    kind = forms.ChoiceField(label=_("Jenis usaha"), choices=Merchant.Kind.choices)
    line = forms.ChoiceField(
        label=_("Bidang UMKM (hanya untuk UMKM)"), choices=Merchant.Line.choices, required=False
    )
    description = forms.CharField(
        label=_("Deskripsi singkat"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(
        label=_("Nomor HP toko"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    address = forms.CharField(label=_("Alamat toko"), max_length=300)
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan"))
    is_mbr = forms.BooleanField(
        label=_("Keluarga MBR (masyarakat berpenghasilan rendah)"), required=False
    )
    nib = forms.CharField(
        label=_("NIB (13 angka, boleh kosong)"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    bank_code = forms.ChoiceField(
        label=_("Bank"),
        choices=[("", _("— pilih bank —")), *sorted(BANKS.items(), key=lambda bank: bank[1])],
    )
    account_number = forms.CharField(
        label=_("Nomor rekening"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(label=_("Nama pemilik rekening"), max_length=120)
    photo = forms.FileField(
        label=_("Foto toko (JPEG, PNG atau WebP, paling besar 2 MB; boleh menyusul)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args, kelurahan: list[Kelurahan], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kelurahan_code"].choices = [
            (item.code, f"{item.name} — Kec. {item.kecamatan.name}") for item in kelurahan
        ]

    def details(self) -> MerchantDetails:
        """What was typed, as the service takes it; a field that did not clean reads as empty
        (its own error is on the form already)."""
        data = self.cleaned_data
        return MerchantDetails(
            name=data.get("name", ""),
            kind=data.get("kind", ""),
            line=data.get("line", ""),
            description=data.get("description", ""),
            phone=data.get("phone", ""),
            address=data.get("address", ""),
            kelurahan_code=data.get("kelurahan_code", ""),
            is_mbr=data.get("is_mbr", False),
            nib=data.get("nib", ""),
            bank_code=data.get("bank_code", ""),
            account_number=data.get("account_number", ""),
            holder_name=data.get("holder_name", ""),
        )

    def form_field_of(self, field: str | None) -> str | None:
        """The input a service's field name is about, or None for the form as a whole."""
        target = SERVICE_FIELDS.get(field, field)
        return target if target in self.fields else None

    def add_service_error(self, field: str | None, message: str) -> None:
        """Shows a service's complaint next to the input it is about (or above the form)."""
        self.add_error(self.form_field_of(field), message)
