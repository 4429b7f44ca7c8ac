"""The kecamatan map: 31 circles placed by their centroids, drawn as SVG on the server — no
tiles, no script, works offline and prints.

Each circle's area grows with the kecamatan's turnover; its fill says what share of its verified
shops sold nothing this month (with a pattern of words in the legend and the tooltip, and the
same figures in the table beside it, so colour is never the only carrier).
"""

import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from peken.core.money import format_rupiah

WIDTH = 640
PADDING = 48
RADIUS_SMALLEST, RADIUS_LARGEST = 4.0, 24.0
# Upper bounds of the idle-share classes, with their names for the legend.
IDLE_CLASSES = (
    (0.10, "idle-low"),
    (0.25, "idle-some"),
    (0.50, "idle-many"),
    (1.01, "idle-most"),
)


@dataclass(frozen=True)
class MapCircle:
    code: str
    name: str
    x: float
    y: float
    radius: float
    label_y: float  # the name sits under its circle
    css_class: str
    title: str


@dataclass(frozen=True)
class KecamatanMap:
    width: int
    height: int
    circles: list[MapCircle]
    legend: list[tuple[str, str]]


def kecamatan_map(rows) -> KecamatanMap:
    """`rows`: KecamatanRow-like objects (code, name, lat, lon, turnover, merchants,
    idle_merchants, idle_share)."""
    if not rows:
        return KecamatanMap(WIDTH, WIDTH // 2, [], _legend())
    # Equirectangular: near the equator and over 25 km a degree of longitude is cos(lat) of one
    # of latitude; good enough to keep the districts where people know them.
    middle = math.radians(sum(row.lat for row in rows) / len(rows))
    xs = [row.lon * math.cos(middle) for row in rows]
    ys = [-row.lat for row in rows]
    span = max(max(xs) - min(xs), 1e-9)
    scale = (WIDTH - 2 * PADDING) / span
    height = round((max(ys) - min(ys)) * scale + 2 * PADDING)
    largest = max((row.turnover for row in rows), default=0)
    circles = []
    for row, x, y in zip(rows, xs, ys, strict=True):
        top = round((y - min(ys)) * scale + PADDING, 1)
        radius = _radius(row.turnover, largest)
        circles.append(
            MapCircle(
                code=row.code,
                name=row.name,
                x=round((x - min(xs)) * scale + PADDING, 1),
                y=top,
                radius=radius,
                label_y=round(top + radius + 10, 1),
                css_class=_idle_class(row.idle_share),
                title=_title(row),
            )
        )
    # Small circles last, so a big neighbour never hides them.
    circles.sort(key=lambda circle: -circle.radius)
    return KecamatanMap(WIDTH, height, circles, _legend())


def _radius(turnover: int, largest: int) -> float:
    if largest <= 0 or turnover <= 0:
        return RADIUS_SMALLEST
    spread = RADIUS_LARGEST - RADIUS_SMALLEST
    return round(RADIUS_SMALLEST + spread * math.sqrt(turnover / largest), 1)


def _idle_class(share: float | None) -> str:
    if share is None:
        return "idle-none"
    return next(name for bound, name in IDLE_CLASSES if share < bound)


def _title(row) -> str:
    return _(
        "%(name)s: omzet %(turnover)s; %(merchants)s toko terverifikasi, %(idle)s tanpa pesanan"
    ) % {
        "name": row.name,
        "turnover": format_rupiah(row.turnover),
        "merchants": row.merchants,
        "idle": row.idle_merchants,
    }


def _legend() -> list[tuple[str, str]]:
    return [
        ("idle-low", _("di bawah 10% toko tanpa pesanan")),
        ("idle-some", _("10–25% toko tanpa pesanan")),
        ("idle-many", _("25–50% toko tanpa pesanan")),
        ("idle-most", _("50% atau lebih toko tanpa pesanan")),
        ("idle-none", _("belum ada toko terverifikasi")),
    ]
