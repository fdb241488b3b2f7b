"""Logging: one format for every record, the level and format from the environment, and
redaction of secret values (never the words next to them)."""

from __future__ import annotations

import io
import json
import logging
from contextlib import redirect_stderr

import pytest
import structlog

from shared.infra.logging import (
    FORMAT_ENV,
    LEVEL_ENV,
    REDACTED,
    RedactSecrets,
    configure_logging,
    hide_password,
    json_from_env,
)

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


def test_redaction_hides_a_credential_but_not_the_words_around_a_scheme() -> None:
    redact = RedactSecrets()
    assert redact.scrub("the bearer token is wrong") == "the bearer token is wrong"
    assert redact.scrub("Basic auth is off; SSWS tokens expire") == (
        "Basic auth is off; SSWS tokens expire"
    )
    assert redact.scrub("Authorization: SSWS 00aBcD-eFgH") == f"Authorization: SSWS {REDACTED}"
    assert redact.scrub("Bearer abcdefghijklmnopqrstuvwxyz") == f"Bearer {REDACTED}"


def test_counts_and_flags_under_a_secret_sounding_key_stay_readable() -> None:
    event = RedactSecrets()(None, "info", {"tokens_left": 12, "token_valid": True, "token": "x"})
    assert event == {"tokens_left": 12, "token_valid": True, "token": REDACTED}


def test_secrets_in_the_environment_are_redacted_without_being_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHARTHOP_API_TOKEN", SECRET)
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging(json=True)
        structlog.get_logger("test").warning(f"sent {SECRET}")
    assert SECRET not in stream.getvalue()


def lines_of(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_standard_library_records_come_out_in_the_same_json_format_as_structlog_events() -> None:
    stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging(json=True, level="INFO")
        structlog.get_logger("test").info("our event", run_id="r1")
        logging.getLogger("dramatiq.worker.Worker").info("Worker process is ready for action.")
    ours, theirs = lines_of(stream)
    assert ours["event"] == "our event" and ours["level"] == "info"
    assert theirs["event"] == "Worker process is ready for action."
    assert theirs["logger"] == "dramatiq.worker.Worker"
    assert {"level", "timestamp"} <= set(ours) & set(theirs)


def test_hopsync_log_sets_the_level_and_the_default_is_the_callers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.delenv(LEVEL_ENV, raising=False)
    with redirect_stderr(stream):
        configure_logging(json=True, default_level="INFO")
        structlog.get_logger("test").info("shown at the default INFO")
        monkeypatch.setenv(LEVEL_ENV, "warning")
        configure_logging(json=True, default_level="INFO")
        structlog.get_logger("test").info("hidden at WARNING")
        logging.getLogger("dramatiq").info("hidden too")
    assert [line["event"] for line in lines_of(stream)] == ["shown at the default INFO"]


def test_lines_are_json_off_a_terminal_unless_hopsync_log_format_says_console(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(FORMAT_ENV, raising=False)
    with redirect_stderr(io.StringIO()):  # not a terminal
        assert json_from_env() is True
        monkeypatch.setenv(FORMAT_ENV, "console")
        assert json_from_env() is False
        stream = io.StringIO()
    with redirect_stderr(stream):
        configure_logging(level="INFO")
        structlog.get_logger("test").info("plain", n=1)
    assert "plain" in stream.getvalue() and "n=1" in stream.getvalue()
    assert not stream.getvalue().startswith("{")


def test_a_redis_url_is_shown_without_its_password() -> None:
    assert hide_password("redis://:s3cret@redis:6379/0") == "redis://:***@redis:6379/0"
    assert hide_password("rediss://user:s3cret@h/1") == "rediss://user:***@h/1"
    assert hide_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
