"""When a worker process's consumers should look at a queue again: just after a delayed message
falls due, rather than at the end of their idle back-off.

A message parked until Okta's next window goes to Dramatiq's delay queue. The consumer holding it
moves it back to its queue at the consumer's next look after its due time, and a consumer of that
queue picks it up at its own next look: each waits out an idle back-off of up to
``IDLE_POLL_MS`` (200 ms), so a window's first writes went out 0.4-0.5 s after it opened
(bench/resync_bench.py's ``first_write_into_window_s``). Each process notes the due times of the
delayed messages it sends or holds, and both consumers cut their back-off to look just after
them; while nothing is due they back off as before, so an idle worker costs Redis no more.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from typing import Final

from dramatiq.common import current_millis, q_name

# Look this long after a due time: the delay queue's consumer moves the message back first.
LOOK_AFTER_DUE_MS: Final = 5
# Keep looking this often for this long after a due time: moving a window's worth of parked
# messages back takes a few tens of milliseconds, and the queue's consumer should follow it.
LOOK_WHILE_DUE_MS: Final = 10
DUE_FOR_MS: Final = 100
# Due times are kept at this resolution, so a window's worth of parked messages is a few entries.
RESOLUTION_MS: Final = 5


class DueTimes:
    """The due times (epoch ms) of the delayed messages one process sent or holds, per queue."""

    def __init__(self, clock: Callable[[], int] = current_millis) -> None:
        self._clock = clock
        self._heaps: dict[str, list[int]] = {}
        self._known: dict[str, set[int]] = {}
        self._lock = threading.Lock()

    def note(self, delay_queue: str, eta_ms: int) -> None:
        """A message on ``delay_queue`` falls due at ``eta_ms``: its consumer and the consumer
        of the queue it goes back to look again just after."""
        rounded = -(-int(eta_ms) // RESOLUTION_MS) * RESOLUTION_MS
        now = self._clock()
        with self._lock:
            for queue in (delay_queue, q_name(delay_queue)):
                known = self._known.setdefault(queue, set())
                if rounded not in known:
                    known.add(rounded)
                    heapq.heappush(self._heaps.setdefault(queue, []), rounded)
                # Also here, so that a process whose consumers never ask keeps no old times.
                self._forget_past(queue, now)

    def timeout_ms(self, queue: str, idle_ms: int) -> int:
        """The longest a consumer of ``queue`` may back off now: ``idle_ms`` unless a due time
        is near or just passed."""
        now = self._clock()
        with self._lock:
            if queue in self._heaps:
                self._forget_past(queue, now)
            heap = self._heaps.get(queue)
            if not heap:
                return idle_ms
            until = heap[0] - now
        if until <= 0:
            return min(idle_ms, LOOK_WHILE_DUE_MS)
        # Never below LOOK_WHILE_DUE_MS: Dramatiq sleeps half to all of it, and 0 would spin.
        return max(LOOK_WHILE_DUE_MS, min(idle_ms, until + LOOK_AFTER_DUE_MS))

    def kept(self, queue: str) -> int:
        """How many due times are kept for ``queue`` (past ones are forgotten as time passes)."""
        with self._lock:
            return len(self._heaps.get(queue, ()))

    def _forget_past(self, queue: str, now: int) -> None:
        heap, known = self._heaps[queue], self._known[queue]
        while heap and heap[0] < now - DUE_FOR_MS:
            known.discard(heapq.heappop(heap))


__all__ = ["DUE_FOR_MS", "LOOK_AFTER_DUE_MS", "LOOK_WHILE_DUE_MS", "DueTimes"]
