"""Notifications: a real SMTP server receives the email, a local receiver gets the chat post."""

from __future__ import annotations

import asyncio
import email
from datetime import UTC, datetime
from email.message import Message
from typing import Any

import aiohttp
from structlog.testing import capture_logs

from config import parse_config
from config.loader import Secrets
from shared.models import FieldChange, PersonOutcome, RunMeta
from shared.notify import NotifyReport, notify
from shared.summary import build_summary
from tests.shared.factories import BASE_CONFIG
from tests.shared.notify.conftest import ChatReceiver, Mailbox

SMTP_PASSWORD = "smtp-password-never-shown"
SECRETS = Secrets(smtp_password=SMTP_PASSWORD)  # type: ignore[arg-type]
START = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)


def summary(*, dry_run: bool = False, changes: int = 3, status: str = "updated") -> Any:
    outcomes = [
        PersonOutcome(
            key=f"p{i}",
            status=status,
            name=f"Person {i}",  # type: ignore[arg-type]
            changes=[FieldChange(attribute="title", old="A", new="B")],
        )
        for i in range(changes)
    ]
    outcomes.append(
        PersonOutcome(
            key="x", status="updated", name="<script>alert(1)</script>", groups_added=["Managers"]
        )
    )
    meta = RunMeta(run_id="resync-1", kind="resync", dry_run=dry_run, created_at=START)
    return build_summary(meta, outcomes, START)


def config(port: int | None = None, chat_url: str | None = None, **settings: Any) -> Any:
    raw: dict[str, Any] = {**BASE_CONFIG, "settings": {**BASE_CONFIG["settings"], **settings}}
    if port is not None:
        raw["smtp"] = {
            "host": "127.0.0.1",
            "port": port,
            "starttls": False,
            "from_address": "hopsync@acme.example",
        }
        raw["settings"]["notify_emails"] = ["it@acme.example", "hr@acme.example"]
    if chat_url is not None:
        raw["settings"]["chat_webhook_url"] = chat_url
    return parse_config(raw)


def send(run: Any, cfg: Any, **options: Any) -> NotifyReport:
    async def go() -> NotifyReport:
        async with aiohttp.ClientSession() as session:
            return await notify(run, cfg, SECRETS, session, base_delay_s=0.01, **options)

    return asyncio.run(go())


def parts(raw: bytes) -> dict[str, str]:
    message: Message = email.message_from_bytes(raw)
    found = {"subject": str(message["Subject"])}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            found[part.get_content_type()] = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
    return found


def test_the_email_reaches_every_recipient_with_text_and_html_bodies(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    report = send(summary(changes=60), config(port))
    assert report.email_sent and report.errors == []
    [(recipients, raw)] = mailbox.messages
    assert recipients == ["it@acme.example", "hr@acme.example"]
    body = parts(raw)
    assert body["subject"] == "[hopsync] resync resync-1: 61 updated"
    assert "title: 'A' -> 'B'" in body["text/plain"]
    assert "... and 11 more: hopsync runs show resync-1" in body["text/plain"]
    assert "<table>" in body["text/html"]


def test_html_escapes_what_people_data_contains(smtp_server: tuple[Mailbox, int]) -> None:
    mailbox, port = smtp_server
    send(summary(changes=0), config(port))
    html_body = parts(mailbox.messages[0][1])["text/html"]
    assert "<script>" not in html_body
    assert "&lt;script&gt;" in html_body


def test_a_dry_run_is_labelled_in_the_email_and_the_chat(
    smtp_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_server
    send(summary(dry_run=True), config(port, chat.url))
    assert parts(mailbox.messages[0][1])["subject"].startswith("[hopsync] DRY RUN ")
    [post] = chat.posts
    assert post["text"].startswith("DRY RUN resync resync-1")
    assert post["blocks"][0]["type"] == "header"


def test_the_chat_post_has_counts_first_changes_and_how_to_see_the_rest(chat: ChatReceiver) -> None:
    report = send(summary(changes=15), config(chat_url=chat.url))
    assert report.chat_sent
    blocks = chat.posts[0]["blocks"]
    assert {"type": "mrkdwn", "text": "*updated*: 16"} in blocks[1]["fields"]
    assert blocks[2]["text"]["text"].count("•") == 10
    assert blocks[-1]["elements"][0]["text"] == "... and 6 more: hopsync runs show resync-1"


def test_a_run_that_changed_nothing_sends_nothing_unless_configured(
    smtp_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_server
    quiet = build_summary(
        RunMeta(run_id="r", kind="resync", created_at=START),
        [PersonOutcome(key="a", status="unchanged")],
        START,
    )
    report = send(quiet, config(port, chat.url))
    assert report.skipped_reason and not report.email_sent and not report.chat_sent
    assert mailbox.messages == [] and chat.posts == []
    report = send(quiet, config(port, chat.url, notify_when_unchanged=True))
    assert report.email_sent and report.chat_sent


def test_a_failing_chat_receiver_is_retried_until_it_answers(chat: ChatReceiver) -> None:
    chat.statuses = [500, 500]
    report = send(summary(), config(chat_url=chat.url))
    assert report.chat_sent and report.errors == []
    assert len(chat.posts) == 3


def test_channels_that_keep_failing_are_reported_and_never_raise(chat: ChatReceiver) -> None:
    chat.statuses = [500] * 10
    from tests.shared.notify.conftest import free_port

    with capture_logs() as logs:
        report = send(summary(), config(free_port(), chat.url))
    assert not report.email_sent and not report.chat_sent
    assert len(report.errors) == 2
    assert "chat webhook answered 500" in report.errors[1]
    assert SMTP_PASSWORD not in repr(report) + repr(logs)
    assert [entry["attempt"] for entry in logs if entry["channel"] == "chat"] == [1, 2, 3]
