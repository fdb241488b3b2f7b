"""Decide whether a run is worth telling, and tell it by email and chat, never failing the run.

Each channel is tried a bounded number of times with exponential backoff and jitter; an error
that trying again cannot fix (a refused login, a 4xx webhook answer) ends its channel at once.
A channel that still fails is logged and reported, never raised, and every error is scrubbed of
the secrets (and of the webhook URL, whose path is a credential) before it is kept or logged.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final

import aiohttp
import structlog

from config.loader import Secrets
from config.settings import HopsyncConfig
from shared.core.models import RunSummary
from shared.errors import ApiError, HopsyncError
from shared.infra.logging import RedactSecrets
from shared.infra.notify.render import chat_payload, email_message
from shared.infra.notify.senders import post_chat, send_email

log = structlog.get_logger(__name__)

Send = Callable[[], Awaitable[None]]
NOTHING_CHANGED: Final = "the run changed nothing (settings.notify_when_unchanged is off)"
NO_CHANNEL: Final = "no channel is configured (settings.notify_emails, settings.chat_webhook_url)"


@dataclass
class NotifyReport:
    """What notify did: which channels were sent, why it skipped, and what failed (scrubbed)."""

    email_sent: bool = False
    chat_sent: bool = False
    skipped_reason: str | None = None
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Backoff:
    """How often a channel is tried and how long to pause between tries."""

    tries: int = 3
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0
    rand: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        """Seconds after failed try ``attempt`` (1-based): capped doubling, half of it random."""
        step = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return step / 2 + self.rand() * step / 2


def skip_reason(summary: RunSummary, config: HopsyncConfig) -> str | None:
    """Why a summary is not sent, or None to send it.

    A run is told when it changed (or, dry, would change) something, when people failed or
    conflicted, when it is held for approval or failed, or always with notify_when_unchanged.
    """
    settings = config.settings
    if not (settings.chat_webhook_url or (settings.notify_emails and config.smtp)):
        return NO_CHANNEL
    troubles = summary.counts.get("failed", 0) + summary.counts.get("conflict", 0)
    if summary.changed or troubles or summary.status in ("held", "failed"):
        return None
    return None if settings.notify_when_unchanged else NOTHING_CHANGED


async def notify(
    summary: RunSummary,
    config: HopsyncConfig,
    secrets: Secrets,
    session: aiohttp.ClientSession,
    *,
    tries: int = 3,
    base_delay_s: float = 1.0,
    max_delay_s: float = 30.0,
    chat_timeout_s: float = 10.0,
) -> NotifyReport:
    """Send the summary to every configured channel at once; never raises."""
    bound = log.bind(run_id=summary.run_id)
    reason = skip_reason(summary, config)
    if reason:
        bound.info("notification skipped", reason=reason)
        return NotifyReport(skipped_reason=reason)
    url = config.settings.chat_webhook_url
    redact = RedactSecrets([*secrets.values(), *([url] if url else [])])
    backoff = Backoff(tries=max(1, tries), base_delay_s=base_delay_s, max_delay_s=max_delay_s)
    channels = _channels(summary, config, secrets, session, chat_timeout_s)
    errors = await asyncio.gather(
        *(_deliver(name, send, backoff, redact, bound) for name, send in channels.items())
    )
    outcome = dict(zip(channels, errors, strict=True))
    return NotifyReport(
        email_sent="email" in outcome and outcome["email"] is None,
        chat_sent="chat" in outcome and outcome["chat"] is None,
        errors=[error for error in errors if error is not None],
    )


def _channels(
    summary: RunSummary,
    config: HopsyncConfig,
    secrets: Secrets,
    session: aiohttp.ClientSession,
    chat_timeout_s: float,
) -> dict[str, Send]:
    found: dict[str, Send] = {}
    settings, smtp = config.settings, config.smtp
    if settings.notify_emails and smtp is not None:

        async def email() -> None:
            message = email_message(summary, to=settings.notify_emails, sender=smtp.from_address)
            await send_email(message, smtp, secrets.smtp_password)

        found["email"] = email
    if settings.chat_webhook_url:
        url = settings.chat_webhook_url

        async def chat() -> None:
            await post_chat(url, chat_payload(summary), session, chat_timeout_s)

        found["chat"] = chat
    return found


async def _deliver(
    channel: str,
    send: Send,
    backoff: Backoff,
    redact: RedactSecrets,
    bound: structlog.typing.FilteringBoundLogger,
) -> str | None:
    """Try one channel until it works or gives up; the scrubbed error, or None when sent."""
    attempt = 0
    while True:
        attempt += 1
        try:
            await send()
        except Exception as error:  # a notification must never fail the run
            text = redact.scrub(f"{channel}: {type(error).__name__}: {error}")
            if attempt >= backoff.tries or not _retryable(error):
                bound.error("notification failed", channel=channel, attempt=attempt, error=text)
                return text
            pause = backoff.delay(attempt)
            bound.warning(
                "notification try failed",
                channel=channel,
                attempt=attempt,
                error=text,
                retry_in_s=round(pause, 3),
            )
            await asyncio.sleep(pause)
        else:
            bound.info("notification sent", channel=channel, attempt=attempt)
            return None


def _retryable(error: Exception) -> bool:
    if isinstance(error, ApiError):
        return error.retryable
    # Other hopsync errors (a missing SMTP_PASSWORD) need a fix; unknown library errors may pass.
    return not isinstance(error, HopsyncError)
