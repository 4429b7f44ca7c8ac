"""Payment gateways behind one interface. `gateway_get()` gives the one the settings name.

Settings read (all optional, with getattr defaults):
PEKEN_PAYMENT_GATEWAY ("simulator" or "midtrans"), PEKEN_MIDTRANS_SERVER_KEY,
PEKEN_MIDTRANS_BASE_URL, PEKEN_MIDTRANS_TIMEOUT_SECONDS, PEKEN_MIDTRANS_QRIS_ACQUIRER,
PEKEN_SIMULATOR_SECRET, PEKEN_SIMULATOR_STORE, PEKEN_SIMULATOR_CACHE,
PEKEN_SIMULATOR_MERCHANT_NAME, PEKEN_SIMULATOR_MERCHANT_CITY, PEKEN_SIMULATOR_MERCHANT_POSTAL_CODE.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from peken.payments.gateways.base import (
    CHARGE_STATUSES,
    PAYMENT_METHODS,
    Charge,
    ChargeNotFound,
    ChargeRequest,
    GatewayError,
    GatewayRejected,
    GatewayResponseInvalid,
    GatewayUnavailable,
    Notification,
    NotificationMalformed,
    NotificationRejected,
    PaymentGateway,
    PaymentMethodUnsupported,
    ReferenceUsed,
    Refund,
    RefundRejected,
    SignatureInvalid,
    UnknownGateway,
)
from peken.payments.gateways.delivery import Delivery, DeliverySchedule, SignedNotification, deliver
from peken.payments.gateways.midtrans import MidtransGateway
from peken.payments.gateways.simulator import SimulatorGateway

GATEWAYS: dict[str, Callable[[], PaymentGateway]] = {
    SimulatorGateway.name: SimulatorGateway.from_settings,
    MidtransGateway.name: MidtransGateway.from_settings,
}
DEFAULT_GATEWAY = SimulatorGateway.name


def gateway_get(name: str | None = None) -> PaymentGateway:
    """The gateway called `name` (a webhook URL's), or the configured one when None.

    Built on each call from the current settings, so it is cheap and tests may override them.
    """
    if name is None:
        configured = getattr(settings, "PEKEN_PAYMENT_GATEWAY", DEFAULT_GATEWAY)
        if configured not in GATEWAYS:
            raise ImproperlyConfigured(
                f"PEKEN_PAYMENT_GATEWAY={configured!r} is not one of {sorted(GATEWAYS)}."
            )
        name = configured
    factory = GATEWAYS.get(name)
    if factory is None:
        raise UnknownGateway(gateway=name)
    return factory()


__all__ = [
    "CHARGE_STATUSES",
    "DEFAULT_GATEWAY",
    "GATEWAYS",
    "PAYMENT_METHODS",
    "Charge",
    "ChargeNotFound",
    "ChargeRequest",
    "Delivery",
    "DeliverySchedule",
    "GatewayError",
    "GatewayRejected",
    "GatewayResponseInvalid",
    "GatewayUnavailable",
    "MidtransGateway",
    "Notification",
    "NotificationMalformed",
    "NotificationRejected",
    "PaymentGateway",
    "PaymentMethodUnsupported",
    "ReferenceUsed",
    "Refund",
    "RefundRejected",
    "SignatureInvalid",
    "SignedNotification",
    "SimulatorGateway",
    "UnknownGateway",
    "deliver",
    "gateway_get",
]
