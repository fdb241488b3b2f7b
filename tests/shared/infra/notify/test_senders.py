"""Senders: a real SMTP server gets the mail and the login; a local receiver gets the chat post."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import pytest
from pydantic import SecretStr

from config import SmtpConfig
from shared.errors import ApiError, ConfigError, TransportError
from shared.infra.notify import email_message, post_chat, send_email
from tests.shared.infra.notify.builders import RECIPIENTS, outcome, run_summary
from tests.shared.infra.notify.conftest import SMTP_PASSWORD
from tests.shared.infra.notify.servers import ChatReceiver, Mailbox, free_port

T = TypeVar("T")
MESSAGE = email_message(run_summary([outcome(1)]), to=RECIPIENTS, sender="hopsync@acme.example")


def smtp_config(port: int, **fields: Any) -> SmtpConfig:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": port, "starttls": False, "timeout_s": 5}
    return SmtpConfig(**{**values, **fields})


def with_session(call: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
    async def go() -> T:
        async with aiohttp.ClientSession() as session:
            return await call(session)

    return asyncio.run(go())


def test_an_email_reaches_the_smtp_server_with_every_recipient(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    asyncio.run(send_email(MESSAGE, smtp_config(port), None))
    [received] = mailbox.messages
    assert received.recipients == RECIPIENTS
    assert received.message["Subject"] == "[hopsync] resync resync-1: 1 updated"
    assert mailbox.logins == []


def test_a_configured_user_logs_in_with_the_smtp_password(
    smtp_login_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_login_server
    config = smtp_config(port, user="hopsync")
    asyncio.run(send_email(MESSAGE, config, SecretStr(SMTP_PASSWORD)))
    assert mailbox.logins == [("hopsync", SMTP_PASSWORD)]
    assert len(mailbox.messages) == 1


def test_a_refused_login_is_a_permanent_error_that_names_the_user_not_the_password(
    smtp_login_server: tuple[Mailbox, int],
) -> None:
    _, port = smtp_login_server
    config = smtp_config(port, user="hopsync")
    with pytest.raises(ApiError) as caught:
        asyncio.run(send_email(MESSAGE, config, SecretStr("wrong-password")))
    assert not caught.value.retryable and caught.value.status == 535
    assert "refused the login of 'hopsync'" in str(caught.value)
    assert "wrong-password" not in str(caught.value)


def test_a_user_without_a_password_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="SMTP_PASSWORD"):
        asyncio.run(send_email(MESSAGE, smtp_config(free_port(), user="hopsync"), None))


def test_starttls_required_but_not_offered_is_a_permanent_error(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    with pytest.raises(ApiError, match="STARTTLS") as caught:
        asyncio.run(send_email(MESSAGE, smtp_config(port, starttls=True), None))
    assert not caught.value.retryable and mailbox.messages == []


def test_an_smtp_server_that_is_down_is_a_retryable_transport_error() -> None:
    port = free_port()
    with pytest.raises(TransportError, match=f"127.0.0.1:{port} could not be reached"):
        asyncio.run(send_email(MESSAGE, smtp_config(port), None))


def test_a_chat_post_reaches_the_receiver_as_json(chat: ChatReceiver) -> None:
    with_session(lambda session: post_chat(chat.url, {"text": "hi"}, session, 5))
    assert chat.posts == [{"text": "hi"}]


def test_a_client_error_answer_is_permanent_and_carries_slacks_reason(chat: ChatReceiver) -> None:
    chat.answers = [(400, "invalid_blocks")]
    with pytest.raises(ApiError) as caught:
        with_session(lambda session: post_chat(chat.url, {"text": "hi"}, session, 5))
    assert type(caught.value) is ApiError and caught.value.status == 400
    assert str(caught.value).endswith("answered 400: invalid_blocks")


def test_a_server_error_answer_is_retryable_and_never_shows_the_webhook_path(
    chat: ChatReceiver,
) -> None:
    chat.answers = [(503, "")]
    with pytest.raises(TransportError) as caught:
        with_session(lambda session: post_chat(chat.url, {"text": "hi"}, session, 5))
    assert caught.value.status == 503 and "(empty body)" in str(caught.value)
    assert "/services/hook" not in str(caught.value)


def test_an_unreachable_webhook_is_a_transport_error_naming_only_its_host() -> None:
    url = f"http://127.0.0.1:{free_port()}/services/T0/B0/webhook-token"
    with pytest.raises(TransportError) as caught:
        with_session(lambda session: post_chat(url, {"text": "hi"}, session, 5))
    assert "could not be reached" in str(caught.value)
    assert "webhook-token" not in str(caught.value)
