"""Buyer and shop reach each other about an order: a WhatsApp link to the other party's phone.

Only the two parties get it, only on the order itself (never in a list), and only while
ordering.rules.contact_open says so: the phone numbers are personal data (DOMAIN.md rule 8).
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from peken.accounts.models import User
from peken.core.whatsapp import whatsapp_url
from peken.ordering import rules
from peken.ordering.models import Order


def order_contact_open(order: Order, *, now: dt.datetime | None = None) -> bool:
    return rules.contact_open(
        status=order.status,
        completed_at=order.completed_at,
        now=now or timezone.now(),
        after=rules.COMPLAINT_WINDOW,
    )


def order_contact_url(*, order: Order, viewer: User, now: dt.datetime | None = None) -> str | None:
    """The buyer gets the shop's number, the shop's owner the buyer's, with a first line naming
    the order typed in; anyone else (a city admin or auditor reading the order too) nothing."""
    if not order_contact_open(order, now=now):
        return None
    shop = order.merchant
    if viewer.pk == order.buyer_id:
        text = _("Halo %(shop)s, saya pembeli pesanan #%(number)s di Peken.")
        return whatsapp_url(shop.phone, text % {"shop": shop.name, "number": order.pk})
    if viewer.pk == shop.owner_id:
        text = _("Halo %(buyer)s, kami dari %(shop)s tentang pesanan #%(number)s Anda di Peken.")
        buyer = order.buyer.full_name or _("Bapak/Ibu")
        words = {"buyer": buyer, "shop": shop.name, "number": order.pk}
        return whatsapp_url(order.buyer.phone, text % words)
    return None
