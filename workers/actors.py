"""The actors: thin wrappers that load, call the pure core, and write.

Importing this module declares the actors on the installed Dramatiq broker, so install the
broker (workers.setup) first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import dramatiq
import structlog
from dramatiq.middleware import CurrentMessage

from shared import constants
from shared.core.messages import notify_message, sync_message
from shared.core.models import PersonOutcome, RunSummary, SyncMessage
from shared.core.summary import build_summary
from shared.errors import BudgetDeferredError
from shared.gc_pause import paused_gc
from shared.infra.aggregator import enqueue_aggregator
from shared.infra.metrics import metrics
from workers.runtime import Runtime, current, run_async
from workers.sync import begin, sync_item

log = structlog.get_logger(__name__)


@dramatiq.actor(actor_name=constants.SYNC_ACTOR, queue_name=constants.SYNC_QUEUE)
def sync_person(payload: dict[str, Any]) -> None:
    """Bring one person (or one Okta-only user) in step, then record the outcome."""
    runtime = current()
    message = SyncMessage.model_validate(payload)
    begun = begin(runtime.runs, message)
    if begun.recorded:
        finish(runtime, message.run_id, [])  # a redelivery: its outcome is already stored
        return
    current_message = CurrentMessage.get_current_message()
    retries = int(current_message.options.get("retries", 0)) if current_message else 0
    context = {"run_id": message.run_id, "person": message.item.key}
    with structlog.contextvars.bound_contextvars(**context):
        try:
            outcome = run_async(
                _bound(sync_item(runtime, message, retries=retries, begun=begun), context)
            )
        except BudgetDeferredError as parked:
            park(current_message, message, parked)
            return
        log.info(
            "person synced",
            status=outcome.status,
            writes=outcome.okta_writes,
            dry_run=message.dry_run,
        )
    finish(runtime, message.run_id, [outcome])


@dramatiq.actor(actor_name=constants.AGGREGATE_ACTOR, queue_name=constants.RUNS_QUEUE)
def aggregate_run(run_id: str) -> None:
    """Build a finished run's summary from its outcomes and store it once."""
    runtime = current()
    # A resync's 10,000 outcomes are as many small objects, and the collections they set off walk
    # the whole heap: reading them took 0.11-0.23 s with the collector on, 0.06-0.09 s paused.
    with paused_gc():
        meta = runtime.runs.meta(run_id)
        summary = build_summary(meta, runtime.runs.outcomes(run_id), datetime.now(UTC))
        if not runtime.runs.save_summary(summary):
            log.info("summary already stored", run_id=run_id)
            return
        # A failed run stays failed (a live run whose configuration reads unknown fields).
        runtime.runs.save_meta(
            meta.model_copy(update={"status": summary.status, "finished_at": summary.finished_at})
        )
    dramatiq.get_broker().enqueue(notify_message(run_id))
    _observe(summary)
    log.info("run completed", run_id=run_id, counts=summary.counts, writes=summary.okta_writes)


@dramatiq.actor(actor_name=constants.NOTIFY_ACTOR, queue_name=constants.NOTIFY_QUEUE, max_retries=0)
def notify_run(run_id: str) -> None:
    """Send a run's summary by email and chat; failures are logged and never fail the run."""
    runtime = current()
    summary = runtime.runs.summary(run_id)
    if summary is None:
        log.warning("no summary to notify", run_id=run_id)
        return
    from shared.infra.notify import notify  # imported late: aiosmtplib is only needed here

    config = runtime.rules_for(summary.config_version, summary.config_draft).config
    run_async(runtime.open_clients())
    report = run_async(notify(summary, config, runtime.loaded.secrets, runtime.session()))
    log.info(
        "notifications",
        run_id=run_id,
        email=report.email_sent,
        chat=report.chat_sent,
        skipped=report.skipped_reason,
        errors=report.errors,
    )


def park(
    current_message: dramatiq.Message[Any] | None, message: SyncMessage, parked: BudgetDeferredError
) -> None:
    """Put the message back with a delay, freeing this thread for messages of other buckets."""
    again = current_message or sync_message(
        message.run_id,
        message.dry_run,
        message.item,
        message.kind,
        config_version=message.config_version,
        config_draft=message.config_draft,
    )
    dramatiq.get_broker().enqueue(again, delay=int(parked.delay_s * 1000))
    metrics().okta_parked.labels(bucket=parked.bucket).inc()
    log.info("person parked", bucket=parked.bucket, delay_s=round(parked.delay_s, 2))


def finish(runtime: Runtime, run_id: str, outcomes: Iterable[PersonOutcome]) -> None:
    """Record outcomes; the caller that completes the run enqueues its one aggregator message."""
    if runtime.runs.record(run_id, outcomes):
        enqueue_aggregator(dramatiq.get_broker(), runtime.runs, run_id)


def _observe(summary: RunSummary) -> None:
    found = metrics()
    if summary.duration_s is not None:
        found.run_duration.labels(kind=summary.kind).observe(summary.duration_s)
    for status, count in summary.counts.items():
        if count:
            found.run_outcomes.labels(kind=summary.kind, status=status).inc(count)


async def _bound(coroutine: Any, context: dict[str, Any]) -> Any:
    structlog.contextvars.bind_contextvars(**context)
    return await coroutine
