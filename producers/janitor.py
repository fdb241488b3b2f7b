"""Repair runs left stranded by a crash between "the aggregator is due" and its enqueueing.

The run store hands the aggregator to exactly one caller; if that caller died before enqueueing
it, nothing else would. The scheduler calls this every minute, and `hopsync runs` on demand.
"""

from __future__ import annotations

import structlog

from shared.aggregator import enqueue_aggregator
from shared.broker import HopsyncBroker
from shared.runs import RunStore

log = structlog.get_logger(__name__)


def repair_stranded_runs(
    runs: RunStore, broker: HopsyncBroker, older_than_s: float = 60
) -> list[str]:
    """Enqueue the aggregator of every stranded run; returns their ids."""
    repaired = runs.stranded(older_than_s=older_than_s)
    for run_id in repaired:
        enqueue_aggregator(broker, runs, run_id)
        log.warning("stranded run repaired: aggregator re-enqueued", run_id=run_id)
    return repaired
