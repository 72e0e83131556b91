"""A real SMTP server on a free local port (aiosmtpd) that records what it receives and can be switched to down,
hung or refusing: for the e-mail tests and bench/bench_email.py."""

import asyncio
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    body: str


class Recorder:
    """The handler: "up" records every message; "hung" answers nothing for `hang_seconds` at the end of DATA
    (then refuses, so a message the client gave up on is never counted); "refuse" answers `reply` to each
    recipient (e.g. "550 …" or "450 …"); `refuse_addresses` refuses some recipients only."""

    def __init__(self) -> None:
        self.mode = "up"
        self.reply = "550 5.1.1 No such mailbox here"
        self.hang_seconds = 3.0
        self.slow_seconds = 0.0  # a slow but working server: each message takes this long
        self.refuse_addresses: dict[str, str] = {}
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook name
        if address in self.refuse_addresses:
            return self.refuse_addresses[address]
        if self.mode == "refuse":
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.slow_seconds:
            await asyncio.sleep(self.slow_seconds)
        if self.mode == "hung":
            await asyncio.sleep(self.hang_seconds)
            return "451 4.3.0 Took too long"
        message = message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(("plain",))
        with self.lock:
            self.received.append(Received(
                message_id=str(message["Message-ID"]), to=", ".join(envelope.rcpt_tos), subject=str(message["Subject"]),
                body=body.get_content() if body is not None else "",
            ))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """`up()`, `down()` (connections refused), `hang(seconds)`, `refuse(reply)`; `received` lists the messages."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = Recorder()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def up(self) -> None:
        self.handler.mode = "up"
        if self.controller is None:
            # A controller's loop is closed when it stops, so each start is a new one on the same port.
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
            self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop(no_assert=True)
            self.controller = None

    def hang(self, seconds: float = 3.0) -> None:
        self.up()
        self.handler.hang_seconds = seconds
        self.handler.mode = "hung"

    def refuse(self, reply: str) -> None:
        self.up()
        self.handler.reply = reply
        self.handler.mode = "refuse"
