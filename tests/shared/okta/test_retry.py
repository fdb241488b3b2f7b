"""Retry arithmetic: per-minute 429s wait for Reset, concurrency 429s and 5xx back off briefly."""

from __future__ import annotations

import pytest

from shared.okta import OktaClock, RateLimitReading, RetryPolicy, backoff_delay, rate_limit_kind
from shared.okta.retry import retry_pause


def test_backoff_doubles_within_its_cap_with_half_of_each_step_random() -> None:
    steps = [backoff_delay(n, 0.2, 2.0, lambda: 0.0) for n in range(6)]
    assert steps == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert backoff_delay(1, 0.2, 2.0, lambda: 1.0) == pytest.approx(0.4)


def test_the_kind_of_a_429_comes_from_its_limit_header() -> None:
    assert rate_limit_kind(RateLimitReading(600, 0, 60.0)) == "per_minute"
    assert rate_limit_kind(RateLimitReading(0, 0, 60.0)) == "concurrency"
    assert rate_limit_kind(None) == "concurrency"


def test_a_per_minute_429_waits_for_reset_and_a_concurrency_429_does_not() -> None:
    clock = OktaClock(lambda: 1_000.0)
    policy = RetryPolicy(max_retries=5, base_s=0.2, cap_s=2.0, max_reset_wait_s=65.0)
    far = RateLimitReading(600, 0, 1_040.0)
    per_minute = retry_pause("per_minute", 0, far, clock, policy, lambda: 0.5)
    concurrency = retry_pause("concurrency", 0, RateLimitReading(0, 0, 1_060.0), clock, policy,
                              lambda: 0.5)  # fmt: skip
    assert 40.0 < per_minute < 40.5
    assert concurrency < 0.2


def test_a_wild_reset_is_capped() -> None:
    clock = OktaClock(lambda: 1_000.0)
    policy = RetryPolicy(max_reset_wait_s=65.0)
    pause = retry_pause("per_minute", 0, RateLimitReading(600, 0, 99_999.0), clock, policy,
                        lambda: 0.0)  # fmt: skip
    assert 65.0 <= pause < 65.1
