"""Logging set-up: one structlog format for hopsync's events and the standard library's records.

Every process calls ``configure_logging`` once. ``$HOPSYNC_LOG`` sets the level (services default to
INFO, one-shot commands to WARNING); ``$HOPSYNC_LOG_FORMAT`` is ``json`` or ``console``, and by
default lines are JSON unless standard error is a terminal. Records of other libraries (Dramatiq,
aiohttp, APScheduler) go through the same processors, so a process prints one format. The
``RedactSecrets`` processor removes secret values (never the words around them) from every line.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import structlog

REDACTED = "[REDACTED]"
LEVEL_ENV: Final = "HOPSYNC_LOG"
FORMAT_ENV: Final = "HOPSYNC_LOG_FORMAT"
FORMATS: Final = ("json", "console")
# The environment variables whose values are secrets, whoever reads them.
SECRET_ENV: Final = (
    "OKTA_API_TOKEN",
    "CHARTHOP_API_TOKEN",
    "HOPSYNC_WEBHOOK_SECRET",
    "SMTP_PASSWORD",
)
_SENSITIVE_KEYS = re.compile(r"token|secret|password|authorization|api[_-]?key|cookie", re.I)
# A credential after an auth scheme: long, or holding a digit or a token character. So the
# header "Bearer 3f9a.c1" loses its value while "the bearer token is wrong" stays as written.
_AUTH_VALUE = re.compile(
    r"\b(SSWS|Bearer|Basic)(\s+)"
    r"((?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{6,}|[A-Za-z0-9._~+/=-]{20,})",
    re.I,
)


class RedactSecrets:
    """A structlog processor that removes secret values and credentials from events."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = self._clean(key, event[key])
        return event

    def _clean(self, key: str, value: Any) -> Any:
        if isinstance(value, str | bytes) and value and _SENSITIVE_KEYS.search(key):
            return REDACTED  # a text under a secret's name; counts and flags stay readable
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(key, v) for v in value]
        return value

    def scrub(self, text: str) -> str:
        """A string with every known secret and every credential after an auth scheme removed."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _AUTH_VALUE.sub(lambda match: f"{match[1]}{match[2]}{REDACTED}", text)


def level_from_env(default: str) -> str:
    """``$HOPSYNC_LOG`` when it names a level (DEBUG, INFO, WARNING, ERROR), else ``default``."""
    wanted = os.environ.get(LEVEL_ENV, "").strip().upper()
    return wanted if isinstance(logging.getLevelName(wanted), int) and wanted else default


def json_from_env() -> bool:
    """``$HOPSYNC_LOG_FORMAT`` (json or console); unset: JSON unless stderr is a terminal."""
    chosen = os.environ.get(FORMAT_ENV, "").strip().lower()
    if chosen in FORMATS:
        return chosen == "json"
    return not sys.stderr.isatty()


def secrets_from_env() -> list[str]:
    """The values of the secret environment variables that are set."""
    return [value for name in SECRET_ENV if (value := os.environ.get(name, ""))]


def hide_password(url: str) -> str:
    """A connection URL with its password replaced: ``redis://:***@host:6379/0``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def configure_logging(
    secrets: Iterable[str] = (),
    *,
    json: bool | None = None,
    level: str | None = None,
    default_level: str = "INFO",
) -> None:
    """Send structlog and the standard library's logging to stderr in one format.

    ``level`` and ``json`` override ``$HOPSYNC_LOG`` and ``$HOPSYNC_LOG_FORMAT``; without them the
    environment decides, then ``default_level`` and whether stderr is a terminal.
    """
    redact = RedactSecrets([*secrets, *secrets_from_env()])
    chosen_level = logging.getLevelName(level or level_from_env(default_level))
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if (json_from_env() if json is None else json)
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            stamp,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(chosen_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                stamp,
                structlog.processors.format_exc_info,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(chosen_level)
