"""Real receiving ends for the alert sinks: an SMTP server on loopback
(aiosmtpd) and an HTTP webhook receiver that can refuse its first calls."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Mailbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Receiver:
    failures: int = 0  # answer 500 to this many calls first
    calls: int = 0
    bodies: list[dict] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def receive(request: Request) -> JSONResponse:
            self.calls += 1
            if self.calls <= self.failures:
                return JSONResponse({"error": "down"}, status_code=500)
            self.bodies.append(await request.json())
            self.keys.append(request.headers.get("idempotency-key", ""))
            return JSONResponse({"ok": True})

        return Starlette(routes=[Route("/hook", receive, methods=["POST"])])

    def texts(self) -> list[str]:
        return [body["text"] for body in self.bodies]
