"""The fleet-wide Okta rate limiter: every worker process shares one budget through Redis.

Per bucket a hash (constants.ratelimit_key) holds Okta's latest window: limit, lowest Remaining,
Reset. A sorted set (constants.INFLIGHT_KEY) holds one lease per place a process holds, scored by
its expiry, so that a process that dies gives its places back: leases are short (LEASE_TTL_S) and
renewed every LEASE_RENEW_S while held, so a killed worker's places come back within LEASE_TTL_S
(well inside the heartbeat timeout after which its messages are redelivered).

To spare Redis a round trip per Okta call, a process leases places in small blocks (BLOCK_SIZE,
only while the window has several times that to spare; near its end, one at a time) and hands
them to its requests without asking Redis again. A finished request's place goes back, with the
reading of its answer, on the process's next lease or within RELEASE_FLUSH_S; a leased place no
request used goes back after POOL_IDLE_S. Every place, used or not, is a lease counted by the
whole fleet until it goes back, so the fleet's budget stays exact.

Two Lua scripts apply the rules of budget.py atomically: ACQUIRE gives back finished places and
leases a block or says how long to wait, RELEASE gives places back and folds readings into the
window.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from shared.constants import INFLIGHT_KEY, okta_wait_key, ratelimit_key
from shared.errors import BrokerUnavailableError, BudgetDeferredError
from shared.lua import lua_script
from shared.okta import budget
from shared.okta.budget import Decision, WaitReason
from shared.okta.clock import OktaClock
from shared.okta.headers import RateLimitReading
from shared.okta.ratelimit import (
    MAX_JITTER_S,
    PARK_MIN_WAIT_S,
    LimiterStats,
    Sleep,
    Slot,
    parking_allowed,
    pause_for,
)

log = structlog.get_logger(__name__)

WINDOW_KEY_TTL_S: Final = 3600  # a bucket's hash outlives any window, then goes away
LEASE_TTL_S: Final = 10.0  # a lease nobody renews (its process died) frees its place this late
LEASE_RENEW_S: Final = 3.0  # how often a process renews the leases it holds
BLOCK_SIZE: Final = 8  # places a process leases at once while the window has plenty to spare
BUDGET_HEADROOM: Final = 4  # a block of n only where n x this places of the budget are free
IN_FLIGHT_HEADROOM: Final = 2  # ... and n x this places of max_in_flight
RELEASE_FLUSH_S: Final = 0.5  # a finished request's place goes back at most about this late
POOL_IDLE_S: Final = 0.5  # a leased place no request took goes back after this long

# The scripts, each with its KEYS and ARGV described at its top. Acquire and release share the
# give-back part (places returned, each answer's reading folded into its bucket's window).
_GIVE_BACK_LUA: Final = lua_script(__name__, "ratelimit_give_back.lua")
ACQUIRE_LUA: Final = _GIVE_BACK_LUA + lua_script(__name__, "ratelimit_acquire.lua")
RELEASE_LUA: Final = _GIVE_BACK_LUA + lua_script(__name__, "ratelimit_release.lua")
PARK_LUA: Final = lua_script(__name__, "ratelimit_park.lua")

_REASONS: Final[dict[int, WaitReason]] = {2: "concurrency", 3: "probe", 4: "budget"}


@dataclass
class _Place:
    """A leased place this process holds: waiting in its pool, in use, or finished."""

    bucket: str
    member: str
    clock: OktaClock
    since: float = 0.0  # time.monotonic() when it was leased (pooled) or finished
    reading: RateLimitReading | None = None  # the answer's, once finished


class RedisRateLimiter:
    """One budget per Okta bucket and window, and one cap on requests in flight, for a fleet."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        policy: budget.Policy,
        lease_ttl_s: float = LEASE_TTL_S,
        max_wait_s: float = 65.0,
        block_size: int = BLOCK_SIZE,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy  # validated once, where it was built
        self.stats = LimiterStats()
        self._redis = redis
        self._acquire_script = redis.register_script(ACQUIRE_LUA)
        self._release_script = redis.register_script(RELEASE_LUA)
        self._park_script = redis.register_script(PARK_LUA)
        self._lease_ttl_s = lease_ttl_s
        self._max_wait_s = max_wait_s
        self._block_size = max(1, block_size)
        self._sleep = sleep
        self._rand = rand
        self._published: dict[str, float] = {}  # bucket -> the wait last published
        self._leases: dict[str, OktaClock] = {}  # every place held in Redis, renewed while held
        self._pool: dict[str, list[_Place]] = {}  # bucket -> leased places no request took yet
        self._finished: list[_Place] = []  # places of finished requests, to give back
        self._renewer: asyncio.Task[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._flushing = False

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter(share={self.policy.share}, "
            f"max_in_flight={self.policy.max_in_flight})"
        )

    async def _try(
        self, bucket: str, token: str, now: float, skew: float | None = None
    ) -> tuple[Decision, int]:
        """One round trip: give back finished places, lease a block; (decision, places).

        ``skew`` (the clock's Okta-minus-local skew, once known) is kept in the bucket's hash."""
        given = self._take_finished()
        prefix = f"{bucket}|{token}"
        args: list[Any] = [
            repr(now),
            repr(self.policy.share),
            self.policy.probe_budget,
            self.policy.max_in_flight,
            prefix,
            repr(now + self._lease_ttl_s),
            bucket,
            repr(budget.CONCURRENCY_PAUSE_S),
            repr(budget.PROBE_PAUSE_S),
            self._block_size,
            BUDGET_HEADROOM,
            IN_FLIGHT_HEADROOM,
            repr(budget.HELD_RECHECK_S),
            "" if skew is None else repr(skew),
            *_give_back_args(given),
        ]
        keys = [INFLIGHT_KEY, ratelimit_key(bucket), *(ratelimit_key(p.bucket) for p in given)]
        try:
            code, wait, granted = await self._acquire_script(keys=keys, args=args)
        except RedisError as error:
            raise BrokerUnavailableError(
                f"the Okta rate limiter could not reach Redis ({type(error).__name__}: {error});"
                " check that Redis is up and HOPSYNC's Redis URL is right"
            ) from error
        if int(code) == 1:
            return budget.ADMIT, int(granted)
        return Decision(float(wait), _REASONS[int(code)]), 0

    async def _acquire(self, bucket: str, clock: OktaClock) -> str:
        """A place for one request: from this process's pool, else leased with a block."""
        refusals = 0
        while True:
            pooled = self._pool.get(bucket)
            if pooled:  # a place another request of this process leased with its block
                self.stats.admitted += 1
                return pooled.pop().member
            token = uuid.uuid4().hex
            decision, granted = await self._try(bucket, token, clock.now(), clock.skew)
            if decision.admitted:
                self.stats.admitted += 1
                return self._keep_block(bucket, token, granted, clock)
            if _parks(decision):
                delay = await self._park(bucket, clock.now())
                await self._publish_wait(bucket, delay)
                raise BudgetDeferredError(bucket, delay)
            if decision.reason == "budget":
                await self._publish_wait(bucket, decision.wait_s)
            pause = pause_for(decision, self._rand, self._max_wait_s, refusals)
            self.stats.record_wait(str(decision.reason), pause)
            await self._sleep(pause)
            refusals += 1

    def _keep_block(self, bucket: str, token: str, granted: int, clock: OktaClock) -> str:
        """Hold a leased block: the first place for the caller, the others pooled."""
        members = [f"{bucket}|{token}|{index}" for index in range(1, granted + 1)]
        now = time.monotonic()
        for member in members:
            self._hold(member, clock)
        self._pool.setdefault(bucket, []).extend(
            _Place(bucket, member, clock, since=now) for member in members[1:]
        )
        if granted > 1:
            self._start_flusher()  # unused places go back when idle
        return members[0]

    async def _publish_wait(self, bucket: str, wait_s: float) -> None:
        """Tell the operator's commands until when the fleet waits for this bucket's window."""
        until = time.time() + wait_s
        if until <= self._published.get(bucket, 0.0) + 0.5:
            return  # already told, or told a later moment
        self._published[bucket] = until
        ttl = max(1, math.ceil(wait_s) + 1)
        try:
            await self._redis.set(okta_wait_key(bucket), repr(until), ex=ttl)
        except RedisError as error:  # only a status: the wait itself goes on
            log.debug("okta_wait_not_published", bucket=bucket, error=type(error).__name__)

    async def _park(self, bucket: str, now: float) -> float:
        """Seconds until the window of this message's ticket opens, plus jitter."""
        args = [repr(now), repr(self.policy.share)]
        try:
            wait = float(await self._park_script(keys=[ratelimit_key(bucket)], args=args))
        except RedisError as error:
            raise BrokerUnavailableError(
                f"the Okta rate limiter could not reach Redis ({type(error).__name__}: {error});"
                " check that Redis is up and HOPSYNC's Redis URL is right"
            ) from error
        self.stats.record_wait("parked", wait)
        return min(wait, self._max_wait_s * 60) + 0.01 + self._rand() * MAX_JITTER_S

    def _take_finished(
        self, finished_before: float = math.inf, idle_before: float | None = None
    ) -> list[_Place]:
        """The places to give back now, no longer renewed: those finished before
        ``finished_before``, and pooled ones leased before ``idle_before`` (time.monotonic())."""
        given = [place for place in self._finished if place.since <= finished_before]
        self._finished = [place for place in self._finished if place.since > finished_before]
        if idle_before is not None:
            for bucket, places in list(self._pool.items()):
                given += [place for place in places if place.since <= idle_before]
                self._pool[bucket] = [place for place in places if place.since > idle_before]
        for place in given:
            self._leases.pop(place.member, None)
        if not self._leases and self._renewer is not None:
            self._renewer.cancel()  # nothing left to renew: no task outlives the places
            self._renewer = None
        return given

    async def _give_back(self, given: list[_Place]) -> None:
        if not given:
            return
        keys = [INFLIGHT_KEY, *(ratelimit_key(place.bucket) for place in given)]
        try:
            await self._release_script(keys=keys, args=_give_back_args(given))
        except RedisError as error:
            # The leases expire by themselves; failing finished requests would lose their results.
            log.warning(
                "okta_ratelimit_release_failed", places=len(given), error=type(error).__name__
            )

    def _finish(self, bucket: str, member: str, clock: OktaClock, slot: Slot) -> None:
        """A request is done: its place goes back (with its reading) soon, in a batch."""
        finished = _Place(bucket, member, clock, since=time.monotonic(), reading=slot.reading)
        self._finished.append(finished)
        self._start_flusher()

    def _start_flusher(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_loop())

    async def _flush_loop(self) -> None:
        """Give back places finished RELEASE_FLUSH_S ago and pooled ones idle for POOL_IDLE_S.

        A busy process gives its finished places back with its next lease, in the same round
        trip; this loop serves the process that has gone quiet.
        """
        while self._finished or any(self._pool.values()):
            await asyncio.sleep(min(RELEASE_FLUSH_S, POOL_IDLE_S) / 2)
            now = time.monotonic()
            given = self._take_finished(now - RELEASE_FLUSH_S, now - POOL_IDLE_S)
            self._flushing = True  # a call under way is awaited, never cancelled (drain)
            try:
                await self._give_back(given)
            finally:
                self._flushing = False

    async def drain(self) -> None:
        """Give every place this process holds but does not use back now, and stop the flusher
        (call before closing the Redis client: nothing of the limiter uses it afterwards; a
        process that dies without it loses nothing, its places lapse with their leases)."""
        flusher, self._flusher = self._flusher, None
        await self._give_back(self._take_finished(math.inf, math.inf))
        if flusher is None or flusher is asyncio.current_task() or flusher.done():
            return
        if self._flushing:
            await asyncio.wait([flusher])  # its call ends; then it finds nothing left and ends
        else:
            flusher.cancel()  # asleep: nothing of Redis is interrupted

    @asynccontextmanager
    async def _slot(self, bucket: str, clock: OktaClock) -> AsyncIterator[Slot]:
        member = await self._acquire(bucket, clock)
        slot = Slot()
        try:
            yield slot
        finally:
            self._finish(bucket, member, clock, slot)

    def _hold(self, member: str, clock: OktaClock) -> None:
        """Keep a lease renewed while held (one renewer task while any is held)."""
        self._leases[member] = clock
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.get_running_loop().create_task(self._renew())

    async def _renew(self) -> None:
        """Push the expiry of this process's leases on; ends when none is held."""
        while self._leases:
            await asyncio.sleep(LEASE_RENEW_S)
            expiries = {m: clock.now() + self._lease_ttl_s for m, clock in self._leases.items()}
            if not expiries:
                return
            try:
                await self._redis.zadd(INFLIGHT_KEY, dict(expiries), xx=True)
            except RedisError as error:  # a lease that lapses meanwhile only frees a place early
                log.warning("okta_lease_renewal_failed", error=type(error).__name__)

    def slot(self, bucket: str, clock: OktaClock) -> AbstractAsyncContextManager[Slot]:
        """Wait for the fleet's budget and a place; give it back with the reading after."""
        return self._slot(bucket, clock)


def _give_back_args(given: list[_Place]) -> list[Any]:
    """The give-back arguments of both scripts: the hashes' TTL, the count, 5 per place."""
    args: list[Any] = [WINDOW_KEY_TTL_S, len(given)]
    for place in given:
        reading = place.reading
        if reading is None:
            args += [place.member, "0", 0, 0, 0]
        else:
            args += [place.member, "1", reading.limit, reading.remaining, int(reading.reset)]
    return args


def _parks(decision: Decision) -> bool:
    """A wait for the next window, long enough to park, where parking is allowed."""
    long = decision.reason == "budget" and decision.wait_s >= PARK_MIN_WAIT_S
    return long and parking_allowed()
