"""The cart lives in the session: product id → quantity. Prices and shops are read fresh each
time it is shown, so a cart never shows a stale price; checkout snapshots them."""

from dataclasses import dataclass

from peken.catalog.models import Product
from peken.catalog.selectors import products_visible
from peken.ordering.rules import MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    product: Product
    quantity: int

    @property
    def line_total(self) -> int:
        return self.product.price * self.quantity


@dataclass(frozen=True)
class CartShop:
    merchant: object
    lines: list[CartLine]

    @property
    def goods_total(self) -> int:
        return sum(line.line_total for line in self.lines)


def cart_quantities(session) -> dict[int, int]:
    return {int(key): value for key, value in session.get(SESSION_KEY, {}).items()}


def cart_set(session, product_id: int, quantity: int) -> None:
    """Quantity 0 removes the line; quantities are kept within what checkout accepts."""
    cart = session.get(SESSION_KEY, {})
    key = str(product_id)
    if quantity <= 0:
        cart.pop(key, None)
    elif key in cart or len(cart) < MAX_LINES:
        cart[key] = min(quantity, MAX_QUANTITY)
    session[SESSION_KEY] = cart


def cart_add(session, product_id: int, quantity: int = 1) -> None:
    cart_set(session, product_id, cart_quantities(session).get(product_id, 0) + quantity)


def cart_clear(session) -> None:
    session.pop(SESSION_KEY, None)


def cart_by_shop(session) -> list[CartShop]:
    """The cart grouped per shop, in one query; lines whose product left sale drop out."""
    quantities = cart_quantities(session)
    products = products_visible().select_related("merchant__kelurahan").filter(pk__in=quantities)
    shops: dict[int, CartShop] = {}
    for product in sorted(products, key=lambda p: (p.merchant.name, p.name)):
        shop = shops.setdefault(product.merchant_id, CartShop(product.merchant, []))
        shop.lines.append(CartLine(product, quantities[product.pk]))
    return list(shops.values())


def cart_count(session) -> int:
    return sum(cart_quantities(session).values())
