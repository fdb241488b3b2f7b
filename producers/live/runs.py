"""Live runs, one per summary period: opened on first use, sealed once the period has ended.

A period is ``floor(epoch / period_s)``. Its run id is stored with SET NX under
``live_run_key(period)`` and, in the same script, added to LIVE_OPEN_RUNS scored by the period's
end, so every replica uses the same run and none is left unsealed. A period with no changes never
opens a run. Once a period ended more than ``grace_s`` ago its run is sealed with the count of
messages it was given; the one caller whose seal completes the run enqueues the aggregator.
A run pins the configuration version active when it opens: every message of the period plans
with it (``config_version``), whatever is saved during the period.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import redis
import structlog

from shared import constants
from shared.infra.aggregator import enqueue_aggregator
from shared.infra.broker import HopsyncBroker
from shared.infra.config_store import ConfigStore
from shared.infra.runs import BY_LIVE, RunStore
from shared.lua import lua_script

log = structlog.get_logger(__name__)

_OPEN = lua_script(__name__, "runs_open.lua")

_COUNT = lua_script(__name__, "runs_count.lua")
COUNTED_TTL_S = 3600  # far longer than a client retries one command


def period_of(now: float, period_s: float) -> int:
    """The summary period a moment falls in."""
    return math.floor(now / period_s)


def period_end(period: int, period_s: float) -> float:
    """The epoch second a period ends at."""
    return (period + 1) * period_s


class LiveRuns:
    """Opens and seals the live runs of summary periods; safe across replicas (sync Redis)."""

    def __init__(
        self,
        client: redis.Redis,
        runs: RunStore,
        broker: HopsyncBroker,
        *,
        period_s: float,
        grace_s: float,
    ) -> None:
        self.client = client
        self.runs = runs
        self.broker = broker
        self.period_s = period_s
        self.grace_s = grace_s
        self._open = client.register_script(_OPEN)
        self._count = client.register_script(_COUNT)
        self._known: dict[int, str] = {}
        self._pins: dict[str, int | None] = {}

    def run_for(self, now: float) -> str:
        """The id of the live run of the period ``now`` falls in, opening it when needed."""
        period = period_of(now, self.period_s)
        known = self._known.get(period)
        if known is not None:
            return known
        stored = self.client.get(constants.live_run_key(period))
        run_id = _text(stored) if stored is not None else self._open_run(period)
        self._known = {period: run_id}
        return run_id

    def version_for(self, now: float) -> int | None:
        """The configuration version the live run of ``now``'s period pins, without opening it:
        the open run's, else the active version (the one opening the run now would pin)."""
        period = period_of(now, self.period_s)
        run_id = self._known.get(period)
        if run_id is None:
            stored = self.client.get(constants.live_run_key(period))
            run_id = _text(stored) if stored is not None else None
        if run_id is None:
            return ConfigStore(self.client).active_number()
        return self.config_version(run_id)

    def config_version(self, run_id: str) -> int | None:
        """The configuration version a live run pinned when it opened (None: not recorded)."""
        if run_id not in self._pins:
            self._pins = {run_id: self.runs.meta(run_id).config_version}
        return self._pins[run_id]

    def count(self, run_id: str, messages: int, *, batch: str) -> int:
        """Count a batch's messages into the run once, however often the call is retried.

        ``batch`` names the batch (the flusher's claim token); returns the run's new total.
        """
        keys = [constants.run_key(run_id), constants.live_counted_key(batch)]
        return int(self._count(keys=keys, args=[messages, COUNTED_TTL_S]))

    def _open_run(self, period: int) -> str:
        start = datetime.fromtimestamp(period * self.period_s, UTC)
        meta = self.runs.create(
            "live",
            note=f"live sync from {start:%Y-%m-%d %H:%M:%S} UTC",
            config_version=ConfigStore(self.client).active_number(),
            started_by=BY_LIVE,
        )
        end = period_end(period, self.period_s)
        # The key outlives the period and its grace, so a late replica still finds the run.
        ttl = math.ceil(self.period_s + self.grace_s) + 86_400
        keys = [constants.live_run_key(period), constants.LIVE_OPEN_RUNS]
        winner = _text(self._open(keys=keys, args=[meta.run_id, repr(end), ttl]))
        if winner != meta.run_id:
            self._discard(meta.run_id)
        else:
            log.info("live run opened", run_id=winner, period=period)
        return winner

    def _discard(self, run_id: str) -> None:
        """Remove a run created by a replica that lost the race to open the period."""
        with self.client.pipeline() as pipe:
            pipe.delete(constants.run_key(run_id))
            pipe.zrem(constants.RUNS_INDEX, run_id)
            pipe.execute()

    def seal_ended(self, now: float) -> list[str]:
        """Seal the open runs whose period ended more than ``grace_s`` ago; returns their ids."""
        raw = self.client.zrangebyscore(constants.LIVE_OPEN_RUNS, "-inf", now - self.grace_s)
        sealed = [_text(run_id) for run_id in raw if isinstance(run_id, bytes | str)]
        for run_id in sealed:
            self._seal(run_id)
        return sealed

    def _seal(self, run_id: str) -> None:
        expected = self.runs.enqueued(run_id)
        if self.runs.seal(run_id, expected):
            enqueue_aggregator(self.broker, self.runs, run_id)
            log.info("live run sealed, aggregator enqueued", run_id=run_id, expected=expected)
        else:
            log.info("live run sealed", run_id=run_id, expected=expected)
        # Removed last: a flusher dying before this line seals again, which changes nothing.
        self.client.zrem(constants.LIVE_OPEN_RUNS, run_id)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
