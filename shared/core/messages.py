"""Build Dramatiq messages for the workers by actor name, so producers need not import them."""

from __future__ import annotations

from typing import Any

import dramatiq

from shared import constants
from shared.core.models import RunKind, RunMeta, SyncItem, SyncMessage


def sync_message(
    run_id: str,
    dry_run: bool,
    item: SyncItem,
    kind: RunKind = "resync",
    *,
    config_version: int | None = None,
    config_draft: bool = False,
) -> dramatiq.Message[Any]:
    """The message that syncs one item of a run, planned with the run's configuration version."""
    body = SyncMessage(
        run_id=run_id,
        dry_run=dry_run,
        kind=kind,
        item=item,
        config_version=config_version,
        config_draft=config_draft,
    )
    return _message(
        constants.SYNC_QUEUE,
        constants.SYNC_ACTOR,
        body.model_dump(mode="json", exclude_defaults=True),
    )


def run_sync_message(run: RunMeta, item: SyncItem) -> dramatiq.Message[Any]:
    """The message that syncs one item of ``run``, carrying the configuration version it pinned."""
    return sync_message(
        run.run_id,
        run.dry_run,
        item,
        run.kind,
        config_version=run.config_version,
        config_draft=run.config_draft,
    )


def aggregate_message(run_id: str) -> dramatiq.Message[Any]:
    """The message that builds a finished run's summary."""
    return _message(constants.RUNS_QUEUE, constants.AGGREGATE_ACTOR, run_id)


def notify_message(run_id: str) -> dramatiq.Message[Any]:
    """The message that sends a run's summary by email and chat."""
    return _message(constants.NOTIFY_QUEUE, constants.NOTIFY_ACTOR, run_id)


def _message(queue: str, actor: str, argument: Any) -> dramatiq.Message[Any]:
    return dramatiq.Message(
        queue_name=queue, actor_name=actor, args=(argument,), kwargs={}, options={}
    )
