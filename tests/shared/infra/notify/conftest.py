"""Fixtures: an SMTP server that records mail, one that also requires a login, a chat receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from sim.server import BackgroundServer
from tests.shared.infra.notify.servers import ChatReceiver, Mailbox, free_port

SMTP_PASSWORD = "smtp-password-never-shown"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server without STARTTLS or AUTH on a free loopback port, and its mailbox."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def smtp_login_server() -> Iterator[tuple[Mailbox, int]]:
    """An SMTP server that offers AUTH (without TLS, loopback only) and accepts SMTP_PASSWORD."""
    mailbox = Mailbox(password=SMTP_PASSWORD)
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=mailbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def chat() -> Iterator[ChatReceiver]:
    """A local chat webhook receiver; its url is set once it listens."""
    receiver = ChatReceiver()
    with BackgroundServer(receiver.app()) as server:
        receiver.url = f"{server.url}/services/hook"
        yield receiver
