"""Okta's clock as seen from here: bounds on the skew learnt from response Date headers.

X-Rate-Limit-Reset is in Okta's clock, and Date has whole-second resolution: one answer only says
that Okta's time at that moment lay in [Date, Date + 1). Each answer narrows the skew interval
(Okta time minus local time); the clock then reads Okta's time by its lower bound so that a window
is never taken as over before Okta itself has moved on.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class OktaClock:
    """Local time translated to Okta's time, from skew bounds learnt from Date headers."""

    def __init__(self, local: Callable[[], float] = time.time) -> None:
        self._local = local
        self._low: float | None = None
        self._high: float | None = None

    def local(self) -> float:
        """The local wall clock, epoch seconds."""
        return self._local()

    def observe(self, date: float | None, sent_at: float, received_at: float) -> None:
        """Learn from one answer's Date (whole seconds) sent after ``sent_at``, before receipt."""
        if date is None:
            return
        low = date - received_at
        high = date + 1.0 - sent_at
        if self._low is None or self._high is None:
            self._low, self._high = low, high
            return
        new_low, new_high = max(self._low, low), min(self._high, high)
        if new_low > new_high:
            # A clock jumped (NTP step, VM pause): forget the old bounds.
            self._low, self._high = low, high
        else:
            self._low, self._high = new_low, new_high

    @property
    def skew_bounds(self) -> tuple[float, float]:
        """(lowest, highest) plausible Okta-minus-local skew; (0, 0) before any Date."""
        if self._low is None or self._high is None:
            return (0.0, 0.0)
        return (self._low, self._high)

    @property
    def skew(self) -> float | None:
        """The lowest plausible Okta-minus-local skew, as ``now`` reads it; None before any Date.

        The rate limiter publishes it with each bucket's window (shared.okta.redis_ratelimit), so
        that a process that never talks to Okta (the live flusher) reads those windows by Okta's
        clock too.
        """
        return self._low

    def now(self) -> float:
        """The earliest Okta's clock can read now: local time plus the lowest plausible skew."""
        low, _ = self.skew_bounds
        return self._local() + low

    def seconds_until(self, okta_epoch: float) -> float:
        """Seconds (local) until Okta's clock surely reads ``okta_epoch``; 0 when already past."""
        return max(0.0, okta_epoch - self.now())
