"""The resync producer: read ChartHop and snapshot Okta once, then fan out one message per person.

Used by `hopsync resync`, the daily scheduler and the demo. The run is sealed with its expected
count before any message is enqueued, so the aggregator fires exactly when the last one finishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from shared.broker import HopsyncBroker
from shared.charthop import ChartHopClient
from shared.matching import match_people
from shared.messages import aggregate_message, sync_message
from shared.models import PersonOutcome, RunKind, RunMeta, SyncItem
from shared.okta import OktaClient
from shared.rules import Rules
from shared.runs import RunStore
from shared.snapshot import managed_groups, snapshot_users

log = structlog.get_logger(__name__)


@dataclass
class Producer:
    """What a producer needs: the rules, the run store, the broker and the API clients."""

    rules: Rules
    runs: RunStore
    broker: HopsyncBroker
    okta: OktaClient
    charthop: ChartHopClient

    async def resync(self, *, dry_run: bool = False, note: str = "") -> RunMeta:
        """Start a resync of everyone; returns the run once its messages are enqueued."""
        run = self.runs.create("resync", dry_run=dry_run, note=note)
        log.info("resync started", run_id=run.run_id, dry_run=dry_run)
        people = [person async for person in self.charthop.list_people()]
        group_ids, missing = await managed_groups(self.okta, self.rules.groups, create=not dry_run)
        snapshots = await snapshot_users(self.okta, self.rules, group_ids)
        self.runs.save_groups(run.run_id, {**dict.fromkeys(missing, ""), **group_ids})
        if missing:
            run = run.model_copy(update={"groups_created": missing})
            self.runs.save_meta(run)
        matched = match_people(people, snapshots, self.rules)
        self.enqueue(run, matched.items, decided=matched.outcomes)
        log.info(
            "resync enqueued",
            run_id=run.run_id,
            people=len(people),
            okta_users=len(snapshots),
            messages=len(matched.items),
        )
        return run.model_copy(update={"expected": len(matched.items) + len(matched.outcomes)})

    def enqueue(
        self, run: RunMeta, items: Sequence[SyncItem], *, decided: Sequence[PersonOutcome] = ()
    ) -> None:
        """Seal the run's count, store the producer's own outcomes, then enqueue in bulk."""
        due = self.runs.seal(run.run_id, len(items) + len(decided))
        due = self.runs.record(run.run_id, decided) or due
        messages = [sync_message(run.run_id, run.dry_run, item) for item in items]
        self.broker.enqueue_many(messages)
        if due:
            self.broker.enqueue(aggregate_message(run.run_id))
            self.runs.mark_aggregate_enqueued(run.run_id)

    async def replay(self, items: list[SyncItem], *, kind: RunKind = "replay") -> RunMeta:
        """Start a run of fresh-read items (a replay of dead letters)."""
        run = self.runs.create(kind)
        fresh = [item.model_copy(update={"snapshot": False}) for item in items]
        self.enqueue(run, fresh)
        return run.model_copy(update={"expected": len(fresh)})
