"""Log redaction: secrets, Authorization headers and token-like keys never reach a log line."""

from __future__ import annotations

import io
import json
import logging
from contextlib import redirect_stderr

import structlog

from shared.logging import REDACTED, RedactSecrets, configure_logging

SECRET = "okta-token-that-must-not-leak"


def test_known_secrets_are_removed_from_every_string_and_nested_value() -> None:
    redact = RedactSecrets([SECRET])
    event = redact(
        None,
        "info",
        {
            "event": f"calling with {SECRET}",
            "details": {"url": f"https://x/?t={SECRET}"},
            "items": [SECRET],
        },
    )
    assert SECRET not in json.dumps(event)
    assert event["event"] == f"calling with {REDACTED}"


def test_authorization_headers_and_token_keys_are_redacted_whatever_their_value() -> None:
    redact = RedactSecrets()
    event = redact(
        None,
        "info",
        {
            "headers": {"Authorization": "SSWS abc123def"},
            "api_token": "zzz",
            "event": "sent Bearer abc.def-123",
        },
    )
    assert event["headers"]["Authorization"] == REDACTED
    assert event["api_token"] == REDACTED
    assert event["event"] == f"sent Bearer {REDACTED}"


def test_configured_logging_redacts_structlog_and_standard_library_records() -> None:
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging([SECRET], json=True, level="INFO")
        structlog.get_logger("test").info("token in event", token=SECRET, note=f"x {SECRET}")
        logging.getLogger("dramatiq").warning("failed with SSWS %s", SECRET)
    output = stream.getvalue()
    assert SECRET not in output
    assert "token in event" in output
    assert "failed with SSWS [REDACTED]" in output
    logging.getLogger().handlers.clear()
    structlog.reset_defaults()
