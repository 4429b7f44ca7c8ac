"""Reads the officer pages need beyond the shared selectors.

Each one starts from something the shared permissions already allowed (a merchant fetched with
merchant_for_officer, a complaint fetched with complaint_for), or asks peken.accounts.permissions
whether an area is the officer's: the pages never decide an area themselves."""

from django.db.models import Count

from peken.accounts.models import User
from peken.accounts.permissions import is_city_admin, officer_covers
from peken.catalog.models import Product
from peken.core.masking import mask_account_number
from peken.merchants.models import Merchant
from peken.merchants.selectors import merchants_for_officer
from peken.ordering.models import OrderItem
from peken.payments.models import Complaint
from peken.regions.models import Kelurahan


def queue_counts(*, viewer: User) -> dict[str, int]:
    """How many shops of the officer's area are in each status (one query)."""
    rows = merchants_for_officer(viewer=viewer).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def kelurahan_of_area(*, officer: User) -> list[Kelurahan]:
    """Kelurahan where this person may register a toko: every one for a city admin."""
    every = Kelurahan.objects.select_related("kecamatan").order_by("kecamatan__name", "name")
    if is_city_admin(officer):
        return list(every)
    return [kelurahan for kelurahan in every if officer_covers(officer, kelurahan)]


def products_of_shop(*, merchant: Merchant) -> list[Product]:
    """What an (already allowed) shop offers, with photos, so the officer sees what it sells."""
    return list(
        Product.objects.filter(merchant=merchant)
        .select_related("category")
        .prefetch_related("photos")
        .order_by("name", "id")
    )


def complaint_items(*, complaint: Complaint) -> list[OrderItem]:
    """The lines of the order an (already allowed) complaint is about."""
    return list(OrderItem.objects.filter(order_id=complaint.order_id).order_by("id"))


masked_account_number = mask_account_number  # one masking rule, in core.masking
