"""How the city's reports write shares, changes and counts: `12,3%`, `+4,5%`, `1.234`, in the
active language's separators. A share of nothing is `—`, never `0%`."""

from django import template
from django.utils.formats import number_format

register = template.Library()
NOTHING = "—"


@register.filter
def share(fraction, digits: int = 1) -> str:
    """0.1234 → `12,3%`."""
    if fraction in (None, ""):
        return NOTHING
    return f"{number_format(fraction * 100, decimal_pos=digits, force_grouping=True)}%"


@register.filter
def change(fraction) -> str:
    """Month-over-month: 0.25 → `+25,0%`, −0.1 → `−10,0%`; no previous month → `—`."""
    if fraction in (None, ""):
        return NOTHING
    sign = "+" if fraction > 0 else ("−" if fraction < 0 else "±")
    return f"{sign}{number_format(abs(fraction) * 100, decimal_pos=1, force_grouping=True)}%"


@register.filter
def count(value) -> str:
    """1234 → `1.234`."""
    if value in (None, ""):
        return NOTHING
    return number_format(int(value), force_grouping=True)


@register.filter
def index(value, digits: int = 3) -> str:
    """The Gini coefficient: 0.2667 → `0,267`."""
    if value in (None, ""):
        return NOTHING
    return number_format(value, decimal_pos=digits)


@register.filter
def bar_width(fraction) -> int:
    """A share as a whole percentage 0–100, for the width of a bar (None: 0)."""
    if fraction in (None, ""):
        return 0
    return max(0, min(100, round(fraction * 100)))
