"""Rate limiters for Okta calls: the protocol, an in-process limiter and a no-op one.

A request runs inside ``async with limiter.slot(bucket, clock) as slot:`` and hands the answer's
rate-limit reading to ``slot.record(reading)``; leaving the block releases the slot and applies the
reading. The fleet-wide limiter shared through Redis lives in redis_ratelimit.py.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from contextvars import ContextVar
from typing import Protocol

from shared.okta import budget
from shared.okta.budget import BucketWindow, Decision, Policy
from shared.okta.clock import OktaClock
from shared.okta.headers import RateLimitReading

Sleep = Callable[[float], Awaitable[None]]
MAX_JITTER_S = 0.1  # spread of the fleet's wake-ups after a window's reset
MAX_BACKOFF = 8  # short waits grow to at most this many times their base
PARK_MIN_WAIT_S = 0.25  # a shorter wait for the next window is cheaper to sleep through

_parking: ContextVar[bool] = ContextVar("hopsync_okta_parking", default=False)


@contextmanager
def may_park() -> Iterator[None]:
    """Let a spent budget raise BudgetDeferredError instead of sleeping, inside this block.

    Only for a message's first write: parking it then leaves nothing half done, and the worker
    thread that would have slept serves messages bound for other buckets meanwhile.
    """
    token = _parking.set(True)
    try:
        yield
    finally:
        _parking.reset(token)


def parking_allowed() -> bool:
    """True inside ``may_park()``."""
    return _parking.get()


class Slot:
    """The permission for one request; keeps the reading of its answer until released."""

    def __init__(self) -> None:
        self.reading: RateLimitReading | None = None

    def record(self, reading: RateLimitReading | None) -> None:
        """Keep the answer's rate-limit reading (None when the answer had none)."""
        self.reading = reading


class RateLimiter(Protocol):
    """Admits Okta requests so that the fleet stays within its share of each bucket's window."""

    def slot(self, bucket: str, clock: OktaClock) -> AbstractAsyncContextManager[Slot]:
        """Wait until a request of ``bucket`` may go; release (and apply the reading) on exit."""
        ...


class LimiterStats:
    """How often and how long a limiter made requests wait, by reason."""

    def __init__(self) -> None:
        self.admitted = 0
        self.waits: Counter[str] = Counter()
        self.waited_s: dict[str, float] = {}

    def record_wait(self, reason: str, seconds: float) -> None:
        """Count one wait of ``seconds`` for ``reason``."""
        self.waits[reason] += 1
        self.waited_s[reason] = self.waited_s.get(reason, 0.0) + seconds


def pause_for(
    decision: Decision, rand: Callable[[], float], max_wait_s: float, refusals: int = 0
) -> float:
    """Seconds to sleep after the ``refusals``-th refusal in a row (0-based), with jitter.

    A spent budget waits for its window's reset. Short waits (concurrency, probes) double with
    each refusal in a row, up to MAX_BACKOFF times, so that a crowd of waiters polls gently.
    """
    wait = min(decision.wait_s, max_wait_s)
    if decision.reason == "budget":
        return wait + 0.01 + rand() * MAX_JITTER_S
    return wait * min(2.0**refusals, MAX_BACKOFF) * (0.5 + rand())


class NoopRateLimiter:
    """Admits every request at once: for tests that exercise Okta's own 429s."""

    @asynccontextmanager
    async def _slot(self) -> AsyncIterator[Slot]:
        yield Slot()

    def slot(self, bucket: str, clock: OktaClock) -> AbstractAsyncContextManager[Slot]:
        """A slot that never waits."""
        return self._slot()


class LocalRateLimiter:
    """The fleet limiter's rules inside one process (no Redis): for tests, demos and tools."""

    def __init__(
        self,
        *,
        policy: Policy | None = None,
        max_wait_s: float = 65.0,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or Policy()
        self.stats = LimiterStats()
        self.windows: dict[str, BucketWindow | None] = {}
        self._in_flight: Counter[str] = Counter()
        self._max_wait_s = max_wait_s
        self._sleep = sleep
        self._rand = rand

    def __repr__(self) -> str:
        policy = self.policy
        return f"LocalRateLimiter(share={policy.share}, max_in_flight={policy.max_in_flight})"

    @property
    def in_flight(self) -> int:
        """Requests admitted and not yet released."""
        return sum(self._in_flight.values())

    async def _acquire(self, bucket: str, clock: OktaClock) -> None:
        refusals = 0
        while True:
            decision = budget.decide(
                self.windows.get(bucket),
                self._in_flight[bucket],
                self.in_flight,
                clock.now(),
                self.policy,
            )
            if decision.admitted:
                self._in_flight[bucket] += 1
                self.stats.admitted += 1
                return
            pause = pause_for(decision, self._rand, self._max_wait_s, refusals)
            self.stats.record_wait(str(decision.reason), pause)
            await self._sleep(pause)
            refusals += 1

    def _release(self, bucket: str, reading: RateLimitReading | None) -> None:
        self._in_flight[bucket] -= 1
        if reading is not None:
            self.windows[bucket] = budget.observe(self.windows.get(bucket), reading)

    @asynccontextmanager
    async def _slot(self, bucket: str, clock: OktaClock) -> AsyncIterator[Slot]:
        await self._acquire(bucket, clock)
        slot = Slot()
        try:
            yield slot
        finally:
            self._release(bucket, slot.reading)

    def slot(self, bucket: str, clock: OktaClock) -> AbstractAsyncContextManager[Slot]:
        """Wait for the bucket's budget and a free in-flight place; release on exit."""
        return self._slot(bucket, clock)
