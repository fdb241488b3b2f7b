"""notify: when a run is told, both channels end to end, retries, failures kept out of the run."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from pydantic import SecretStr
from structlog.testing import capture_logs

from config import HopsyncConfig, Secrets
from shared.core.models import RunSummary
from shared.infra.notify import Backoff, NotifyReport, notify
from tests.shared.infra.notify.builders import RECIPIENTS, hopsync_config, outcome, run_summary
from tests.shared.infra.notify.conftest import SMTP_PASSWORD
from tests.shared.infra.notify.servers import ChatReceiver, Mailbox, free_port

OKTA_TOKEN = "00okta-token-never-shown"
SECRETS = Secrets(smtp_password=SecretStr(SMTP_PASSWORD), okta_api_token=SecretStr(OKTA_TOKEN))


def send(summary: RunSummary, config: HopsyncConfig, **options: Any) -> NotifyReport:
    async def go() -> NotifyReport:
        async with aiohttp.ClientSession() as session:
            return await notify(summary, config, SECRETS, session, base_delay_s=0.01, **options)

    return asyncio.run(go())


def quiet_run(**fields: Any) -> RunSummary:
    return run_summary([], unchanged=25, **fields)


def test_a_run_is_told_by_email_and_chat(
    smtp_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_server
    summary = run_summary([outcome(i) for i in range(60)], unchanged=3)
    report = send(summary, hopsync_config(port, chat.url))
    assert report == NotifyReport(email_sent=True, chat_sent=True)
    [received] = mailbox.messages
    assert received.recipients == RECIPIENTS
    assert received.message["Subject"] == "[hopsync] resync resync-1: 60 updated"
    assert received.message["From"] == "hopsync@acme.example"
    plain, rich = received.body("text/plain"), received.body("text/html")
    assert "title: 'Engineer' -> 'Lead 49'" in plain and "'Lead 50'" not in plain
    assert "... and 10 more people with changes: hopsync runs show resync-1 --all" in plain
    assert "<tr><td>updated</td><td>60</td></tr>" in rich
    assert "... and 10 more people with changes: hopsync runs show resync-1 --all" in rich
    [post] = chat.posts
    kinds = [block["type"] for block in post["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    assert post["blocks"][2]["text"]["text"].count("• [updated]") == 10
    assert post["text"].startswith("COMPLETED: resync resync-1: 60 updated, 3 unchanged")


def test_a_dry_run_arrives_labelled_in_the_email_and_the_chat(
    smtp_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_server
    send(run_summary([outcome(1)], dry_run=True), hopsync_config(port, chat.url))
    [received] = mailbox.messages
    assert received.message["Subject"].startswith("[hopsync] DRY RUN resync resync-1")
    assert received.body("text/plain").startswith("This was a dry run")
    assert "This was a dry run" in received.body("text/html")
    [post] = chat.posts
    assert post["blocks"][0]["text"]["text"] == "hopsync: DRY RUN resync resync-1"
    assert post["text"].startswith("COMPLETED: DRY RUN resync resync-1")


def test_a_name_with_markup_arrives_escaped_in_the_html_part(
    smtp_server: tuple[Mailbox, int],
) -> None:
    mailbox, port = smtp_server
    send(run_summary([outcome(1, name="<script>alert(1)</script>")]), hopsync_config(port))
    rich = mailbox.messages[0].body("text/html")
    assert "<script>" not in rich and "&lt;script&gt;alert(1)&lt;/script&gt;" in rich


def test_a_run_that_changed_nothing_sends_nothing_unless_configured(
    smtp_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_server
    report = send(quiet_run(), hopsync_config(port, chat.url))
    assert report.skipped_reason is not None and "notify_when_unchanged" in report.skipped_reason
    assert not report.email_sent and not report.chat_sent
    assert mailbox.messages == [] and chat.posts == []
    report = send(quiet_run(), hopsync_config(port, chat.url, notify_when_unchanged=True))
    assert report == NotifyReport(email_sent=True, chat_sent=True)
    assert mailbox.messages[0].message["Subject"] == "[hopsync] resync resync-1: no changes"


def test_failures_and_held_runs_are_told_even_when_nothing_was_written(
    chat: ChatReceiver,
) -> None:
    failed = run_summary([outcome(1, "failed", changes=[], reason="OktaServerError: 500")])
    assert not failed.changed
    assert send(failed, hopsync_config(chat_url=chat.url)).chat_sent
    assert send(quiet_run(status="held"), hopsync_config(chat_url=chat.url)).chat_sent
    broken = quiet_run(status="failed").model_copy(update={"reason": "OktaAuthError: 401"})
    assert send(broken, hopsync_config(chat_url=chat.url)).chat_sent
    assert len(chat.posts) == 3
    assert (
        chat.posts[2]["text"].startswith("FAILED: ")
        and "OktaAuthError: 401" in chat.posts[2]["text"]
    )


def test_no_configured_channel_is_a_skip_not_an_error() -> None:
    report = send(run_summary([outcome(1)]), hopsync_config())
    assert report.skipped_reason is not None and "no channel" in report.skipped_reason
    assert report.errors == []


def test_a_chat_receiver_failing_twice_is_retried_until_it_answers(chat: ChatReceiver) -> None:
    chat.answers = [(500, "oops"), (500, "oops")]
    with capture_logs() as logs:
        report = send(run_summary([outcome(1)]), hopsync_config(chat_url=chat.url))
    assert report == NotifyReport(chat_sent=True)
    assert len(chat.posts) == 3 and chat.posts[0] == chat.posts[2]
    assert [(entry["event"], entry["attempt"]) for entry in logs] == [
        ("notification try failed", 1),
        ("notification try failed", 2),
        ("notification sent", 3),
    ]
    assert all(entry["run_id"] == "resync-1" for entry in logs)


def test_channels_that_keep_failing_are_reported_and_never_raise(chat: ChatReceiver) -> None:
    chat.answers = [(502, "bad gateway")] * 5
    with capture_logs() as logs:
        report = send(run_summary([outcome(1)]), hopsync_config(free_port(), chat.url))
    assert not report.email_sent and not report.chat_sent and report.skipped_reason is None
    [chat_error, email_error] = sorted(report.errors)
    assert email_error.startswith("email: TransportError: SMTP server 127.0.0.1:")
    assert chat_error.endswith("answered 502: bad gateway")
    assert len(chat.posts) == 3
    failed = [entry for entry in logs if entry["event"] == "notification failed"]
    assert sorted((entry["channel"], entry["attempt"]) for entry in failed) == [
        ("chat", 3),
        ("email", 3),
    ]


def test_an_error_that_retrying_cannot_fix_is_tried_once(
    smtp_login_server: tuple[Mailbox, int], chat: ChatReceiver
) -> None:
    mailbox, port = smtp_login_server
    chat.answers = [(404, "no_service")]
    secrets = Secrets(smtp_password=SecretStr("a-wrong-password"))
    config = hopsync_config(port, chat.url, smtp={"user": "hopsync"})

    async def go() -> NotifyReport:
        async with aiohttp.ClientSession() as session:
            return await notify(run_summary([outcome(1)]), config, secrets, session)

    with capture_logs() as logs:
        report = asyncio.run(go())  # a retry would wait the default second: a slow test
    assert not report.email_sent and not report.chat_sent and len(report.errors) == 2
    assert sorted((entry["channel"], entry["attempt"]) for entry in logs) == [
        ("chat", 1),
        ("email", 1),
    ]
    assert {login for login, _ in mailbox.logins} == {"hopsync"} and len(chat.posts) == 1
    assert "a-wrong-password" not in repr(report) + repr(logs)


def test_secrets_and_the_webhook_path_never_reach_the_report_or_the_logs(
    chat: ChatReceiver,
) -> None:
    secret_url = f"{chat.url}?token=hook-credential-1234"
    chat.answers = [(500, f"echo {SMTP_PASSWORD} {OKTA_TOKEN} {secret_url}")] * 3
    with capture_logs() as logs:
        report = send(run_summary([outcome(1)]), hopsync_config(chat_url=secret_url))
    [error] = report.errors
    assert "answered 500: echo [REDACTED] [REDACTED] [REDACTED]" in error
    seen = repr(report) + repr(logs)
    for secret in (SMTP_PASSWORD, OKTA_TOKEN, "hook-credential-1234"):
        assert secret not in seen
    assert len(logs) == 3


def test_the_backoff_doubles_keeps_half_of_each_step_fixed_and_is_capped() -> None:
    low = Backoff(base_delay_s=1.0, max_delay_s=3.0, rand=lambda: 0.0)
    high = Backoff(base_delay_s=1.0, max_delay_s=3.0, rand=lambda: 1.0)
    assert [low.delay(attempt) for attempt in (1, 2, 3, 4)] == [0.5, 1.0, 1.5, 1.5]
    assert [high.delay(attempt) for attempt in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]
