"""How Peken writes money and time for people: `Rp 30.000.000`, `28 Nov 2026 14.05 WIB`."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format

from peken.catalog.models import Unit
from peken.core.money import format_rupiah
from peken.core.months import WIB
from peken.merchants.rules import DAYS

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    if amount in (None, ""):
        return ""
    return format_rupiah(int(amount))


@register.filter
def wib(moment: dt.datetime | None, style: str = "datetime") -> str:
    """A moment in WIB, in the active language's style (Indonesian by default)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, WIB)
    if style == "date":
        return date_format(local, "j M Y")
    return f"{date_format(local, 'j M Y H.i')} WIB"


@register.filter
def percent_of(part, whole) -> int:
    """0–100, for progress bars and gauges."""
    if not whole:
        return 100
    return max(0, min(100, int(int(part) * 100 / int(whole))))


@register.filter
def weekday(day: str) -> str:
    """A stored day code (`senin` … `minggu`) as the day's name in the active language."""
    if day not in DAYS:
        return day
    return str(WEEKDAYS[DAYS.index(day)])


@register.filter
def unit_label(unit: str) -> str:
    """A product's unit code (`pack`, `karung` …) as its name in the active language; a code no
    longer offered (an old order's) is shown as stored."""
    return str(Unit(unit).label) if unit in Unit.values else unit
