"""What the fake Okta counts for tests and benchmarks: calls, writes, 429s, in flight, windows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RequestRecord:
    """One request the fake answered: when (epoch s), what, which bucket, with which status."""

    at: float
    method: str
    path: str
    bucket: str
    status: int


@dataclass
class FakeCounters:
    """Counters of a fake Okta; read them through FakeOkta.counters() for a consistent copy."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)  # (bucket, method)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (bucket, status)
    writes: int = 0
    users_created: int = 0
    lifecycle: Counter[tuple[str, str]] = field(default_factory=Counter)  # (user id, operation)
    rate_limited: Counter[str] = field(default_factory=Counter)  # "per_minute", "concurrency"
    max_in_flight: int = 0
    window_counts: dict[str, Counter[float]] = field(default_factory=dict)  # bucket -> start -> n
    log: list[RequestRecord] = field(default_factory=list)

    def count_in_window(self, bucket: str, window_start: float) -> None:
        """Count one request that used ``bucket``'s budget in the window starting then."""
        self.window_counts.setdefault(bucket, Counter())[window_start] += 1

    def copy(self) -> FakeCounters:
        """A deep-enough copy for reading outside the fake's lock."""
        return FakeCounters(
            calls=Counter(self.calls),
            statuses=Counter(self.statuses),
            writes=self.writes,
            users_created=self.users_created,
            lifecycle=Counter(self.lifecycle),
            rate_limited=Counter(self.rate_limited),
            max_in_flight=self.max_in_flight,
            window_counts={bucket: Counter(c) for bucket, c in self.window_counts.items()},
            log=list(self.log),
        )

    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly summary (the request log left out)."""
        return {
            "calls": {f"{b}:{m}": n for (b, m), n in self.calls.items()},
            "statuses": {f"{b}:{s}": n for (b, s), n in self.statuses.items()},
            "writes": self.writes,
            "users_created": self.users_created,
            "lifecycle": {f"{u}:{a}": n for (u, a), n in self.lifecycle.items()},
            "rate_limited": dict(self.rate_limited),
            "max_in_flight": self.max_in_flight,
            "window_counts": {
                bucket: {str(start): n for start, n in sorted(c.items())}
                for bucket, c in self.window_counts.items()
            },
        }
