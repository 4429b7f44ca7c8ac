"""Delivering signed notifications the way real gateways do: late, twice, or out of order.

Nothing here sleeps: a delay is a number of seconds the caller lets pass by flushing, so tests
and the demo decide exactly when each notification arrives.
"""

import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

# A URL to POST to, or a callable taking (body, headers), such as a wrapper around a test client.
Target = str | Callable[[bytes, dict[str, str]], Any]

POST_TIMEOUT_SECONDS = 10


class SignedNotification(NamedTuple):
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Delivery:
    notification: SignedNotification
    outcome: Any = None  # the HTTP status for a URL, whatever a callable returned
    error: str = ""  # why nothing was delivered (connection refused, timeout)


def deliver(
    target: Target, notifications: Iterable[SignedNotification], *, copies: int = 1
) -> list[Delivery]:
    """Send each notification in the order given, `copies` times in a row. Pass them reversed
    to test a receiver against events that arrive out of order."""
    return [_send(target, notification) for notification in notifications for _ in range(copies)]


class DeliverySchedule:
    """Notifications held back, for the caller to release by letting time pass."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._entries: list[tuple[float, int, SignedNotification]] = []
        self._added = 0

    def add(
        self, notification: SignedNotification, *, delay_seconds: float = 0, copies: int = 1
    ) -> None:
        for _ in range(copies):
            # The running count breaks ties so equal delays keep the order they were added in.
            self._entries.append((delay_seconds, self._added, notification))
            self._added += 1

    def flush(self, *, elapsed_seconds: float | None = None) -> list[Delivery]:
        """Deliver, earliest first, what is due once `elapsed_seconds` have passed since the
        schedule began (everything when None); the rest stays scheduled."""
        due = sorted(
            entry
            for entry in self._entries
            if elapsed_seconds is None or entry[0] <= elapsed_seconds
        )
        self._entries = [entry for entry in self._entries if entry not in due]
        return deliver(self.target, [notification for _, _, notification in due])

    def __len__(self) -> int:
        return len(self._entries)


def _send(target: Target, notification: SignedNotification) -> Delivery:
    if callable(target):
        return Delivery(notification, target(notification.body, dict(notification.headers)))
    return _post(target, notification)


def _post(url: str, notification: SignedNotification) -> Delivery:
    request = urllib.request.Request(
        url, data=notification.body, headers=notification.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=POST_TIMEOUT_SECONDS) as response:
            return Delivery(notification, response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return Delivery(notification, error.code)  # the receiver answered: that is delivered
    except OSError as error:  # URLError, refused connections and timeouts are all OSErrors
        return Delivery(notification, None, str(error))
