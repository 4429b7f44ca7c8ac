"""The cart and its checkout. The checkout form carries what the cart page showed (its lines)
and a key made when the page was drawn, so sending it twice — a double tap, a retry on a slow
line — makes one set of orders and one payment (checkout_place replays the first)."""

import re
import uuid

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peken.catalog.selectors import products_visible
from peken.core import metrics
from peken.core.cache import CATALOG, LISTING
from peken.core.errors import DomainError
from peken.merchants.selectors import merchants_visible
from peken.ordering.models import Order
from peken.ordering.rules import MAX_LINES
from peken.ordering.services import checkout_place
from peken.payments.models import Payment
from peken.payments.services import payment_start
from peken.web.buyer.access import buyer_required
from peken.web.buyer.queries import address_prefill, cart_deliveries
from peken.web.cart import cart_add, cart_by_shop, cart_clear, cart_quantities, cart_set
from peken.web.pages import back_to
from peken.web.shared_pages import shared_page, stand_in

LINE = re.compile(r"(\d{1,12}):(\d{1,6})")
TOKEN = re.compile(r"[0-9a-f]{32}")


def whole_number(text, *, default: int | None = None) -> int | None:
    """A posted count or id; None for anything that is not a plain whole number."""
    text = (text or "").strip()
    if not text:
        return default
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


# --- the cart ---------------------------------------------------------------------------------


@never_cache
@buyer_required
def cart_page(request):
    # Kept for a few seconds per buyer and cart, drawn again when a product or a shop changes;
    # each drawing of the form gets a new checkout key.
    asked = (request.user.pk, sorted(cart_quantities(request.session).items()))
    return shared_page(
        request,
        asked,
        lambda: render(request, "web/buyer/cart.html", _cart_context(request)),
        {"checkout-key": lambda: uuid.uuid4().hex},
        family=(LISTING, CATALOG),
    )


def _cart_context(request, *, typed: dict | None = None, address_error: str = "") -> dict:
    """The cart as it is now; after a refused checkout, with what was chosen and typed kept and
    the address's complaint beside it."""
    shops = cart_by_shop(request.session)
    _forget_lines_gone(request, shops)
    shared = getattr(request, "page_shared", False)
    deliveries = cart_deliveries(request.user, shops)
    lines = [(line.product.pk, line.quantity) for shop in shops for line in shop.lines]
    everyone_delivers = all(d.merchant.offers_delivery for d in deliveries)
    typed = typed or {}
    return {
        "deliveries": deliveries,
        "goods_total": sum(shop.goods_total for shop in shops),
        "delivery_total": sum(d.fee for d in deliveries if d.merchant.offers_delivery),
        "everyone_delivers": everyone_delivers,
        "everyone_lets_pick_up": all(d.merchant.offers_pickup for d in deliveries),
        "lines": ",".join(f"{product_id}:{quantity}" for product_id, quantity in lines),
        "token": stand_in("checkout-key") if shared else uuid.uuid4().hex,
        "address": typed.get("address", address_prefill(request.user) if shops else ""),
        "address_error": address_error,
        "fulfilment": typed.get("fulfilment") or ("delivery" if everyone_delivers else "pickup"),
        "method": typed.get("method") or Payment.Method.QRIS,
        "methods": Payment.Method.choices,
    }


def _address_refused(request, message: str):
    """The cart again, the address as typed and why it was refused beside it (422)."""
    typed = {name: request.POST.get(name, "") for name in ("address", "fulfilment", "method")}
    context = _cart_context(request, typed=typed, address_error=message)
    return render(request, "web/buyer/cart.html", context, status=422)


def _forget_lines_gone(request, shops) -> None:
    """Products that left sale since they were added drop out of the cart, with a word."""
    shown = {line.product.pk for shop in shops for line in shop.lines}
    gone = [
        product_id for product_id in cart_quantities(request.session) if product_id not in shown
    ]
    for product_id in gone:
        cart_set(request.session, product_id, 0)
    if gone:
        messages.warning(request, _("Barang yang tidak dijual lagi dihapus dari keranjang."))


@require_POST
@buyer_required
def cart_add_view(request):
    product_id = whole_number(request.POST.get("product_id"))
    quantity = whole_number(request.POST.get("quantity"), default=1)
    name = _visible_product_name(product_id) if product_id is not None else None
    if name is None or not quantity:
        return _added_reply(request, _("Barang ini tidak ditemukan atau jumlahnya salah."), False)
    cart_add(request.session, product_id, quantity)
    if product_id not in cart_quantities(request.session):
        message = _("Keranjang sudah berisi %(count)s barang berbeda.") % {"count": MAX_LINES}
        return _added_reply(request, message, False)
    return _added_reply(request, _("%(name)s masuk keranjang.") % {"name": name}, True)


def _visible_product_name(product_id: int) -> str | None:
    return products_visible().filter(pk=product_id).values_list("name", flat=True).first()


def _added_reply(request, message: str, added: bool):
    """For htmx: the message in #pesan and the cart badge refreshed; otherwise back."""
    if request.headers.get("HX-Request"):
        context = {"message": message, "added": added}
        return render(request, "web/buyer/_cart_added.html", context)
    (messages.success if added else messages.error)(request, message)
    return redirect(back_to(request))


@require_POST
@buyer_required
def cart_update(request):
    product_id = whole_number(request.POST.get("product_id"))
    quantity = whole_number(request.POST.get("quantity"))
    if product_id is None or quantity is None:
        messages.error(request, _("Jumlah harus bilangan bulat, 0 untuk menghapus."))
    else:
        cart_set(request.session, product_id, quantity)
    return redirect("web:cart")


# --- checkout ---------------------------------------------------------------------------------


class CheckoutForm(forms.Form):
    token = forms.RegexField(regex=TOKEN)
    lines = forms.CharField(max_length=MAX_LINES * 20)
    fulfilment = forms.ChoiceField(choices=Order.Fulfilment.choices)
    address = forms.CharField(required=False, max_length=300)
    method = forms.ChoiceField(choices=Payment.Method.choices, initial=Payment.Method.QRIS)

    def clean_lines(self) -> list[tuple[int, int]]:
        parts = [part for part in self.cleaned_data["lines"].split(",") if part]
        matches = [LINE.fullmatch(part) for part in parts]
        if not parts or not all(matches):
            raise forms.ValidationError(_("Keranjang tidak terbaca; muat ulang halaman."))
        return [(int(match[1]), int(match[2])) for match in matches]


@require_POST
@buyer_required
def checkout(request):
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        if set(form.errors) == {"address"}:
            return _address_refused(request, " ".join(form.errors["address"]))
        messages.error(request, _("Formulir checkout tidak lengkap; muat ulang keranjang."))
        return redirect("web:cart")
    data = form.cleaned_data
    try:
        result = checkout_place(
            buyer=request.user,
            lines=data["lines"],
            fulfilment=data["fulfilment"],
            address=data["address"],
            idempotency_key=data["token"],
        )
    except DomainError as error:
        metrics.checkout_refused(code=error.code, channel="web")
        if error.details.get("field") == "address":
            return _address_refused(request, error.message)
        messages.error(request, checkout_refusal(error), extra_tags=error.code)
        return redirect("web:cart")
    if not result.replayed:
        metrics.checkout_placed(channel="web")
        cart_clear(request.session)
    try:
        payment = payment_start(
            buyer=request.user, checkout_id=result.checkout.pk, method=data["method"]
        )
    except DomainError as error:
        # The orders stand; each can still be paid from its page.
        messages.error(request, error.message, extra_tags=error.code)
        return redirect("web:orders")
    return redirect("web:payment", reference=payment.reference)


def checkout_refusal(error: DomainError) -> str:
    """The service's message, with the shop named and the way out said."""
    if error.code == "merchant_cap_reached":
        shop = (
            merchants_visible()
            .filter(pk=error.details.get("merchant_id"))
            .values_list("name", flat=True)
            .first()
        )
        advice = _("Kurangi belanja di toko ini atau pilih toko lain.")
        return f"{shop}: {error.message} {advice}" if shop else f"{error.message} {advice}"
    if error.code == "insufficient_stock":
        return f"{error.message} {_('Ubah jumlahnya di keranjang.')}"
    if error.code == "idempotency_key_reused":
        return _("Formulir ini sudah dikirim dengan isi lain. Periksa keranjang, lalu kirim lagi.")
    return error.message
