"""The rate limiter's arithmetic, free of I/O: when a request may go, and how a reading updates it.

Per bucket the fleet remembers Okta's latest window: its limit, the lowest Remaining seen and its
Reset. Everyone's use together must stay within floor(limit x share), i.e. Remaining must never
fall below the reserve (limit - floor(limit x share)) left to the customer's other integrations.
Requests still in flight may not be counted in the Remaining we saw yet, so each is assumed to
take one more. Before the first answer of a window the fleet admits only a few probes.
The Redis limiter runs the same rules in Lua (see redis_ratelimit.py); keep the two in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.okta.headers import RateLimitReading

PROBE_BUDGET: Final = 3  # requests admitted in a window before its first headers arrive
PROBE_PAUSE_S: Final = 0.05  # wait for a probe's headers
CONCURRENCY_PAUSE_S: Final = 0.02  # wait for a lease on an in-flight request
# A window whose last places are held by requests in flight (or finished ones whose places are not
# back yet, or places leased and not used) is asked again this soon, not at its reset: a place
# that comes back unused would otherwise sit out the rest of the window, and at the end of a run
# the last few writes would wait a whole window more. Shorter than ratelimit.PARK_MIN_WAIT_S, so
# a waiting request sleeps through it rather than parking its message.
HELD_RECHECK_S: Final = 0.2
_SHARE_EPSILON: Final = 1e-9  # so that 0.29 x 100 counts as 29, not 28.999...

WaitReason = Literal["concurrency", "probe", "budget"]

# The one definition of the rate-limit settings' bounds and defaults: the configuration's
# okta.rate_limit_share and okta.max_in_flight are declared with these (config/settings.py).
Share = Annotated[float, Field(gt=0, le=1)]
InFlight = Annotated[int, Field(ge=1, le=75)]  # Okta allows about 75 requests in flight per org
DEFAULT_SHARE: Final = 0.5
DEFAULT_MAX_IN_FLIGHT: Final = 20


class Policy(BaseModel):
    """How much of Okta the fleet may use: share of each window, requests in flight, probes.

    hopsync's one rate-limit settings model: the configuration builds it once
    (``OktaConfig.rate_limit``) and both the client and the fleet's limiter take it as is.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    share: Share = DEFAULT_SHARE
    max_in_flight: InFlight = DEFAULT_MAX_IN_FLIGHT
    probe_budget: int = Field(default=PROBE_BUDGET, ge=1)


@dataclass(frozen=True)
class BucketWindow:
    """What the fleet knows of one bucket's current window, from Okta's headers."""

    limit: int
    remaining: int
    reset: float


@dataclass(frozen=True)
class Decision:
    """Admit now (wait 0), or wait ``wait_s`` seconds and ask again, for ``reason``."""

    wait_s: float = 0.0
    reason: WaitReason | None = None

    @property
    def admitted(self) -> bool:
        """True when the request may go now."""
        return self.reason is None


ADMIT: Final = Decision()


def reserve(limit: int, share: float) -> int:
    """Requests of a window left to other integrations: limit - floor(limit x share)."""
    return limit - math.floor(limit * share + _SHARE_EPSILON)


def current(window: BucketWindow | None, now: float) -> BucketWindow | None:
    """The window if it is still running at Okta time ``now``, else None (unknown again)."""
    if window is None or now >= window.reset:
        return None
    return window


def decide(
    window: BucketWindow | None,
    bucket_in_flight: int,
    total_in_flight: int,
    now: float,
    policy: Policy,
) -> Decision:
    """Whether one more request of a bucket may go now, at Okta time ``now``."""
    if total_in_flight >= policy.max_in_flight:
        return Decision(CONCURRENCY_PAUSE_S, "concurrency")
    live = current(window, now)
    if live is None:
        if bucket_in_flight >= policy.probe_budget:
            return Decision(PROBE_PAUSE_S, "probe")
        return ADMIT
    reserved = reserve(live.limit, policy.share)
    if live.remaining - bucket_in_flight - 1 < reserved:
        until_reset = max(0.0, live.reset - now)
        if bucket_in_flight and live.remaining - 1 >= reserved:
            return Decision(min(HELD_RECHECK_S, until_reset), "budget")  # held, maybe not spent
        return Decision(until_reset, "budget")
    return ADMIT


def observe(window: BucketWindow | None, reading: RateLimitReading) -> BucketWindow | None:
    """The window after one answer's reading; concurrency readings (limit 0) change nothing."""
    if reading.is_concurrency:
        return window
    fresh = BucketWindow(reading.limit, reading.remaining, reading.reset)
    if window is None or reading.reset > window.reset:
        return fresh
    if reading.reset < window.reset:
        return window  # a late answer from an earlier window
    return BucketWindow(reading.limit, min(window.remaining, reading.remaining), window.reset)
