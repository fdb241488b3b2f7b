"""Plain call counters of the ChartHop client, read by benchmarks and tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

NO_ANSWER = 0
"""The status recorded when a try got no HTTP answer (connection error or timeout)."""


@dataclass
class ChartHopCounters:
    """Counts of tries by call kind ("list", "get", "count") and by HTTP status."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    people: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    by_kind_status: Counter[tuple[str, int]] = field(default_factory=Counter)

    def record(self, kind: str, status: int) -> None:
        """Count one try of a call of ``kind`` that ended with ``status`` (NO_ANSWER if none)."""
        self.requests += 1
        self.by_kind[kind] += 1
        self.by_status[status] += 1
        self.by_kind_status[(kind, status)] += 1

    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly copy of the counters."""
        return {
            "requests": self.requests,
            "retries": self.retries,
            "pages": self.pages,
            "people": self.people,
            "by_kind": dict(self.by_kind),
            "by_status": {str(status): n for status, n in self.by_status.items()},
            "by_kind_status": {f"{k}:{s}": n for (k, s), n in self.by_kind_status.items()},
        }
