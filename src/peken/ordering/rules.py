"""Ordering rules: the order state machine, delivery zones, cart lines. Pure: no Django."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from peken.core.rule_errors import Label, RuleError, gettext_noop

MAX_QUANTITY = 1_000
MAX_LINES = 50

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "pay": (frozenset({"awaiting_payment"}), "paid"),
    "accept": (frozenset({"paid"}), "accepted"),
    "deliver": (frozenset({"accepted"}), "delivering"),
    "ready": (frozenset({"accepted"}), "ready_for_pickup"),
    # Completion makes the money the shop's, so it is never the shop's own step: the buyer
    # confirms receipt, or the worker completes an order nobody confirmed after a while.
    "confirm": (frozenset({"delivering", "ready_for_pickup"}), "completed"),
    "auto_complete": (frozenset({"delivering", "ready_for_pickup"}), "completed"),
    "cancel": (frozenset({"awaiting_payment", "paid"}), "cancelled"),
    "reject": (frozenset({"paid", "accepted"}), "cancelled"),
    "expire_payment": (frozenset({"awaiting_payment"}), "cancelled"),
    "expire_acceptance": (frozenset({"paid"}), "cancelled"),
}
# Only the matching fulfilment may take these steps.
FULFILMENT_OF_ACTION = {"deliver": "delivery", "ready": "pickup"}
ACTIONS_NEEDING_REASON = {"reject"}
STATUS_LABELS = {
    "awaiting_payment": gettext_noop("menunggu pembayaran"),
    "paid": gettext_noop("sudah dibayar"),
    "accepted": gettext_noop("diterima toko"),
    "delivering": gettext_noop("sedang diantar"),
    "ready_for_pickup": gettext_noop("siap diambil"),
    "completed": gettext_noop("selesai"),
    "cancelled": gettext_noop("dibatalkan"),
}
ZONES = ("same_kelurahan", "same_kecamatan", "city")


class OrderRuleError(RuleError):
    """str(error) is the message, in the language of the request."""


# Statuses an order has before the shop has sent it out or readied it.
BEFORE_FULFILMENT = frozenset({"awaiting_payment", "paid", "accepted"})


def next_status(*, status: str, action: str, fulfilment: str) -> str:
    starts, target = TRANSITIONS[action]
    if action == "confirm" and status in BEFORE_FULFILMENT:
        raise OrderRuleError(
            gettext_noop(
                "Pesanan belum diantar atau siap diambil. Konfirmasi setelah barangnya Anda terima."
            )
        )
    if status not in starts:
        raise OrderRuleError(
            gettext_noop("Pesanan yang %(status)s tidak dapat diubah dengan cara ini."),
            status=Label(STATUS_LABELS.get(status, status)),
        )
    wanted = FULFILMENT_OF_ACTION.get(action)
    if wanted is not None and wanted != fulfilment:
        raise OrderRuleError(
            gettext_noop("Pesanan ini diantar, bukan diambil.")
            if fulfilment == "delivery"
            else gettext_noop("Pesanan ini diambil di toko, bukan diantar.")
        )
    return target


def merged_lines(lines: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Cart lines as product → quantity; the same product twice is one line of both quantities."""
    merged: dict[int, int] = {}
    for product_id, quantity in lines:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise OrderRuleError(
                gettext_noop("Jumlah barang harus bilangan bulat paling sedikit 1.")
            )
        merged[product_id] = merged.get(product_id, 0) + quantity
        if merged[product_id] > MAX_QUANTITY:
            raise OrderRuleError(
                gettext_noop("Jumlah satu barang paling banyak %(maximum)s."), maximum=MAX_QUANTITY
            )
    if not merged:
        raise OrderRuleError(gettext_noop("Keranjang kosong."))
    if len(merged) > MAX_LINES:
        raise OrderRuleError(
            gettext_noop("Satu checkout paling banyak %(maximum)s barang berbeda."),
            maximum=MAX_LINES,
        )
    return merged


def delivery_zone(
    *,
    buyer_kelurahan_id: int | None,
    buyer_kecamatan_id: int | None,
    merchant_kelurahan_id: int,
    merchant_kecamatan_id: int,
) -> str:
    if buyer_kelurahan_id is not None and buyer_kelurahan_id == merchant_kelurahan_id:
        return "same_kelurahan"
    if buyer_kecamatan_id is not None and buyer_kecamatan_id == merchant_kecamatan_id:
        return "same_kecamatan"
    return "city"


def request_fingerprint(payload: dict) -> str:
    """The same body, written in any key order, gives the same fingerprint."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# After completion the buyer may complain for this long (payments.complaints decides on them).
COMPLAINT_WINDOW = dt.timedelta(days=3)
# A complaint in these states keeps its order from completing by itself (payments.models'
# Complaint.Status values; a test checks they agree).
COMPLAINT_IN_PROGRESS = ("open", "answered")


# Who may take which step: the buyer of the order or the owner of its shop. Payment ("pay") is
# the gateway's, through the payments app, never a person's.
BUYER_ACTIONS = frozenset({"cancel", "confirm"})
MERCHANT_ACTIONS = frozenset({"accept", "reject", "deliver", "ready"})
ADMIN_ACTIONS: frozenset[str] = frozenset()


# While an order is under way its buyer and shop may need to talk (the way to the house, an item
# out of stock), and after completion for as long as a complaint may be filed: talking often
# settles what would become one. Not before payment (an unpaid order costs nothing, so placing
# one would hand out a shop's number, and the shop a stranger's), nor after a cancellation.
CONTACT_STATUSES = frozenset({"paid", "accepted", "delivering", "ready_for_pickup"})


def contact_open(
    *, status: str, completed_at: dt.datetime | None, now: dt.datetime, after: dt.timedelta
) -> bool:
    """Whether an order's two parties may see each other's phone now."""
    if status in CONTACT_STATUSES:
        return True
    return status == "completed" and completed_at is not None and now - completed_at <= after


def auto_complete_at(*, fulfilled_at: dt.datetime | None, hours: int) -> dt.datetime | None:
    """When an order sent out (or ready) at `fulfilled_at` completes unless its buyer confirms."""
    return None if fulfilled_at is None else fulfilled_at + dt.timedelta(hours=hours)
