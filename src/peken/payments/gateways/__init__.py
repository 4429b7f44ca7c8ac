"""Payment gateways behind one interface. `gateway_get()` gives the one the settings name.

Settings read (all optional, with getattr defaults):
PEKEN_PAYMENT_GATEWAY ("simulator" or "midtrans"), PEKEN_PAYMENT_SIMULATOR,
PEKEN_MIDTRANS_SERVER_KEY, PEKEN_MIDTRANS_BASE_URL, PEKEN_MIDTRANS_TIMEOUT_SECONDS,
PEKEN_MIDTRANS_QRIS_ACQUIRER,
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
    GatewayNotConfigured,
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


def simulator_enabled() -> bool:
    """The simulator "pays" without money, so it exists only where PEKEN_PAYMENT_SIMULATOR
    turns it on (the demo, the tests, the benchmarks): never by accident in production."""
    return bool(getattr(settings, "PEKEN_PAYMENT_SIMULATOR", False))


def gateway_is_enabled(name: str) -> bool:
    """Whether this installation uses gateway `name` at all: the simulator when switched on,
    Midtrans when it has a server key."""
    if name == SimulatorGateway.name:
        return simulator_enabled()
    if name == MidtransGateway.name:
        return bool(getattr(settings, "PEKEN_MIDTRANS_SERVER_KEY", ""))
    return False


def gateway_get(name: str | None = None) -> PaymentGateway:
    """The gateway called `name` (a webhook URL's, a stored payment's), or the configured one
    when None.

    A gateway this installation does not use is unknown (404) by name, so its webhook does not
    exist; as the configured one it refuses charges (503) instead of failing deep inside.
    Built on each call from the current settings, so it is cheap and tests may override them.
    """
    if name is None:
        configured = getattr(settings, "PEKEN_PAYMENT_GATEWAY", DEFAULT_GATEWAY)
        if configured not in GATEWAYS:
            raise ImproperlyConfigured(
                f"PEKEN_PAYMENT_GATEWAY={configured!r} is not one of {sorted(GATEWAYS)}."
            )
        if not gateway_is_enabled(configured):
            raise GatewayNotConfigured(gateway=configured)
        return GATEWAYS[configured]()
    if name not in GATEWAYS or not gateway_is_enabled(name):
        raise UnknownGateway(gateway=name)
    return GATEWAYS[name]()


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
    "GatewayNotConfigured",
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
    "gateway_is_enabled",
    "simulator_enabled",
]
