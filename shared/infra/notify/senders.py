"""Send an email over SMTP and a post to a chat webhook: I/O only; the notifier retries.

Failures come out as TransportError when trying again may help (connection refused, timeout, a
4xx SMTP reply, a 5xx or 429 webhook answer) and as ApiError when it will not. Messages name the
server by host and port only: a chat webhook's path is itself a credential.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp
import aiosmtplib
from pydantic import SecretStr

from config.settings import SmtpConfig
from shared.errors import ApiError, ConfigError, TransportError

ERROR_BODY_CHARS: Final = 200
_RETRYABLE_HTTP: Final = frozenset({408, 425, 429})


async def send_email(message: EmailMessage, smtp: SmtpConfig, password: SecretStr | None) -> None:
    """Send through the configured server: TLS or STARTTLS as configured, login if a user is set."""
    if smtp.user and password is None:
        raise ConfigError(
            [("env.SMTP_PASSWORD", f"is not set; smtp.user {smtp.user!r} needs it to log in")]
        )
    try:
        await aiosmtplib.send(
            message,
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.user or None,
            password=password.get_secret_value() if password and smtp.user else None,
            use_tls=smtp.use_tls,
            start_tls=smtp.starttls and not smtp.use_tls,
            timeout=smtp.timeout_s,
        )
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
        raise _smtp_error(error, smtp) from None


def _smtp_error(error: Exception, smtp: SmtpConfig) -> ApiError:
    where = f"SMTP server {smtp.host}:{smtp.port}"
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        refused = ", ".join(refused.recipient for refused in error.recipients)
        text = f"{where} refused every recipient ({refused}); check settings.notify_emails"
        return _by_code(text, min(codes, default=550))
    if isinstance(error, aiosmtplib.SMTPAuthenticationError):
        text = f"{where} refused the login of {smtp.user!r} ({error.code}); check SMTP_PASSWORD"
        return _by_code(text, error.code)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return _by_code(f"{where} answered {error.code} {error.message}", error.code)
    if isinstance(error, (ConnectionError, asyncio.TimeoutError, OSError)):
        text = f"{where} could not be reached: {type(error).__name__}: {error}"
        return TransportError(f"{text}; check smtp.host, smtp.port and that the server is up")
    # STARTTLS or AUTH not offered, SMTPUTF8 unsupported: the configuration must change.
    return ApiError(f"{where}: {error}; check smtp.starttls, smtp.use_tls and smtp.port")


def _by_code(text: str, code: int) -> ApiError:
    # SMTP 4xx replies are transient by definition (RFC 5321 4.2.1); 5xx are permanent.
    if 400 <= code < 500:
        return TransportError(text, status=code)
    return ApiError(text, status=code)


async def post_chat(
    url: str, payload: dict[str, Any], session: aiohttp.ClientSession, timeout_s: float = 10
) -> None:
    """POST the payload as JSON; anything but a 2xx answer raises (TransportError if retryable)."""
    where = _host(url)
    try:
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with session.post(url, json=payload, timeout=timeout) as answer:
            if 200 <= answer.status < 300:
                return
            body = await answer.content.read(ERROR_BODY_CHARS)
    except (TimeoutError, aiohttp.ClientError) as error:
        text = f"chat webhook at {where} could not be reached: {type(error).__name__}"
        raise TransportError(f"{text}; check settings.chat_webhook_url", method="POST") from None
    reason = body.decode("utf-8", "replace").strip() or "(empty body)"
    text = f"chat webhook at {where} answered {answer.status}: {reason}"
    retryable = answer.status >= 500 or answer.status in _RETRYABLE_HTTP
    error_class = TransportError if retryable else ApiError
    raise error_class(text, status=answer.status, method="POST")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.rsplit("@", 1)[-1] or "(no host)"
