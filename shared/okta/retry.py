"""Pure retry arithmetic of the Okta client: which failed tries to retry, and after how long.

Two kinds of 429 need opposite handling. A per-minute 429 (X-Rate-Limit-Limit > 0) means the
window's budget is spent: wait for its Reset, plus jitter. A concurrency 429 (Limit 0) means too
many requests in flight; its Reset is only an estimate, so back off briefly and never wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from shared.okta.clock import OktaClock
from shared.okta.headers import RateLimitReading

RetryReason = Literal["per_minute", "concurrency", "server", "transport"]
RESET_JITTER_S: Final = 0.25


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retries: how many, the backoff steps, the longest wait for a Reset."""

    max_retries: int = 5
    base_s: float = 0.2
    cap_s: float = 2.0
    max_reset_wait_s: float = 65.0


def backoff_delay(attempt: int, base_s: float, cap_s: float, rand: Callable[[], float]) -> float:
    """Seconds before retry ``attempt`` (0-based): capped exponential with "equal jitter".

    Half of the step is fixed so that a retry never fires at once; the other half is random so
    that clients throttled together do not come back together.
    """
    step = min(cap_s, base_s * 2.0**attempt)
    return step / 2 + rand() * step / 2


def rate_limit_kind(reading: RateLimitReading | None) -> RetryReason:
    """The kind of a 429 from its headers; one without usable headers counts as concurrency."""
    if reading is None or reading.is_concurrency:
        return "concurrency"
    return "per_minute"


def reset_wait(
    reading: RateLimitReading, clock: OktaClock, policy: RetryPolicy, rand: Callable[[], float]
) -> float:
    """Seconds until a per-minute window's Reset has surely passed at Okta, plus jitter."""
    wait = min(clock.seconds_until(reading.reset), policy.max_reset_wait_s)
    return wait + 0.01 + rand() * RESET_JITTER_S


def retry_pause(
    reason: RetryReason,
    attempt: int,
    reading: RateLimitReading | None,
    clock: OktaClock,
    policy: RetryPolicy,
    rand: Callable[[], float],
) -> float:
    """Seconds to wait before retry ``attempt`` (0-based) of a try that failed for ``reason``."""
    if reason == "per_minute" and reading is not None:
        return reset_wait(reading, clock, policy, rand)
    return backoff_delay(attempt, policy.base_s, policy.cap_s, rand)
