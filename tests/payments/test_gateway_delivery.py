"""Delivering notifications like a real gateway: twice, out of order, late, or over HTTP."""

import socket
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from peken.payments.gateways import ChargeRequest, DeliverySchedule, SimulatorGateway, deliver
from peken.payments.gateways.store import MemoryStore


@pytest.fixture
def simulator():
    clock = lambda: datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # noqa: E731
    gateway = SimulatorGateway(store=MemoryStore(), secret="rahasia-uji", clock=clock)
    gateway.charge_create(ChargeRequest(reference="PKN-7", amount=80_000, method="va_bri"))
    return gateway


class Receiver:
    """Stands for the webhook view: parses each delivery and answers like it would."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.received = []

    def __call__(self, body, headers):
        notification = self.gateway.notification_parse(body, headers)
        self.received.append((notification.notification_id, notification.status))
        return 200


def test_copies_deliver_the_same_notification_twice(simulator):
    receiver = Receiver(simulator)
    paid = simulator.notification_build("PKN-7", "paid")
    results = deliver(receiver, [paid], copies=2)
    assert [result.outcome for result in results] == [200, 200]
    assert receiver.received[0] == receiver.received[1]


def test_events_arrive_in_the_order_given_even_backwards(simulator):
    receiver = Receiver(simulator)
    paid = simulator.notification_build("PKN-7", "paid")
    simulator.refund_create("PKN-7", 80_000, "pesanan dibatalkan")
    refunded = simulator.notification_build("PKN-7", "refunded")
    deliver(receiver, reversed([paid, refunded]))
    assert [status for _, status in receiver.received] == ["refunded", "paid"]


def test_a_schedule_releases_notifications_as_time_is_let_pass(simulator):
    receiver = Receiver(simulator)
    pending = simulator.notification_build("PKN-7", "pending")
    paid = simulator.notification_build("PKN-7", "paid")
    schedule = DeliverySchedule(receiver)
    schedule.add(paid, delay_seconds=30)
    schedule.add(pending, delay_seconds=90, copies=2)
    assert schedule.flush(elapsed_seconds=10) == []
    assert len(schedule) == 3
    schedule.flush(elapsed_seconds=60)
    assert [status for _, status in receiver.received] == ["paid"]
    schedule.flush()
    assert [status for _, status in receiver.received] == ["paid", "pending", "pending"]
    assert len(schedule) == 0


def test_equal_delays_keep_the_order_they_were_added_in(simulator):
    receiver = Receiver(simulator)
    paid = simulator.notification_build("PKN-7", "paid")
    again = simulator.notification_build("PKN-7", "paid")
    schedule = DeliverySchedule(receiver)
    schedule.add(again, delay_seconds=5)
    schedule.add(paid, delay_seconds=5)
    schedule.flush()
    ids = [notification_id for notification_id, _ in receiver.received]
    assert ids == [
        simulator.notification_parse(*again).notification_id,
        simulator.notification_parse(*paid).notification_id,
    ]


@pytest.fixture
def webhook_server():
    """A receiver over real HTTP on this machine, answering 200, or 400 to a bad signature."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, dict(self.headers)))
            status = 200 if self.headers.get("X-Peken-Signature") else 400
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/simulator", received
    server.shutdown()
    server.server_close()


def test_a_url_target_receives_a_post_with_the_signature(simulator, webhook_server):
    url, received = webhook_server
    paid = simulator.notification_build("PKN-7", "paid")
    results = deliver(url, [paid])
    assert results[0].outcome == 200
    body, headers = received[0]
    assert body == paid.body
    assert simulator.notification_parse(body, headers).status == "paid"


def test_an_error_answer_counts_as_delivered_with_its_status(simulator, webhook_server):
    url, _ = webhook_server
    paid = simulator.notification_build("PKN-7", "paid")
    unsigned = paid._replace(headers={"Content-Type": "application/json"})
    assert deliver(url, [unsigned])[0].outcome == 400


def test_an_unreachable_receiver_is_reported_not_raised(simulator):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again on leaving: nobody listens there
    result = deliver(f"http://127.0.0.1:{port}/", [simulator.notification_build("PKN-7", "paid")])
    assert result[0].outcome is None
    assert result[0].error
