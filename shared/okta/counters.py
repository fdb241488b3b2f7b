"""Plain call counters of the Okta client, read by metrics exporters, benchmarks and tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Final

NO_ANSWER: Final = 0
"""The status recorded when a try got no HTTP answer (connection error or timeout)."""


@dataclass
class OktaCounters:
    """Tries by (bucket, status), 429s by kind ("per_minute", "concurrency"), retries by reason."""

    requests: int = 0
    calls: Counter[tuple[str, int]] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    waited_s: float = 0.0

    def record(self, bucket: str, status: int) -> None:
        """Count one try on ``bucket`` that ended with ``status`` (NO_ANSWER if none)."""
        self.requests += 1
        self.calls[(bucket, status)] += 1

    def record_retry(self, reason: str, pause_s: float) -> None:
        """Count one retry for ``reason`` ("per_minute", "concurrency", "server", "transport")."""
        self.retries[reason] += 1
        self.waited_s += pause_s

    @property
    def rate_limited_total(self) -> int:
        """429 answers seen, both kinds."""
        return sum(self.rate_limited.values())

    @property
    def retries_total(self) -> int:
        """Retries made, for any reason."""
        return sum(self.retries.values())

    def snapshot(self) -> dict[str, Any]:
        """A JSON-friendly copy of the counters."""
        return {
            "requests": self.requests,
            "calls": {f"{bucket}:{status}": n for (bucket, status), n in self.calls.items()},
            "rate_limited": dict(self.rate_limited),
            "retries": dict(self.retries),
            "waited_s": round(self.waited_s, 3),
        }
