"""A real SMTP server and a chat webhook receiver on loopback ports, recording what they get."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiohttp import web
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message as the SMTP server got it."""

    recipients: list[str]
    message: Message

    def body(self, content_type: str) -> str:
        """The decoded text of the part with this content type ("text/plain", "text/html")."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError(f"the message has no {content_type} part")


@dataclass
class Mailbox:
    """An aiosmtpd handler (and authenticator) that keeps every message and login it receives."""

    password: str | None = None
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(bytes(envelope.content))
        self.messages.append(Received(list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        # handled=False: the server itself answers 535 to a refused login.
        return AuthResult(success=password == self.password, handled=False)


@dataclass
class ChatReceiver:
    """Records each posted JSON body; answers with the next scripted (status, body), then 200."""

    answers: list[tuple[int, str]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.posts.append(await request.json())
        status, body = self.answers.pop(0) if self.answers else (200, "ok")
        return web.Response(status=status, text=body)

    def app(self) -> web.Application:
        """An aiohttp application that takes posts on /services/hook."""
        app = web.Application()
        app.router.add_post("/services/hook", self.handle)
        return app
