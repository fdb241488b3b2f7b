"""Faults the fake Okta can inject: 5xx answers, latency, 429 storms, dropped create answers.

Plain state; FakeOkta changes and reads it under its lock so tests may turn knobs at runtime.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

StormKind = Literal["per_minute", "concurrency"]


@dataclass
class Storm:
    """A run of forced 429s of one kind: for ``requests`` answers or until ``until`` (epoch s)."""

    kind: StormKind
    requests: int | None = None
    until: float | None = None
    bucket: str | None = None  # None: every bucket

    def hits(self, bucket: str, now: float) -> bool:
        """True when this storm answers a request of ``bucket`` now (and uses one of its count)."""
        if self.bucket is not None and self.bucket != bucket:
            return False
        if self.until is not None and now >= self.until:
            return False
        if self.requests is not None:
            if self.requests <= 0:
                return False
            self.requests -= 1
        return True

    def over(self, now: float) -> bool:
        """True when the storm has nothing left to give."""
        spent = self.requests is not None and self.requests <= 0
        return spent or (self.until is not None and now >= self.until)


class Faults:
    """The fault knobs of one fake Okta."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.error_rate = 0.0
        self.error_status = 500
        self.forced_errors = 0
        self.forced_error_status = 500
        self.latency_s = 0.0
        self.storms: list[Storm] = []
        self.drop_create_answers = 0

    def storm_kind(self, bucket: str, now: float) -> StormKind | None:
        """The kind of forced 429 for this request, if a storm is on."""
        self.storms = [storm for storm in self.storms if not storm.over(now)]
        for storm in self.storms:
            if storm.hits(bucket, now):
                return storm.kind
        return None

    def server_error(self) -> int | None:
        """The 5xx status to answer with instead of serving, if any (forced first, then random)."""
        if self.forced_errors > 0:
            self.forced_errors -= 1
            return self.forced_error_status
        if self.error_rate > 0 and self.rng.random() < self.error_rate:
            return self.error_status
        return None

    def drop_this_create(self) -> bool:
        """True when this (applied) create's answer must be lost."""
        if self.drop_create_answers > 0:
            self.drop_create_answers -= 1
            return True
        return False
