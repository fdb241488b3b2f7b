"""Send an email over SMTP and a post to a chat webhook (I/O only; callers decide and retry)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import aiohttp
import aiosmtplib
from pydantic import SecretStr

from config.settings import SmtpConfig
from shared.errors import ApiError


async def send_email(message: EmailMessage, smtp: SmtpConfig, password: SecretStr | None) -> None:
    """Send through the configured server: STARTTLS or TLS as configured, login if a user is set."""
    await aiosmtplib.send(
        message,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.user,
        password=password.get_secret_value() if password and smtp.user else None,
        start_tls=smtp.starttls and not smtp.use_tls,
        use_tls=smtp.use_tls,
        timeout=smtp.timeout_s,
    )


async def post_chat(
    url: str, payload: dict[str, Any], session: aiohttp.ClientSession, timeout_s: float = 10
) -> None:
    """POST the payload as JSON; anything but a 2xx answer is an ApiError."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with session.post(url, json=payload, timeout=timeout) as answer:
        if not 200 <= answer.status < 300:
            raise ApiError(
                f"chat webhook answered {answer.status}", status=answer.status, method="POST"
            )
