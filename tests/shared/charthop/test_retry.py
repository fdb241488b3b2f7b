"""Retry arithmetic: which answers are retried, how long to wait, how Retry-After is read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError

from shared.charthop import ChartHopSettings, backoff_delay, is_retryable, parse_retry_after


@pytest.mark.parametrize("status", [202, 429, 500, 502, 503, 504])
def test_building_throttling_and_server_errors_are_retryable(status: int) -> None:
    assert is_retryable(status)


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 409])
def test_answers_that_will_not_change_are_not_retried(status: int) -> None:
    assert not is_retryable(status)


def test_backoff_doubles_per_attempt_with_jitter_in_its_upper_half() -> None:
    assert [backoff_delay(n, 0.5, 100, lambda: 0.0) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]
    assert [backoff_delay(n, 0.5, 100, lambda: 1.0) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]


def test_backoff_never_exceeds_the_cap() -> None:
    assert backoff_delay(40, 0.5, 30, lambda: 1.0) == 30
    assert backoff_delay(40, 0.5, 30, lambda: 0.0) == 15


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after(" 1.5 ", now) == 1.5
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:10 GMT", now) == 10.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-"])
def test_an_unusable_retry_after_is_ignored(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_settings_keep_the_token_out_of_their_repr_and_reject_bad_bounds() -> None:
    settings = ChartHopSettings(org="acme", token=SecretStr("tok-123"))
    assert "tok-123" not in repr(settings) + str(settings)
    assert settings.root == "https://api.charthop.com"
    assert (settings.page_size, settings.max_retries, settings.timeout_s) == (200, 6, 30)
    with pytest.raises(ValidationError, match="page_size"):
        ChartHopSettings(org="acme", token=SecretStr("t"), page_size=0)
