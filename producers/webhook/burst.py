"""How long a webhook event waits before its person's sync is due: short when quiet, longer in
a storm. Pure: the receiver feeds it the time of each accepted event.

Quiet (fewer than BURST_RATE events in the last second), a person is due ``live_coalesce_seconds``
after their *first* event, as always. In a storm (a reorg, a bulk edit: hundreds of events a
second) Okta's rate limits make the workers the bottleneck anyway, so waiting costs nothing and
saves syncs: each further event of a person pushes their due time to BURST_WINDOW_S after it
(never past MAX_WINDOW_S after their first event), so a person whose edits are spread over the
storm is synced once, after their last edit. The storm is over QUIET_AFTER_S after the rate drops.

While a storm lasts (never more than MAX_HOLD_S from its start) the receiver also holds the
flusher: no sync starts until the rate has been low for QUIET_AFTER_S. A sync that starts while
a person's events still arrive reads ChartHop before some of their changes, or after a change
whose event is still on its way (ChartHop sends it seconds later), and the person is synced
again; held, the storm's events land first and each person is synced once. Okta's budget is the
bottleneck of a storm anyway: the hold costs seconds of a drain that takes minutes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Final

BURST_RATE: Final = 20  # accepted events in the last second that make a storm
RATE_SPAN_S: Final = 1.0
QUIET_AFTER_S: Final = 2.0  # a storm lasts this long after the rate last reached BURST_RATE
BURST_WINDOW_S: Final = 5.0  # in a storm, a person is due this long after their last event
MAX_WINDOW_S: Final = 30.0  # ... and never later than this after their first
MAX_HOLD_S: Final = 30.0  # the flusher is held at most this long after a storm began


@dataclass(frozen=True)
class Window:
    """When an event's person is due, and whether later events push that time back."""

    due: float
    extend: bool  # a storm: later events push the due time back (up to cap_s after the first)
    cap_s: float
    hold_until: float | None = None  # a storm: no sync starts before this time


class BurstMeter:
    """Counts accepted events over the last second; says the coalescing window of the next."""

    def __init__(self, base_s: float) -> None:
        self.base_s = base_s  # settings.live_coalesce_seconds; the receiver keeps it current
        self._recent: deque[float] = deque()
        self._storm_until = float("-inf")
        self._storm_began = float("-inf")

    def observe(self, now: float) -> Window:
        """Count an event accepted at ``now``; the window its person's sync waits for."""
        self._recent.append(now)
        while self._recent and self._recent[0] <= now - RATE_SPAN_S:
            self._recent.popleft()
        if len(self._recent) >= BURST_RATE:
            if now >= self._storm_until:
                self._storm_began = now
            self._storm_until = now + QUIET_AFTER_S
        if self.base_s <= 0 or now >= self._storm_until:
            return Window(due=now + self.base_s, extend=False, cap_s=self.base_s)
        window = max(self.base_s, BURST_WINDOW_S)
        hold = min(self._storm_until, self._storm_began + MAX_HOLD_S)
        return Window(
            due=now + window,
            extend=True,
            cap_s=max(window, MAX_WINDOW_S),
            hold_until=hold if hold > now else None,
        )

    @property
    def storming(self) -> bool:
        """Whether the last event counted came in a storm."""
        return bool(self._recent) and self._recent[-1] < self._storm_until
