"""The fleet-wide Okta rate limiter: every worker process shares one budget through Redis.

Per bucket a hash (constants.ratelimit_key) holds Okta's latest window: limit, lowest Remaining,
Reset. A sorted set (constants.INFLIGHT_KEY) holds one lease per request in flight, scored by its
expiry, so that a process that dies gives its places back: leases are short (LEASE_TTL_S) and
renewed every LEASE_RENEW_S while their request runs, so a killed worker's places come back
within LEASE_TTL_S (well inside the heartbeat timeout after which its messages are redelivered).
Two Lua scripts apply the rules of budget.py atomically: ACQUIRE admits or says how long to
wait, RELEASE drops the lease and folds the answer's reading into the window.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from shared.constants import INFLIGHT_KEY, okta_wait_key, ratelimit_key
from shared.errors import BrokerUnavailableError, BudgetDeferredError
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
LEASE_RENEW_S: Final = 3.0  # how often a process renews the leases of its requests still running

# KEYS: bucket hash, in-flight zset.
# ARGV: now (Okta time), share, probe budget, max in flight, lease member, lease expiry, bucket.
# Returns {code, wait}: code 1 admitted; 2 concurrency, 3 probe, 4 budget (wait as a string).
ACQUIRE_LUA: Final = """
local now = tonumber(ARGV[1])
local share = tonumber(ARGV[2])
local probe = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local leases = redis.call('ZRANGE', KEYS[2], 0, -1)
if #leases >= cap then
  return {2, ARGV[8]}
end
local prefix = ARGV[7] .. '|'
local mine = 0
for _, member in ipairs(leases) do
  if string.sub(member, 1, #prefix) == prefix then
    mine = mine + 1
  end
end
local state = redis.call('HMGET', KEYS[1], 'limit', 'remaining', 'reset')
local limit = tonumber(state[1])
local remaining = tonumber(state[2])
local reset = tonumber(state[3])
if limit == nil or reset == nil or now >= reset then
  if mine >= probe then
    return {3, ARGV[9]}
  end
else
  local reserve = limit - math.floor(limit * share + 1e-9)
  if remaining - mine - 1 < reserve then
    return {4, tostring(reset - now)}
  end
end
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
return {1, '0'}
"""

# KEYS: bucket hash, in-flight zset. ARGV: lease member, has reading (0/1), limit, remaining,
# reset, key ttl. A reading of a later window replaces the window; of the same, lowers Remaining.
RELEASE_LUA: Final = """
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] ~= '1' then
  return 0
end
local limit = tonumber(ARGV[3])
local remaining = tonumber(ARGV[4])
local reset = tonumber(ARGV[5])
if limit <= 0 then
  return 0
end
local state = redis.call('HMGET', KEYS[1], 'remaining', 'reset')
local known_remaining = tonumber(state[1])
local known_reset = tonumber(state[2])
if known_reset == nil or known_remaining == nil or reset > known_reset then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', remaining, 'reset', ARGV[5])
  if known_reset ~= nil and reset > known_reset then
    local period = reset - known_reset
    local shortest = tonumber(redis.call('HGET', KEYS[1], 'period'))
    if shortest == nil or period < shortest then
      redis.call('HSET', KEYS[1], 'period', period)
    end
  end
elseif reset == known_reset then
  redis.call('HSET', KEYS[1], 'limit', limit, 'remaining', math.min(known_remaining, remaining))
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
return 1
"""

# KEYS: bucket hash. ARGV: now (Okta time), share. Hands out tickets for the windows after a spent
# one, a budget's worth per window (the window's length is the shortest seen between resets), and
# returns the seconds until the ticket's window opens.
PARK_LUA: Final = """
local state = redis.call('HMGET', KEYS[1], 'limit', 'reset', 'period', 'parked_for', 'parked')
local limit = tonumber(state[1])
local reset = tonumber(state[2])
local now = tonumber(ARGV[1])
if limit == nil or reset == nil or reset <= now then
  return '0'
end
local budget = math.max(1, math.floor(limit * tonumber(ARGV[2]) + 1e-9))
local count = 0
if state[4] == state[2] then
  count = tonumber(state[5]) or 0
end
count = count + 1
redis.call('HSET', KEYS[1], 'parked_for', state[2], 'parked', count)
local period = tonumber(state[3]) or math.max(reset - now, 1)
return tostring(reset - now + math.floor((count - 1) / budget) * period)
"""

_REASONS: Final[dict[int, WaitReason]] = {2: "concurrency", 3: "probe", 4: "budget"}


class RedisRateLimiter:
    """One budget per Okta bucket and window, and one cap on requests in flight, for a fleet."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        policy: budget.Policy,
        lease_ttl_s: float = LEASE_TTL_S,
        max_wait_s: float = 65.0,
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
        self._sleep = sleep
        self._rand = rand
        self._published: dict[str, float] = {}  # bucket -> the wait last published
        self._leases: dict[str, OktaClock] = {}  # this process's leases, renewed while held
        self._renewer: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return (
            f"RedisRateLimiter(share={self.policy.share}, "
            f"max_in_flight={self.policy.max_in_flight})"
        )

    async def _try(self, bucket: str, member: str, now: float) -> Decision:
        args: list[Any] = [
            repr(now),
            repr(self.policy.share),
            self.policy.probe_budget,
            self.policy.max_in_flight,
            member,
            repr(now + self._lease_ttl_s),
            bucket,
            repr(budget.CONCURRENCY_PAUSE_S),
            repr(budget.PROBE_PAUSE_S),
        ]
        try:
            code, wait = await self._acquire_script(
                keys=[ratelimit_key(bucket), INFLIGHT_KEY], args=args
            )
        except RedisError as error:
            raise BrokerUnavailableError(
                f"the Okta rate limiter could not reach Redis ({type(error).__name__}: {error});"
                " check that Redis is up and HOPSYNC's Redis URL is right"
            ) from error
        if int(code) == 1:
            return budget.ADMIT
        return Decision(float(wait), _REASONS[int(code)])

    async def _acquire(self, bucket: str, clock: OktaClock) -> str:
        member = f"{bucket}|{uuid.uuid4().hex}"
        refusals = 0
        while True:
            decision = await self._try(bucket, member, clock.now())
            if decision.admitted:
                self.stats.admitted += 1
                return member
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

    async def _release(self, bucket: str, member: str, reading: RateLimitReading | None) -> None:
        args: list[Any] = [member, "0", 0, 0, 0, WINDOW_KEY_TTL_S]
        if reading is not None:
            args = [member, "1", reading.limit, reading.remaining, int(reading.reset)]
            args.append(WINDOW_KEY_TTL_S)
        try:
            await self._release_script(keys=[ratelimit_key(bucket), INFLIGHT_KEY], args=args)
        except RedisError as error:
            # The lease expires by itself; failing the finished request would lose its result.
            log.warning("okta_ratelimit_release_failed", bucket=bucket, error=type(error).__name__)

    @asynccontextmanager
    async def _slot(self, bucket: str, clock: OktaClock) -> AsyncIterator[Slot]:
        member = await self._acquire(bucket, clock)
        self._hold(member, clock)
        slot = Slot()
        try:
            yield slot
        finally:
            self._leases.pop(member, None)
            if not self._leases and self._renewer is not None:
                self._renewer.cancel()  # nothing left to renew: no task outlives the requests
                self._renewer = None
            await asyncio.shield(self._release(bucket, member, slot.reading))

    def _hold(self, member: str, clock: OktaClock) -> None:
        """Keep a lease renewed while its request runs (one renewer task while any is held)."""
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
        """Wait for the fleet's budget and a lease; release and apply the reading on exit."""
        return self._slot(bucket, clock)


def _parks(decision: Decision) -> bool:
    """A wait for the next window, long enough to park, where parking is allowed."""
    long = decision.reason == "budget" and decision.wait_s >= PARK_MIN_WAIT_S
    return long and parking_allowed()
