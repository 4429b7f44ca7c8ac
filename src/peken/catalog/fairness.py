"""What an ASN sees differently (pemerataan): shops at their monthly cap are gone until the month
turns, and, while the city keeps fair ranking on, the default order is local and fair — shops in
the ASN's kelurahan first, then their kecamatan, then the rest by distance; within each, the shop
with less ASN turnover this month first, so that new and small shops get orders too.
"""

import math
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from peken.accounts.models import Role
from peken.accounts.signed_in import home_of
from peken.core.months import Month
from peken.policy.selectors import policy_shown
from peken.quotas.models import MerchantMonthQuota
from peken.quotas.rules import month_key

FAIR_ORDER = ("fair_band", "fair_distance", "fair_turnover", "-id")
BAND_KELURAHAN, BAND_KECAMATAN, BAND_CITY = 0, 1, 2


@dataclass(frozen=True)
class Shopper:
    """An ASN looking for shops: their home area and this WIB month."""

    kelurahan_id: int | None  # None for ASN living outside the city
    kecamatan_id: int | None
    lat: float
    lon: float
    month: object  # datetime.date, the first day of the month
    fair_ranking: bool


def shopper_of(user) -> Shopper | None:
    """The ASN behind a request, or None for everyone else (warga, visitors): they see all
    verified shops in the ordinary order."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.ASN):
        return None
    home = home_of(user)
    if home is None or not home.is_active_asn:
        return None
    return Shopper(
        kelurahan_id=home.asn_kelurahan_id,
        kecamatan_id=home.asn_kecamatan_id,
        lat=home.lat,
        lon=home.lon,
        month=month_key(Month.of(timezone.now())),
        fair_ranking=policy_shown().fair_ranking,
    )


def without_capped(rows: QuerySet, shopper: Shopper, merchant_id: str) -> QuerySet:
    """Leaves out shops whose ASN turnover this month has reached their cap. `merchant_id` is
    the row's field holding the shop's id ("merchant_id" for products, "id" for shops)."""
    at_cap = MerchantMonthQuota.objects.filter(
        merchant_id=OuterRef(merchant_id),
        month=shopper.month,
        used__gte=F("cap"),
    )
    return rows.filter(~Exists(at_cap))


def with_fair_order(rows: QuerySet, shopper: Shopper, merchant_id: str, kelurahan: str) -> QuerySet:
    """Annotates band, distance (for the farthest band) and this month's ASN turnover.
    `kelurahan` is the path from a row to its shop's kelurahan."""
    turnover = MerchantMonthQuota.objects.filter(
        merchant_id=OuterRef(merchant_id), month=shopper.month
    ).values("used")[:1]
    band = Case(
        When(**{f"{kelurahan}_id": shopper.kelurahan_id}, then=Value(BAND_KELURAHAN)),
        When(**{f"{kelurahan}__kecamatan_id": shopper.kecamatan_id}, then=Value(BAND_KECAMATAN)),
        default=Value(BAND_CITY),
        output_field=IntegerField(),
    )
    east_scale = math.cos(math.radians(shopper.lat))
    north = F(f"{kelurahan}__lat") - Value(shopper.lat)
    east = (F(f"{kelurahan}__lon") - Value(shopper.lon)) * Value(east_scale)
    distance = ExpressionWrapper(north * north + east * east, output_field=FloatField())
    return rows.annotate(
        fair_band=band,
        # Within the two near bands, distance does not count: turnover alone orders them.
        fair_distance=Case(
            When(fair_band=BAND_CITY, then=distance), default=Value(0.0), output_field=FloatField()
        ),
        fair_turnover=Coalesce(Subquery(turnover), Value(0)),
    )
