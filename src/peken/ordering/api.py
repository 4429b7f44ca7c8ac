import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field, StrictInt

from peken.core import metrics
from peken.core.errors import DomainError, InvalidInput, NotAuthenticated, PermissionDenied
from peken.core.pagination import PageNumberPagination
from peken.ordering import errors, rules, selectors, services
from peken.ordering.completion import auto_complete_at
from peken.ordering.contact import order_contact_url
from peken.ordering.errors import codes
from peken.ordering.models import Order
from peken.quotas.services import MerchantCapReached

router = Router(tags=["pesanan"])
ERRORS_AUTH = codes(NotAuthenticated, PermissionDenied)
ORDER_STEP_ERRORS = {
    "x-error-codes": [
        *ERRORS_AUTH,
        *codes(selectors.OrderNotFound, errors.OrderStatusConflict, InvalidInput),
    ]
}


class CartLineIn(Schema):
    product_id: StrictInt
    quantity: StrictInt = Field(..., description=f"1 sampai {rules.MAX_QUANTITY}")


class CheckoutIn(Schema):
    items: list[CartLineIn] = Field(..., max_length=rules.MAX_LINES * 2)
    fulfilment: Literal["delivery", "pickup"]
    address: str = Field("", max_length=300)
    delivery_kelurahan: str | None = Field(
        None, max_length=13, description="Kode kelurahan tujuan; tanpa ini: kelurahan domisili"
    )


class OrderItemOut(Schema):
    product_id: int
    product_name: str
    unit: str
    unit_price: int
    quantity: int
    line_total: int


class OrderEventOut(Schema):
    from_status: str
    to_status: str
    at: dt.datetime
    actor_kind: str
    note: str


class OrderOut(Schema):
    id: int
    merchant_id: int
    merchant_name: str = Field(..., alias="merchant.name")
    buyer_kind: str
    status: str
    status_label: str
    fulfilment: str
    delivery_zone: str
    address: str
    goods_total: int
    delivery_fee: int
    total: int
    placed_at: dt.datetime
    month: str
    cancel_reason: str
    items: list[OrderItemOut]
    events: list[OrderEventOut]
    auto_complete_at: dt.datetime | None = Field(
        None,
        description="Sedang diantar atau siap diambil: selesai otomatis pada waktu ini bila "
        "pembeli tidak mengonfirmasi (POST /orders/{id}/confirm) atau komplain; selain itu null",
    )

    @staticmethod
    def resolve_auto_complete_at(order) -> dt.datetime | None:
        return auto_complete_at(order)

    @staticmethod
    def resolve_status_label(order) -> str:
        return str(Order.Status(order.status).label)

    @staticmethod
    def resolve_month(order) -> str:
        return f"{order.month:%Y-%m}"


class OrderDetailOut(OrderOut):
    contact_url: str | None = Field(
        None,
        description="WhatsApp ke pihak lain pesanan (pembeli ↔ toko), hanya untuk kedua pihak "
        "itu, sejak dibayar sampai 3 hari setelah selesai; selain itu null",
    )

    @staticmethod
    def resolve_contact_url(order, context) -> str | None:
        return order_contact_url(order=order, viewer=context["request"].user)


class CheckoutOut(Schema):
    checkout_id: int
    orders: list[OrderOut]


class OrderReasonIn(Schema):
    reason: str = Field("", max_length=300)


@router.post(
    "/checkout",
    response={201: CheckoutOut},
    openapi_extra={
        "x-error-codes": [
            *ERRORS_AUTH,
            *codes(
                errors.NotABuyer,
                InvalidInput,
                errors.ProductUnavailable,
                errors.FulfilmentUnavailable,
                errors.InsufficientStock,
                MerchantCapReached,
                errors.IdempotencyKeyReused,
            ),
        ]
    },
)
def checkout(
    request,
    response: HttpResponse,
    payload: CheckoutIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=100),
):
    """Places the cart: one order per shop, all or nothing. Send an `Idempotency-Key` so a
    retried request returns the same orders (with `Idempotent-Replayed: true`)."""
    try:
        result = services.checkout_place(
            buyer=request.user,
            lines=[(line.product_id, line.quantity) for line in payload.items],
            fulfilment=payload.fulfilment,
            address=payload.address,
            delivery_kelurahan_code=payload.delivery_kelurahan,
            idempotency_key=idempotency_key,
        )
    except DomainError as error:
        metrics.checkout_refused(code=error.code, channel="api")
        raise
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    else:
        metrics.checkout_placed(channel="api")
    return Status(201, {"checkout_id": result.checkout.pk, "orders": result.orders})


@router.get("/orders", response=list[OrderOut])
@paginate(PageNumberPagination, page_size=20)
def my_orders(request, status: str | None = None):
    """The signed-in buyer's own orders, newest first."""
    return selectors.orders_of_buyer(buyer=request.user, status=status)


@router.get(
    "/orders/{order_id}",
    response=OrderDetailOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, *codes(selectors.OrderNotFound)]},
)
def order_detail(request, order_id: int):
    """An order its buyer or its shop's owner may see; for anyone else it does not exist."""
    return selectors.order_for(viewer=request.user, order_id=order_id)


def _step(request, order_id: int, action: str, reason: str = ""):
    order = selectors.order_for(viewer=request.user, order_id=order_id)
    services.order_act(actor=request.user, order=order, action=action, reason=reason)
    return selectors.order_for(viewer=request.user, order_id=order_id)


@router.post("/orders/{order_id}/cancel", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS)
def order_cancel(request, order_id: int):
    """The buyer cancels before the shop accepts; stock and cap are given back."""
    return _step(request, order_id, "cancel")


@router.post("/orders/{order_id}/confirm", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS)
def order_confirm(request, order_id: int):
    """The buyer confirms the goods arrived (or were picked up): the order completes and its
    money becomes the shop's. Without it, the order completes at `auto_complete_at`."""
    return _step(request, order_id, "confirm")


@router.get("/merchant/orders", response=list[OrderOut])
@paginate(PageNumberPagination, page_size=20)
def merchant_orders(request, merchant_id: int | None = None, status: str | None = None):
    """Orders to the signed-in owner's shops: their inbox."""
    return selectors.orders_of_merchant_owner(
        owner=request.user, merchant_id=merchant_id, status=status
    )


@router.post(
    "/merchant/orders/{order_id}/accept", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS
)
def merchant_order_accept(request, order_id: int):
    return _step(request, order_id, "accept")


@router.post(
    "/merchant/orders/{order_id}/reject", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS
)
def merchant_order_reject(request, order_id: int, payload: OrderReasonIn):
    """The shop declines, with a reason the buyer sees; stock and cap are given back."""
    return _step(request, order_id, "reject", payload.reason)


@router.post(
    "/merchant/orders/{order_id}/deliver", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS
)
def merchant_order_deliver(request, order_id: int):
    return _step(request, order_id, "deliver")


@router.post(
    "/merchant/orders/{order_id}/ready", response=OrderOut, openapi_extra=ORDER_STEP_ERRORS
)
def merchant_order_ready(request, order_id: int):
    return _step(request, order_id, "ready")


@router.post(
    "/merchant/orders/{order_id}/complete",
    response=OrderOut,
    deprecated=True,
    openapi_extra={
        "x-error-codes": [
            *ORDER_STEP_ERRORS["x-error-codes"],
            *codes(errors.CompletionNeedsBuyer),
        ]
    },
)
def merchant_order_complete(request, order_id: int):
    """Always refused (409 completion_needs_buyer): an order completes when its buyer confirms
    receipt, or by itself at `auto_complete_at`; a shop no longer completes its own orders."""
    return _step(request, order_id, "complete")
