"""structlog set-up: JSON lines with run and person ids, and a processor that removes secrets."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

REDACTED = "[REDACTED]"
_SENSITIVE_KEYS = re.compile(r"token|secret|password|authorization|api[_-]?key|cookie", re.I)
_AUTH_VALUE = re.compile(r"\b(SSWS|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.I)


class RedactSecrets:
    """A structlog processor that removes secret values and Authorization headers from events."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        for key in list(event):
            event[key] = self._clean(key, event[key])
        return event

    def _clean(self, key: str, value: Any) -> Any:
        if _SENSITIVE_KEYS.search(key) and value not in (None, ""):
            return REDACTED
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
        return _AUTH_VALUE.sub(lambda match: f"{match[1]} {REDACTED}", text)


def configure_logging(
    secrets: Iterable[str] = (), *, json: bool = True, level: str = "INFO"
) -> None:
    """Send structlog (and the standard library's logging) to stderr as JSON lines."""
    redact = RedactSecrets(secrets)
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter(redact))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _RedactingFormatter(logging.Formatter):
    def __init__(self, redact: RedactSecrets) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        return self.redact.scrub(super().format(record))
