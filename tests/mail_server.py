"""A real mail server for the outbox tests, on a port of its own: one that answers (aiosmtpd, in
this process), one that takes the connection and never says a word (a hung server), or none
(the port is closed)."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

# Mailboxes at this domain do not exist: the server refuses them, as a real one would.
REFUSED_DOMAIN = "@ditolak.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    def __init__(self, received: list):
        self.received = received

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith(REFUSED_DOMAIN):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": str(message["subject"]),
                "body": message.get_content(),
            }
        )
        return "250 OK"


class MailServer:
    def __init__(self, port: int):
        self.port = port
        self.received: list[dict] = []
        self._silent: socket.socket | None = None
        self._answering: Controller | None = None

    def hang(self) -> None:
        """Listens, and the kernel completes every connection, but no greeting ever comes."""
        self.stop()
        self._silent = socket.socket()
        self._silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._silent.bind(("127.0.0.1", self.port))
        self._silent.listen(64)

    def answer(self) -> None:
        """The server is back: a real SMTP server that keeps what it receives."""
        self.stop()
        self._answering = Controller(Collector(self.received), hostname="127.0.0.1", port=self.port)
        self._answering.start()

    def stop(self) -> None:
        """Nothing listens: connections are refused."""
        if self._silent is not None:
            self._silent.close()
            self._silent = None
        if self._answering is not None:
            self._answering.stop()
            self._answering = None
