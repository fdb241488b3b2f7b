"""Every run ends: repair runs a crash left without an end (the scheduler runs it every minute).

- Stranded aggregator: the run store hands the aggregator to exactly one caller; if that caller
  died before enqueueing it, nothing else would.
- Abandoned live run: live runs are sealed by the webhook's flusher once their period ended; with
  no flusher running (the webhook service down), a run still open ABANDONED_AFTER_S after its
  period and grace is sealed here, with the count of messages it was given.
- Stalled live run: a flusher that died between counting a batch into its run and enqueueing it
  leaves the run expecting messages that never went out (the events were claimed again and
  synced in a later batch). A sealed live run that recorded no outcome for STALLED_AFTER_S and
  has no message left on the queues is ended with the outcomes it has, saying how many counted
  messages were never sent.
"""

from __future__ import annotations

from typing import Final

import redis
import structlog

from producers.live.flusher import LiveOptions
from producers.live.runs import LiveRuns
from shared import constants
from shared.infra.aggregator import enqueue_aggregator
from shared.infra.broker import HopsyncBroker
from shared.infra.runs import RunStore

log = structlog.get_logger(__name__)

ABANDONED_AFTER_S: Final = 120.0
STALLED_AFTER_S: Final = 600.0
SCAN_RUNS: Final = 200  # the newest runs looked at


def repair_stranded_runs(
    runs: RunStore, broker: HopsyncBroker, older_than_s: float = 60
) -> list[str]:
    """Enqueue the aggregator of every stranded run; returns their ids."""
    repaired = runs.stranded(older_than_s=older_than_s)
    for run_id in repaired:
        enqueue_aggregator(broker, runs, run_id)
        log.warning("stranded run repaired: aggregator re-enqueued", run_id=run_id)
    return repaired


def seal_abandoned_live_runs(
    runs: RunStore, broker: HopsyncBroker, *, period_s: float, grace_s: float, now: float
) -> list[str]:
    """Seal live runs no flusher sealed ABANDONED_AFTER_S after their period; their ids."""
    live = LiveRuns(
        runs.client, runs, broker, period_s=period_s, grace_s=grace_s + ABANDONED_AFTER_S
    )
    sealed = live.seal_ended(now)
    for run_id in sealed:
        log.warning("live run sealed by the janitor: no flusher sealed it", run_id=run_id)
    return sealed


def settle_stalled_live_runs(
    runs: RunStore, broker: HopsyncBroker, *, now: float, stalled_after_s: float = STALLED_AFTER_S
) -> list[str]:
    """End sealed live runs waiting for messages that were counted but never sent; their ids."""
    settled = []
    for meta in runs.recent(SCAN_RUNS):
        if meta.kind != "live" or runs.summary(meta.run_id) is not None:
            continue
        done, expected = runs.progress(meta.run_id)
        last = runs.touched(meta.run_id) or meta.created_at.timestamp()
        if expected is None or done >= expected or now - last < stalled_after_s:
            continue
        if queued_messages_of(broker, meta.run_id):
            continue  # still on its way (a long backlog, or messages waiting for a retry)
        note = (
            f"{expected - done} counted message(s) were never enqueued (the flusher stopped "
            "between counting and enqueueing; their people were synced by a later message)"
        )
        runs.save_meta(meta.model_copy(update={"note": f"{meta.note}; {note}".strip("; ")}))
        if runs.seal(meta.run_id, done):
            enqueue_aggregator(broker, runs, meta.run_id)
        log.warning("stalled live run ended by the janitor", run_id=meta.run_id, why=note)
        settled.append(meta.run_id)
    return settled


def queued_messages_of(broker: HopsyncBroker, run_id: str) -> bool:
    """Whether a sync message of the run is on a queue, delayed, or taken by a worker."""
    client: redis.Redis = broker.client
    needle = run_id.encode()
    for queue in (constants.SYNC_QUEUE, f"{constants.SYNC_QUEUE}.DQ"):
        key = f"{broker.namespace}:{queue}.msgs"
        if any(needle in body for _, body in client.hscan_iter(key, count=1000)):
            return True
    return False


def tidy_runs(runs: RunStore, broker: HopsyncBroker, *, live: LiveOptions, now: float) -> None:
    """Everything the janitor does, in one pass."""
    repair_stranded_runs(runs, broker)
    seal_abandoned_live_runs(runs, broker, period_s=live.period_s, grace_s=live.grace_s, now=now)
    settle_stalled_live_runs(runs, broker, now=now)
