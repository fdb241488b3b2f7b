"""When the flusher lifts a storm's hold: an Okta window about to lapse with budget unspent.

A storm holds the flusher (producers.webhook.burst) so that each person is synced once, after
their last event. Okta's budget is per window, though: a storm that begins late in a window
would hold the flusher past the window's end, and that window's budget, which a resync would
have spent, is lost for good (measured: a storm 48 s into a 60 s window took one window more
than the floor, wall/floor 1.46). So in the last LIFT_LEAD_S of a window that still has budget,
the hold is lifted for as many syncs as that budget covers: the people due by then (their
events have been quiet for the storm's coalescing window) are synced within the window, the
others wait for the hold as before. Pure: the flusher reads the rate limiter's windows (kept in
Redis by shared.okta.redis_ratelimit) and the hold in one round trip a tick.

A live sync spends one call of each SYNC_BUCKETS bucket (user read, groups read, write), so the
budget it may use is the smallest any of them has left. A bucket whose last known window has
ended is taken to be in a fresh window (nobody's answer has said otherwise): its end is
projected by the window's length (the shortest seen between resets, else Okta's minute). A
bucket never seen says nothing; with none known the hold stands, as before.

Windows end by Okta's clock. The rate limiter keeps, with each bucket's window, the skew between
Okta's clock and the workers' (learnt from Date headers: shared.okta.clock), and the flusher
reads the window by it: on a host whose clock is off by seconds, the lift still comes
LIFT_LEAD_S before the window really ends (without a skew known, the local clock is taken as
Okta's).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Final

from shared.okta.buckets import USER_GET, USER_GROUPS, USER_UPDATE

# Why 3 s: a person synced while the storm still runs may be edited again and synced twice. With
# a 10 s lead, a storm 48 s into a 60 s window ended at the floor (wall/floor 1.017) but cost 1.131
# syncs per person (254 second syncs, all writing a newer title; bench/RESULTS.md); the last
# seconds of a window mostly claim people whose edits are over, and the workers spend hundreds
# of syncs a second once they are claimed.
LIFT_LEAD_S: Final = 3.0
OKTA_WINDOW_S: Final = 60.0  # Okta's documented window, for a bucket seen in one window only
SYNC_BUCKETS: Final = (USER_GET, USER_GROUPS, USER_UPDATE)


@dataclass(frozen=True)
class BucketWindow:
    """A bucket's last known Okta window, as the rate limiter keeps it (None: not known)."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # epoch seconds (Okta's clock) when that window ends
    period: float | None = None  # the shortest time seen between two resets
    skew: float = 0.0  # Okta's clock minus the workers' local clock, as the limiter last saw it

    FIELDS: ClassVar[tuple[str, ...]] = ("limit", "remaining", "reset", "period", "skew")

    @classmethod
    def parse(cls, fields: Sequence[bytes | str | None]) -> BucketWindow:
        """From the hash's FIELDS (HMGET order)."""
        limit, remaining, reset, period, skew = (_number(field) for field in fields)
        return cls(
            limit=None if limit is None else int(limit),
            remaining=None if remaining is None else int(remaining),
            reset=reset,
            period=period if period is not None and period > 0 else None,
            skew=skew or 0.0,
        )

    def now_open(self, local_now: float, share: float) -> tuple[float, float, int] | None:
        """The window open at ``local_now`` (the local clock): its end (Okta's clock), the
        seconds until then, and the calls hopsync's share of it has left."""
        if self.limit is None or self.limit <= 0 or self.reset is None:
            return None
        now = local_now + self.skew  # Okta's clock
        ours = math.floor(self.limit * share + 1e-9)  # the limiter's rule (ratelimit_acquire)
        if self.reset > now:
            remaining = self.limit if self.remaining is None else self.remaining
            return self.reset, self.reset - now, max(0, remaining - (self.limit - ours))
        period = self.period or OKTA_WINDOW_S
        ends = self.reset + math.ceil((now - self.reset) / period) * period
        if ends <= now:
            ends += period
        return ends, ends - now, ours


@dataclass(frozen=True)
class Lift:
    """The hold lifted for ``budget`` syncs, in the window that ends at ``window_end`` (Okta's
    clock: it names the window) in ``seconds_left``."""

    window_end: float
    budget: int
    seconds_left: float


def storm_lift(
    hold_until: float | None,
    windows: Sequence[BucketWindow],
    now: float,
    share: float,
    lead_s: float = LIFT_LEAD_S,
) -> Lift | None:
    """Whether syncs may start despite a storm's hold at ``now`` (the local clock, as the hold's
    ``hold_until``), and how many (None: held, or no hold to lift)."""
    if hold_until is None or hold_until <= now:
        return None
    known = [found for window in windows if (found := window.now_open(now, share)) is not None]
    if not known:
        return None
    ends, seconds_left, _ = min(known, key=lambda found: found[1])
    if seconds_left > lead_s:
        return None
    budget = min(left for _, _, left in known)
    return Lift(ends, budget, seconds_left) if budget > 0 else None


def _number(value: bytes | str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None
