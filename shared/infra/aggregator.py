"""Hand a finished run to its aggregator: enqueue the aggregator's message, then note it queued.

The run store tells exactly one caller that a run's aggregator is due (shared/infra/runs.py); that
caller enqueues it here. One that dies between the two steps leaves the run "due", and the
janitor enqueues it again (producers/schedule/janitor.py).
"""

from __future__ import annotations

from typing import Any

import dramatiq

from shared.core.messages import aggregate_message
from shared.infra.runs import RunStore


def enqueue_aggregator(broker: dramatiq.Broker, runs: RunStore, run_id: str) -> None:
    """Enqueue the run's aggregator message, then mark it enqueued in the run store."""
    message: dramatiq.Message[Any] = aggregate_message(run_id)
    broker.enqueue(message)
    runs.mark_aggregate_enqueued(run_id)
