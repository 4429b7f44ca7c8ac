"""The shop owner's forms. They only read what was typed into plain values; the services check
the values (the registration steps also run the same pure rules early, so a mistake shows on the
step where it was typed)."""

import re

from django import forms
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from peken.accounts import rules as identity_rules
from peken.catalog import rules as catalog_rules
from peken.catalog.models import Unit
from peken.catalog.selectors import categories, reference_items
from peken.core.money import format_rupiah
from peken.merchants import rules as merchant_rules
from peken.merchants.models import Merchant
from peken.merchants.services import MerchantDetails
from peken.regions.models import Kelurahan

# Stored day codes (Monday first) named by Django's own weekday names, so they follow the language.
DAY_CHOICES = [(day, WEEKDAYS[number]) for number, day in enumerate(merchant_rules.DAYS)]
LINE_CHOICES = [("", _("— bukan UMKM —")), *Merchant.Line.choices[1:]]
# Whole rupiah as people type it: 12500 or 12.500 (a leading minus is let through, so that the
# service can say why a price must be above zero).
RUPIAH_TYPED = re.compile(r"^-?(\d+|\d{1,3}(\.\d{3})+)$")


def rule_checked(check, *args):
    """Runs one pure rule; its Indonesian complaint becomes the field's error."""
    try:
        return check(*args)
    except (merchant_rules.MerchantRuleError, identity_rules.IdentityError) as error:
        raise forms.ValidationError(str(error)) from error


class RupiahField(forms.Field):
    """Whole rupiah: `12500`, `12.500` or `Rp 12.500`; never a comma or a fraction."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 20})

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        text = text.replace("Rp", "").replace("rp", "").replace(" ", "")
        if not RUPIAH_TYPED.match(text):
            raise forms.ValidationError(
                _("Tulis harga dengan angka saja, tanpa koma: misalnya 12500 atau 12.500.")
            )
        return int(text.replace(".", ""))


# --- registration, one form per step ---------------------------------------------------------


def kelurahan_choices() -> list:
    """Kelurahan grouped by kecamatan, for a <select> with <optgroup>s (one query)."""
    groups: dict[str, list] = {}
    for kelurahan in Kelurahan.objects.select_related("kecamatan").order_by(
        "kecamatan__name", "name"
    ):
        groups.setdefault(kelurahan.kecamatan.name, []).append((kelurahan.code, kelurahan.name))
    return [("", _("— pilih kelurahan —")), *groups.items()]


class BusinessForm(forms.Form):
    """Langkah 1: the business."""

    name = forms.CharField(label=_("Nama usaha"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Jenis usaha"), choices=Merchant.Kind.choices, widget=forms.RadioSelect
    )
    line = forms.ChoiceField(
        label=_("Bidang UMKM"),
        choices=LINE_CHOICES,
        required=False,
        help_text=_("Hanya untuk UMKM."),
    )
    description = forms.CharField(
        label=_("Cerita singkat tentang usaha Anda"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    phone = forms.CharField(
        label=_("Nomor HP toko"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(label=_("Alamat toko"), max_length=300)
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan"))
    open_days = forms.MultipleChoiceField(
        label=_("Hari buka"),
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.CharField(
        label=_("Buka jam"), max_length=5, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.CharField(
        label=_("Tutup jam"), max_length=5, widget=forms.TimeInput(attrs={"type": "time"})
    )
    is_mbr = forms.BooleanField(
        label=_("Keluarga kami berpenghasilan rendah (MBR)"),
        required=False,
        help_text=_("Petugas kelurahan akan memeriksanya."),
    )
    nib = forms.CharField(
        label=_("NIB (Nomor Induk Berusaha) — boleh dikosongkan"),
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        defaults = {
            "kind": Merchant.Kind.TOKO_KELONTONG,
            "open_days": [day for day, _label in DAY_CHOICES],
            "opens_at": "07:00",
            "closes_at": "21:00",
        }
        kwargs["initial"] = defaults | (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        self.fields["kelurahan_code"].choices = kelurahan_choices()

    def clean_name(self):
        return rule_checked(merchant_rules.check_name, self.cleaned_data["name"])

    def clean_phone(self):
        return rule_checked(identity_rules.normalize_phone, self.cleaned_data["phone"])

    def clean_address(self):
        return rule_checked(merchant_rules.check_address, self.cleaned_data["address"])

    def clean_nib(self):
        return rule_checked(merchant_rules.check_nib, self.cleaned_data["nib"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == Merchant.Kind.TOKO_KELONTONG:
            data["line"] = ""  # the UMKM line select is simply not meant for a toko
        if "kind" in data:
            try:
                rule_checked(merchant_rules.check_kind_and_line, data["kind"], data.get("line"))
            except forms.ValidationError as error:
                self.add_error("line", error)
        if "opens_at" in data and "closes_at" in data:
            try:
                rule_checked(merchant_rules.check_opening_hours, opening_hours(data))
            except forms.ValidationError as error:
                self.add_error("closes_at", error)
        return data


def opening_hours(values: dict) -> dict[str, list[str]]:
    """The same hours on every day ticked: what most neighbourhood shops keep."""
    span = [values.get("opens_at", ""), values.get("closes_at", "")]
    return dict.fromkeys(values.get("open_days", []), span)


def merchant_details(business: dict, bank: dict) -> MerchantDetails:
    """The service's plain values from what the business and bank forms read."""
    return MerchantDetails(
        name=business["name"],
        kind=business["kind"],
        line=business.get("line", ""),
        description=business.get("description", ""),
        phone=business["phone"],
        address=business["address"],
        kelurahan_code=business["kelurahan_code"],
        is_mbr=bool(business.get("is_mbr")),
        nib=business.get("nib", ""),
        opening_hours=opening_hours(business),
        bank_code=bank["bank_code"],
        account_number=bank["account_number"],
        holder_name=bank["holder_name"],
    )


def shop_initial(shop: Merchant) -> dict:
    """The business and bank forms filled from a shop. Hours kept per day (possible through the
    API) are shown as those of the first open day."""
    days = list(shop.opening_hours)
    opens_at, closes_at = shop.opening_hours[days[0]] if days else ("07:00", "21:00")
    account = getattr(shop, "bank_account", None)
    return {
        "name": shop.name,
        "kind": shop.kind,
        "line": shop.line,
        "description": shop.description,
        "phone": shop.phone,
        "address": shop.address,
        "kelurahan_code": shop.kelurahan.code,
        "open_days": days,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "is_mbr": shop.is_mbr,
        "nib": shop.nib,
        "bank_code": account.bank_code if account else "",
        "account_number": account.account_number if account else "",
        "holder_name": account.holder_name if account else "",
    }


class OwnerForm(forms.Form):
    """Langkah 2: the owner's NIK, when the account has none yet."""

    nik = forms.CharField(
        label=_("NIK pemilik (16 angka, sesuai KTP)"),
        min_length=16,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_nik(self):
        nik = self.cleaned_data["nik"].strip()
        return rule_checked(lambda: identity_rules.check_nik(nik, today=timezone.localdate()))


class BankForm(forms.Form):
    """Langkah 3: where the payouts go."""

    bank_code = forms.ChoiceField(
        label=_("Bank"),
        choices=[("", _("— pilih bank —")), *merchant_rules.BANKS.items()],
    )
    account_number = forms.CharField(
        label=_("Nomor rekening"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    holder_name = forms.CharField(label=_("Nama pemilik rekening"), max_length=120)

    def clean(self):
        data = super().clean()
        if {"bank_code", "account_number", "holder_name"} <= data.keys():
            data["bank_code"], data["account_number"], data["holder_name"] = rule_checked(
                merchant_rules.check_bank_account,
                data["bank_code"],
                data["account_number"],
                data["holder_name"],
            )
        return data


class PhotoForm(forms.Form):
    """A shop photo or a product photo; the service checks the picture itself."""

    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG atau WebP, paling besar 2 MB."),
    )


# --- products ----------------------------------------------------------------------------------


def reference_item_choices() -> list:
    items = [
        (item.pk, f"{item} — {format_rupiah(item.price)} / {Unit(item.unit).label}")
        for item in reference_items()
    ]
    return [("", _("— tidak memakai harga acuan —")), *items]


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Nama barang"), max_length=120)
    description = forms.CharField(
        label=_("Keterangan"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category_slug = forms.ChoiceField(label=_("Kategori"))
    reference_item_id = forms.TypedChoiceField(
        label=_("Harga acuan kota"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Beras, gula, minyak goreng dan mi instan bermerek memakai harga acuan: "
            "harga boleh dikosongkan, akan diisi harga acuan."
        ),
    )
    price = RupiahField(label=_("Harga (Rp)"), required=False)
    unit = forms.ChoiceField(label=_("Satuan"), choices=Unit.choices)
    is_made_to_order = forms.BooleanField(
        label=_("Dibuat sesuai pesanan (tanpa stok)"), required=False
    )
    # The stock as the page showed it travels along, so only a stock the owner changed is sent:
    # sales made while the form was open are not undone by saving a new price.
    stock = forms.IntegerField(
        label=_("Stok"),
        required=False,
        show_hidden_initial=True,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    is_active = forms.BooleanField(label=_("Dijual (tampil untuk pembeli)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_slug"].choices = [
            ("", _("— pilih kategori —")),
            *((category.slug, category.name) for category in categories()),
        ]
        self.fields["reference_item_id"].choices = reference_item_choices()

    def clean(self):
        """The catalog's own rules on each typed value, so that every mistake shows at once
        beside its field (the service stops at the first); the service checks them again."""
        data = super().clean()
        checks = {
            "name": lambda: catalog_rules.check_name(data["name"]),
            "description": lambda: catalog_rules.check_description(data["description"]),
        }
        # An empty price is the reference item's, when one is chosen (see values()).
        if data.get("price") is not None or not data.get("reference_item_id"):
            checks["price"] = lambda: catalog_rules.check_price(data["price"])
        if not data.get("is_made_to_order"):
            checks["stock"] = lambda: catalog_rules.check_stock(data["stock"])
        for field, check in checks.items():
            if field not in data:
                continue  # already refused by the field itself
            try:
                check()
            except catalog_rules.CatalogRuleError as error:
                self.add_error(field, str(error))
        return data

    def values(self, names) -> dict:
        """The service's keyword arguments for these fields."""
        values = {name: self.cleaned_data[name] for name in names}
        if "price" in values and values["price"] is None and self.cleaned_data["reference_item_id"]:
            values["price"] = self._reference_price()
        if values.get("is_made_to_order") and values.get("stock") is None:
            values["stock"] = 0
        return values

    def _reference_price(self):
        item = reference_items().filter(pk=self.cleaned_data["reference_item_id"]).first()
        return item.price if item else None


def product_initial(product) -> dict:
    return {
        "name": product.name,
        "description": product.description,
        "category_slug": product.category.slug,
        "reference_item_id": product.reference_item_id,
        "price": product.price,
        "unit": product.unit,
        "is_made_to_order": product.is_made_to_order,
        "stock": product.stock,
        "is_active": product.is_active,
    }


class StockForm(forms.Form):
    stock = forms.IntegerField(
        label=_("Stok"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})
    )
