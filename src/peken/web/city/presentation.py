"""What the pages add to the dashboard's figures: labels, the headline cards with their change
since last month, and the series the charts draw. Only presentation: every number comes from
peken.reports.selectors untouched."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from peken.core.money import format_thousands
from peken.core.months import Month
from peken.reports.exports import TABLES, TITLES
from peken.reports.selectors import Dashboard


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value: int
    previous: int
    change: float | None
    is_money: bool
    detail: str = ""

    @property
    def change_percent(self) -> float | None:
        return None if self.change is None else round(self.change * 100, 1)

    @property
    def direction(self) -> str:
        """up, down or flat: a word for the CSS class and the screen reader alike."""
        if not self.change:
            return "flat"
        return "up" if self.change > 0 else "down"


def cards(board: Dashboard) -> list[Card]:
    headline, previous, changes = board.headline, board.previous, board.changes

    def card(key: str, label: str, is_money: bool, detail: str = "") -> Card:
        value = getattr(headline, key)
        return Card(key, label, value, getattr(previous, key), changes[key], is_money, detail)

    buyers = _("%(asn)s ASN, %(warga)s warga") % {
        "asn": format_thousands(headline.asn_buyers),
        "warga": format_thousands(headline.warga_buyers),
    }
    return [
        card("turnover", _("Omzet"), True),
        card("asn_turnover", _("Omzet ASN"), True),
        card("orders", _("Pesanan dibayar"), False),
        card("average_order", _("Rata-rata pesanan"), True),
        card("buyers", _("Pembeli aktif"), False, buyers),
        card("merchants", _("Toko aktif"), False),
    ]


def chart_data(board: Dashboard) -> dict:
    """The series for Chart.js, as json_script hands them to the page's script."""
    return {
        "days": {
            "labels": [str(point.day.day) for point in board.days],
            "turnover": [point.turnover for point in board.days],
            "asn": [point.asn_turnover for point in board.days],
            "orders": [point.orders for point in board.days],
        },
        "months": {
            "labels": [
                Month.parse(point.month).label()[:3] + " " + point.month[2:4]
                for point in board.months
            ],
            "turnover": [point.turnover for point in board.months],
            "asn": [point.asn_turnover for point in board.months],
        },
        "lorenz": [{"x": round(x, 4), "y": round(y, 4)} for x, y in board.equity.lorenz],
        "labels": {
            "turnover": _("Omzet"),
            "asn": _("Omzet ASN"),
            "orders": _("Pesanan"),
            "lorenz": _("Kurva Lorenz"),
            "equality": _("Merata sempurna"),
            "shops": _("Pangsa toko (termiskin dulu)"),
            "money": _("Pangsa omzet ASN"),
        },
    }


def month_links(month: Month, now_month: Month) -> dict:
    return {
        "previous": str(month.previous()),
        "next": str(month.next()) if month < now_month else "",
        "value": str(month),
        "label": month.label(),
    }


def export_titles() -> list[tuple[str, str]]:
    """(slug, title) of every exportable table, for the list of downloads."""
    return [(slug, str(TITLES[slug])) for slug in TABLES]
