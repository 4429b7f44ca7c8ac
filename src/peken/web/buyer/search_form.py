"""The search page's query string: typed and bounded here, every rule checked by
peken.catalog.search exactly as the API calls it. Whatever is typed into the address bar ends
as results or a message, never an error page."""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.catalog import search
from peken.catalog.fairness import Shopper
from peken.core.cache import LISTING, cached
from peken.core.errors import InvalidInput
from peken.merchants.models import Merchant

PRICE_MAX = 10**12  # far above any price; keeps the number within a database integer

SORT_LABELS = {
    "relevance": gettext_lazy("Paling sesuai"),
    "price_asc": gettext_lazy("Harga termurah"),
    "price_desc": gettext_lazy("Harga termahal"),
    "newest": gettext_lazy("Terbaru"),
    "nearest": gettext_lazy("Terdekat dari rumah"),
    "fair": gettext_lazy("Toko sekitar rumah dulu (adil)"),
}


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True)
    category = forms.CharField(required=False)
    merchant_kind = forms.CharField(required=False)
    kecamatan = forms.CharField(required=False)
    kelurahan = forms.CharField(required=False)
    min_price = forms.IntegerField(required=False, min_value=0, max_value=PRICE_MAX)
    max_price = forms.IntegerField(required=False, min_value=0, max_value=PRICE_MAX)
    in_stock = forms.BooleanField(required=False)
    sort = forms.CharField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=search.PAGE_MAX)

    FIELD_LABELS = {
        "q": gettext_lazy("Kata kunci"),
        "category": gettext_lazy("Kategori"),
        "merchant_kind": gettext_lazy("Jenis toko"),
        "kecamatan": gettext_lazy("Kecamatan"),
        "kelurahan": gettext_lazy("Kelurahan"),
        "sort": gettext_lazy("Urutan"),
        "min_price": gettext_lazy("Harga terendah"),
        "max_price": gettext_lazy("Harga tertinggi"),
        "page": gettext_lazy("Halaman"),
    }

    def problems(self) -> list[str]:
        return [
            f"{self.FIELD_LABELS.get(name, name)}: {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]


@dataclass
class SearchOutcome:
    """What the page shows: a page of results, or the messages saying what to fix."""

    found: search.SearchPage | None = None
    problems: list[str] = field(default_factory=list)


def sort_choices(shopper: Shopper | None, home_code: str | None) -> list[tuple[str, str]]:
    """The orders this person may pick; "" lets the search choose (the fair order for an ASN
    while the city keeps it on)."""
    choices = [("", _("Bawaan"))]
    for value in search.PRODUCT_SORTS:
        if value == "nearest" and not home_code:
            continue
        choices.append((value, str(SORT_LABELS[value])))
    if shopper is not None and shopper.fair_ranking:
        choices.append(("fair", str(SORT_LABELS["fair"])))
    return choices


def products_found(
    form: SearchForm, *, shopper: Shopper | None, home_code: str | None, category: str = ""
) -> SearchOutcome:
    """Runs the product search for a bound form; `category` fixes the category (its page)."""
    if not form.is_valid():
        return SearchOutcome(problems=form.problems())
    data = form.cleaned_data
    sort = data["sort"] or None

    def results() -> search.SearchPage:
        found = search.product_search(
            q=data["q"],
            category=category or data["category"] or None,
            merchant_kind=data["merchant_kind"] or None,
            kecamatan=data["kecamatan"] or None,
            kelurahan=data["kelurahan"] or None,
            min_price=data["min_price"],
            max_price=data["max_price"],
            in_stock=data["in_stock"],
            sort=sort,
            near_kelurahan=(data["kelurahan"] or home_code) if sort == "nearest" else None,
            page=data["page"] or 1,
            shopper=shopper,
        )
        # One query for every card's first photo, kept with the cached page.
        prefetch_related_objects(found.items, "photos")
        return found

    # Buyers who share a home area, the month and the same search share one page of results.
    asked = (sorted(data.items()), category, shopper, home_code)
    try:
        found = cached(LISTING, asked, settings.PEKEN_LISTING_CACHE_SECONDS, results)
    except InvalidInput as error:
        return SearchOutcome(problems=[error.message])
    return SearchOutcome(found=found)


MERCHANT_KIND_CHOICES = [("", gettext_lazy("Semua jenis toko")), *Merchant.Kind.choices]
