"""The fake Okta's rate limits: per-bucket budgets per window, and the headers that report them.

Windows start at whole multiples of ``window_s`` since the epoch, so every client sees the same
Reset (whole epoch seconds, rounded up as Okta's header is an integer). A request refused with
a 429 does not use the budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from sim.okta.buckets import LIMIT_HEADER, REMAINING_HEADER, RESET_HEADER
from sim.okta.settings import FakeOktaSettings

PER_MINUTE: Final = "per_minute"
CONCURRENCY: Final = "concurrency"


@dataclass(frozen=True)
class Verdict:
    """Whether a request may be served, the headers to send, and the window it counted in."""

    allowed: bool
    headers: dict[str, str]
    window_start: float
    kind: str | None = None  # PER_MINUTE or CONCURRENCY when refused


def rate_headers(limit: int, remaining: int, reset: float) -> dict[str, str]:
    """The X-Rate-Limit-* trio."""
    return {
        LIMIT_HEADER: str(limit),
        REMAINING_HEADER: str(max(0, remaining)),
        RESET_HEADER: str(math.ceil(reset)),
    }


class RateWindows:
    """Counts each bucket's requests per window against its limit."""

    def __init__(self, settings: FakeOktaSettings) -> None:
        self.settings = settings
        self._used: dict[tuple[str, float], int] = {}

    def window_start(self, now: float) -> float:
        """Start of the window holding ``now``."""
        width = self.settings.window_s
        return math.floor(now / width) * width

    def _prune(self, current_start: float) -> None:
        if len(self._used) > 256:
            self._used = {k: n for k, n in self._used.items() if k[1] >= current_start}

    def current(self, bucket: str, now: float) -> Verdict:
        """The headers for ``bucket`` now, without using its budget."""
        start = self.window_start(now)
        limit = self.settings.limit_for(bucket)
        used = self._used.get((bucket, start), 0)
        reset = start + self.settings.window_s
        return Verdict(True, rate_headers(limit, limit - used, reset), start)

    def admit(self, bucket: str, now: float) -> Verdict:
        """Use one request of ``bucket``'s budget, or refuse with a per-minute 429 verdict."""
        start = self.window_start(now)
        self._prune(start)
        limit = self.settings.limit_for(bucket)
        used = self._used.get((bucket, start), 0)
        reset = start + self.settings.window_s
        if used >= limit:
            return Verdict(False, rate_headers(limit, 0, reset), start, PER_MINUTE)
        self._used[(bucket, start)] = used + 1
        return Verdict(True, rate_headers(limit, limit - used - 1, reset), start)

    def exhausted(self, bucket: str, now: float) -> Verdict:
        """A per-minute 429 verdict for ``bucket`` (forced storms), budget untouched."""
        start = self.window_start(now)
        limit = self.settings.limit_for(bucket)
        reset = start + self.settings.window_s
        return Verdict(False, rate_headers(limit, 0, reset), start, PER_MINUTE)

    def too_many_in_flight(self, now: float) -> Verdict:
        """A concurrency 429 verdict: Limit 0, Remaining 0, and a Reset that is only a guess."""
        reset = now + self.settings.concurrency_reset_s
        return Verdict(False, rate_headers(0, 0, reset), self.window_start(now), CONCURRENCY)
