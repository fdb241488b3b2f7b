"""Decide whether a run is worth telling, and tell it by email and chat, never failing the run.

Each channel is retried with backoff; a channel that still fails is logged and reported, and
the errors are scrubbed of every secret before they are kept or logged.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import structlog

from config.loader import Secrets
from config.settings import HopsyncConfig
from shared.logging import RedactSecrets
from shared.models import RunSummary
from shared.notify.render import chat_payload, email_message
from shared.notify.senders import post_chat, send_email

log = structlog.get_logger(__name__)


@dataclass
class NotifyReport:
    """What notify did: which channels were sent, why it skipped, and what failed."""

    email_sent: bool = False
    chat_sent: bool = False
    skipped_reason: str | None = None
    errors: list[str] = field(default_factory=list)


def worth_telling(summary: RunSummary, config: HopsyncConfig) -> str | None:
    """Why a summary is not sent (nothing changed and nothing went wrong), or None to send it."""
    troubles = summary.counts.get("failed", 0) + summary.counts.get("conflict", 0)
    if summary.changed or troubles or summary.status == "held":
        return None
    if config.settings.notify_when_unchanged:
        return None
    return "the run changed nothing (settings.notify_when_unchanged is off)"


async def notify(
    summary: RunSummary,
    config: HopsyncConfig,
    secrets: Secrets,
    session: aiohttp.ClientSession,
    *,
    tries: int = 3,
    base_delay_s: float = 1.0,
) -> NotifyReport:
    """Send the summary to the configured channels; never raises."""
    report = NotifyReport(skipped_reason=worth_telling(summary, config))
    if report.skipped_reason:
        return report
    redact = RedactSecrets(secrets.values())
    settings = config.settings
    if settings.notify_emails and config.smtp is not None:
        smtp = config.smtp
        message = email_message(summary, to=settings.notify_emails, sender=smtp.from_address)
        report.email_sent = await _attempt(
            "email",
            lambda: send_email(message, smtp, secrets.smtp_password),
            report,
            redact,
            tries,
            base_delay_s,
        )
    if settings.chat_webhook_url:
        url, payload = settings.chat_webhook_url, chat_payload(summary)
        report.chat_sent = await _attempt(
            "chat", lambda: post_chat(url, payload, session), report, redact, tries, base_delay_s
        )
    return report


async def _attempt(
    channel: str,
    send: Callable[[], Awaitable[None]],
    report: NotifyReport,
    redact: RedactSecrets,
    tries: int,
    base_delay_s: float,
) -> bool:
    for attempt in range(1, tries + 1):
        try:
            await send()
            return True
        except Exception as error:
            text = redact.scrub(f"{channel}: {type(error).__name__}: {error}")
            log.warning("notification failed", channel=channel, attempt=attempt, error=text)
            if attempt == tries:
                report.errors.append(text)
                return False
            await asyncio.sleep(base_delay_s * 2 ** (attempt - 1) * (0.5 + random.random()))
    return False
