"""Distances between kelurahan centroids, for "nearest" and for `distance_km`."""

import math
from dataclasses import dataclass

from django.db.models import ExpressionWrapper, F, FloatField, Value
from django.utils.translation import gettext_noop

from peken.catalog.search_input import (
    REGION_CODE,
    NearRequired,
    UnknownKelurahan,
    unknown_message,
)
from peken.regions.models import Kelurahan

# With many hits, "nearest" first looks in the nearest kelurahan that should hold the page
# twice over if hits were spread evenly over the city; first guessing 25 times the hits counted.
RING_MARGIN = 2
RING_OPTIMISM = 25
# With words, every product of a ring's shops is read and tested, hit or not: the ring is
# sized for 5,000 hits (sorting fewer costs no more than reading it), and tried only within a
# sixteenth of the city (10 of 153 kelurahan), beyond which sorting every hit costs less.
KEYWORD_RING_HITS = 5_000
KEYWORD_RING_SHARE = 16
KM_PER_DEGREE = 111.195  # Earth's mean radius × π / 180


def origin_find(near_kelurahan: str | None, sort: str) -> "Origin | None":
    if not near_kelurahan:
        if sort == "nearest":
            raise NearRequired(field="near")
        return None
    # Every kelurahan in the one query: "nearest" needs them in order of distance.
    places = REGION_CODE.fullmatch(near_kelurahan) and list(
        Kelurahan.objects.values_list("id", "code", "lat", "lon")
    )
    here = next((place for place in places or () if place[1] == near_kelurahan), None)
    if here is None:
        raise UnknownKelurahan(
            unknown_message(gettext_noop("Kelurahan"), near_kelurahan), field="near"
        )
    return Origin.of(here[2], here[3], places)


@dataclass(frozen=True)
class Origin:
    """The centroid of the buyer's kelurahan, and every kelurahan by distance from it.

    Distances are equirectangular, in degrees of latitude (squared until shown): over a city
    within a fraction of a percent of the great circle, and plain arithmetic on both databases
    (SQLite has no trigonometry; the cosine is taken here)."""

    lat: float
    lon: float
    east_scale: float
    nearest: tuple[tuple[float, int], ...]  # (squared distance, kelurahan id), nearest first

    @classmethod
    def of(cls, lat: float, lon: float, places: list[tuple]) -> "Origin":
        east_scale = math.cos(math.radians(lat))
        squared = sorted(
            ((p_lat - lat) ** 2 + ((p_lon - lon) * east_scale) ** 2, place_id)
            for place_id, _, p_lat, p_lon in places
        )
        return cls(lat, lon, east_scale, tuple(squared))

    def distance(self, kelurahan_path: str) -> ExpressionWrapper:
        north = F(f"{kelurahan_path}__lat") - Value(self.lat)
        east = (F(f"{kelurahan_path}__lon") - Value(self.lon)) * Value(self.east_scale)
        return ExpressionWrapper(north * north + east * east, output_field=FloatField())

    def ring_for_words(self, rows_needed: int) -> list[int] | None:
        """The ring that should hold the rows if words had KEYWORD_RING_HITS hits (with fewer,
        sorting them all costs about as little); None past a KEYWORD_RING_SHARE of the city."""
        ring = self.ring(rows_needed, KEYWORD_RING_HITS)
        if ring is None or len(ring) * KEYWORD_RING_SHARE > len(self.nearest):
            return None
        return ring

    def ring(self, rows_needed: int, hits: int) -> list[int] | None:
        """The nearest kelurahan (with any as near as the farthest of them) that should hold
        `rows_needed` of `hits` spread evenly over the city; None if that is most of it."""
        count = math.ceil(rows_needed * len(self.nearest) / hits * RING_MARGIN)
        if count * 2 >= len(self.nearest):
            return None
        radius = self.nearest[count - 1][0]
        return [place_id for squared, place_id in self.nearest if squared <= radius]


def distance_km(squared_degrees: float) -> float:
    return round(KM_PER_DEGREE * math.sqrt(squared_degrees), 1)
