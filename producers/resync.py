"""The resync producer: read ChartHop and snapshot Okta once, then fan out one message per person.

People already in step are decided here from the same snapshot (shared.core.triage): only people
with something to write cost a message. Used by `hopsync resync`, the daily scheduler and the demo.
The run is sealed with its expected count before any message is enqueued, so the aggregator
fires exactly when the last one finishes.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.exceptions import RedisError

from config.loader import LoadedConfig
from shared.charthop import ChartHopClient
from shared.core.coverage import filter_warnings
from shared.core.field_check import problems as field_problems
from shared.core.leavers import end_date
from shared.core.matching import MatchResult, managed_users, match_people
from shared.core.messages import notify_message, run_sync_message
from shared.core.models import (
    LifecycleRecord,
    OktaUserSnapshot,
    PersonOutcome,
    RunKind,
    RunMeta,
    SyncItem,
)
from shared.core.okta_refs import attach_refs
from shared.core.rules import Rules
from shared.core.safety import PlannedTotals, deactivations_exceeded, deactivations_of, exceeded
from shared.core.snapshot import fetch_user, managed_groups, snapshot_users
from shared.core.summary import build_summary
from shared.core.triage import Triage, triage
from shared.errors import ConfigError, RunStateError
from shared.gc_pause import paused_gc
from shared.infra.aggregator import enqueue_aggregator
from shared.infra.broker import HopsyncBroker
from shared.infra.lifecycle_store import LifecycleStore, deactivated_ids
from shared.infra.live_safety import LiveSafety, save_base
from shared.infra.org_fields import read_known_fields
from shared.infra.runs import RunStore
from shared.okta import OktaClient

log = structlog.get_logger(__name__)

STREAM_CHUNK = 500  # people planned and enqueued at a time once the run is sealed ...
FIRST_CHUNK = 100  # ... but fewer at first: the workers' first write comes that much sooner


@dataclass
class Producer:
    """What a producer needs: the rules, the run store, the broker and the API clients.

    ``config_version`` (and ``config_draft``) name the stored configuration the rules come from:
    every run this producer starts pins it, and its messages carry it to the workers.
    """

    rules: Rules
    runs: RunStore
    broker: HopsyncBroker
    okta: OktaClient
    charthop: ChartHopClient
    config_version: int | None = None
    config_draft: bool = False
    started_by: str = ""  # recorded in every run it starts (shared.infra.runs.by_cli()...)

    @classmethod
    def of(
        cls,
        loaded: LoadedConfig,
        runs: RunStore,
        broker: HopsyncBroker,
        okta: OktaClient,
        charthop: ChartHopClient,
        *,
        started_by: str,
    ) -> Producer:
        """A producer planning with a loaded configuration, pinning its version in every run."""
        return cls(
            Rules.build(loaded.config),
            runs,
            broker,
            okta,
            charthop,
            config_version=loaded.version,
            config_draft=loaded.draft,
            started_by=started_by,
        )

    def new_run(self, kind: RunKind, *, dry_run: bool = False, note: str = "") -> RunMeta:
        """Start a run pinned to this producer's configuration version."""
        return self.runs.create(
            kind,
            dry_run=dry_run,
            note=note,
            config_version=self.config_version,
            config_draft=self.config_draft,
            started_by=self.started_by,
        )

    async def resync(
        self,
        *,
        dry_run: bool = False,
        note: str = "",
        on_start: Callable[[RunMeta], None] | None = None,
    ) -> RunMeta:
        """Start a resync of everyone; returns the run once its messages are enqueued.

        With safety limits configured, a run that would pass one is held instead: nothing is
        written (not even a missing group) until `hopsync runs approve`. ``on_start`` is told the
        run as soon as it exists, before ChartHop and Okta are read (the console shows its page
        meanwhile); a failure after that marks the run failed with the reason.
        """
        self.runs.client.ping()  # Redis first: without it no run starts, whatever the fields
        await self.check_fields()
        run = self.new_run("resync", dry_run=dry_run, note=note)
        if on_start is not None:
            on_start(run)
        log.info(
            "resync started",
            run_id=run.run_id,
            dry_run=dry_run,
            config_version=self.config_version,
            config_draft=self.config_draft,
        )
        try:
            with paused_gc():
                return await self._resync(run, dry_run=dry_run)
        except Exception as error:
            self.fail_run(run.run_id, error)
            raise

    def fail_run(self, run_id: str, error: BaseException) -> None:
        """Mark a run the producer could not finish as failed, with the reason, and tell people.

        Its summary says FAILED (with what the workers did so far, if anything was enqueued);
        an aggregator arriving later changes nothing, as the summary is stored once.
        """
        reason = f"{type(error).__name__}: {error}"
        try:
            meta = self.runs.meta(run_id)
            failed = meta.model_copy(
                update={"status": "failed", "note": reason, "finished_at": datetime.now(UTC)}
            )
            summary = build_summary(failed, self.runs.outcomes(run_id), datetime.now(UTC))
            self.runs.save_summary(summary)
            self.runs.save_meta(failed)
            self.broker.enqueue(notify_message(run_id))
        except RedisError as store_error:  # Redis itself is what failed: the janitor ends it
            log.error("run failed and could not be marked", run_id=run_id, error=str(store_error))
            return
        log.info("run marked failed", run_id=run_id, reason=reason)  # the caller reports it

    async def check_fields(self) -> None:
        """Refuse to start when the configuration reads fields the org does not have.

        Raises ConfigError naming each one, and which list of the org's fields was used.
        """
        known, _ = await read_known_fields(self.charthop)
        found = field_problems(self.rules.config, known)
        if found:
            where = f"configuration, fields checked against {known.source}"
            raise ConfigError(found, source=where)

    async def _resync(self, run: RunMeta, *, dry_run: bool) -> RunMeta:
        started = time.perf_counter()
        # ChartHop and Okta are read at once: on real APIs the pages' latency dominates.
        (people, departed), (group_ids, missing, snapshots) = await asyncio.gather(
            self._read_people(), self._read_okta()
        )
        records = LifecycleStore(self.runs.client).all()
        snapshots += await self._rehire_users(people, snapshots, records, group_ids)
        read_s = time.perf_counter() - started
        matched = match_people(people, snapshots, self.rules, departed=departed, records=records)
        if self.rules.ref_use.paths:
            attach_refs(matched.items, self.rules.ref_use)
        save_base(
            self.runs.client,
            len(people),
            sum(len(s.group_names) for s in snapshots),
            managed=managed_users(matched.items),
        )
        if missing:
            run = run.model_copy(update={"groups_created": missing})
            self.runs.save_meta(run)
        # With safety limits the run is judged as a whole, so everyone is planned before any write;
        # without, people are planned and enqueued in chunks, and workers start at once.
        triaged: Triage | None = None
        reasons: list[str] = []
        if self._judged():
            triaged = triage(matched.items, self.rules)
            reasons = self._over_limits(triaged, len(people), snapshots, matched)
            if reasons and not dry_run:
                return self._hold(run, matched, triaged, reasons)
        if dry_run:
            run = self._warn(run, people, snapshots, reasons)
        group_ids = await self._create_missing(group_ids, missing, dry_run=dry_run)
        self.runs.save_groups(run.run_id, {**dict.fromkeys(missing, ""), **group_ids})
        if triaged is None:
            sent = self._stream(run, matched)
        else:
            self.enqueue(run, triaged.to_send, decided=[*matched.outcomes, *triaged.in_step])
            sent = len(triaged.to_send)
        log.info(
            "resync enqueued",
            run_id=run.run_id,
            people=len(people),
            okta_users=len(snapshots),
            messages=sent,
            in_step=len(matched.items) - sent,
            read_s=round(read_s, 2),
            total_s=round(time.perf_counter() - started, 2),
        )
        return run.model_copy(update={"expected": len(matched.items) + len(matched.outcomes)})

    async def _create_missing(
        self, group_ids: dict[str, str], missing: list[str], *, dry_run: bool
    ) -> dict[str, str]:
        if not missing or dry_run:
            return group_ids
        created, _ = await managed_groups(self.okta, self.rules.groups, create=True)
        return created

    def _stream(self, run: RunMeta, matched: MatchResult) -> int:
        """Seal the run, then plan and enqueue it chunk by chunk; returns the messages sent.

        Workers start writing while later people are still being planned: on a big org, planning
        everyone first would leave Okta's budget idle for seconds.
        """
        due = self.runs.seal(run.run_id, len(matched.items) + len(matched.outcomes))
        due = self.runs.record(run.run_id, matched.outcomes) or due
        sent = 0
        for start, end in _chunks(len(matched.items)):
            triaged = triage(matched.items[start:end], self.rules)
            self.broker.enqueue_many([run_sync_message(run, item) for item in triaged.to_send])
            sent += len(triaged.to_send)
            due = self.runs.record(run.run_id, triaged.in_step) or due
        if due:
            self._enqueue_aggregate(run.run_id)
        return sent

    async def _read_people(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The active people, and (leavers on) the departed ones: everyone else with an end date."""
        if not self.rules.config.settings.leavers.enabled:
            return [person async for person in self.charthop.list_people()], []
        active, everyone = await asyncio.gather(
            self._list_people(include_all=False), self._list_people(include_all=True)
        )
        ids = {person.get("id") for person in active}
        departed = [p for p in everyone if p.get("id") not in ids and end_date(p) is not None]
        return active, departed

    async def _list_people(self, *, include_all: bool) -> list[dict[str, Any]]:
        return [person async for person in self.charthop.list_people(include_all=include_all)]

    async def _rehire_users(
        self,
        people: Sequence[dict[str, Any]],
        snapshots: Sequence[OktaUserSnapshot],
        records: dict[str, LifecycleRecord],
        group_ids: dict[str, str],
    ) -> list[OktaUserSnapshot]:
        """Users hopsync deactivated whose person is active again: the user list leaves
        DEPROVISIONED users out, so each is read by id (a few calls, only for rehires)."""
        seen = {snapshot.id for snapshot in snapshots}
        unlisted = [user_id for user_id in deactivated_ids(records.values()) if user_id not in seen]
        if not unlisted:  # the usual case: no match values to work out for the whole org
            return []
        active = {self.rules.match_value(person) for person in people}
        wanted = [user_id for user_id in unlisted if records[user_id].match_value in active]
        found = await asyncio.gather(
            *(fetch_user(self.okta, self.rules, user_id, group_ids) for user_id in wanted)
        )
        return [snapshot for snapshot in found if snapshot is not None]

    async def _read_okta(self) -> tuple[dict[str, str], list[str], list[OktaUserSnapshot]]:
        group_ids, missing = await managed_groups(self.okta, self.rules.groups, create=False)
        return group_ids, missing, await snapshot_users(self.okta, self.rules, group_ids)

    def _judged(self) -> bool:
        """Whether runs are judged against limits before writing: safety limits configured,
        or leavers on (max_deactivations holds a run even without the other limits)."""
        settings = self.rules.config.settings
        return settings.safety is not None or settings.leavers.enabled

    def _over_limits(
        self,
        triaged: Triage,
        people: int,
        snapshots: Sequence[OktaUserSnapshot],
        matched: MatchResult,
    ) -> list[str]:
        safety = self.rules.config.settings.safety
        reasons: list[str] = []
        if safety is not None:
            totals = PlannedTotals.of(triaged.planned)
            reasons += exceeded(safety, totals, people=people, members=_members(snapshots))
        limit = safety.max_deactivations if safety is not None else None
        planned = deactivations_of(triaged.planned)
        too_many = deactivations_exceeded(limit, planned, managed_users(matched.items))
        return reasons + ([too_many] if too_many else [])

    def _warn(
        self,
        run: RunMeta,
        people: Sequence[dict[str, Any]],
        snapshots: Sequence[OktaUserSnapshot],
        reasons: list[str],
    ) -> RunMeta:
        """A dry run notes what a real one would be held by, and filters that empty or fill."""
        warnings = [f"a real run would be held: it {reason}" for reason in reasons]
        warnings += filter_warnings(self.rules, people, _members(snapshots))
        if not warnings:
            return run
        warned = run.model_copy(update={"warnings": warnings})
        self.runs.save_meta(warned)
        return warned

    def _hold(
        self, run: RunMeta, matched: MatchResult, triaged: Triage, reasons: list[str]
    ) -> RunMeta:
        held = run.model_copy(
            update={"status": "held", "note": "; ".join(reasons), "held_by": reasons}
        )
        # The plan is what approval would write; everyone else is decided now and kept, so that
        # the approved run still counts every person (the count is sealed only on approval).
        self.runs.save_plan(run.run_id, triaged.to_send)
        self.runs.record(run.run_id, [*matched.outcomes, *triaged.in_step])
        outcomes = [*triaged.planned, *matched.outcomes]
        self.runs.save_summary(build_summary(held, outcomes, datetime.now(UTC)))
        self.runs.save_meta(held)
        self.broker.enqueue(notify_message(run.run_id))
        # INFO: the command prints the hold itself; a service's log (INFO) still records it.
        log.info("resync held by safety limits", run_id=run.run_id, reasons=reasons)
        return held

    async def approve(self, run_id: str) -> RunMeta:
        """Apply a held run's plan: the people it would write, as approved.

        Only their Okta users are read again (one or two reads each), so that nothing already
        written meanwhile is written twice; the people decided when it was held keep their
        outcomes, so the run's counts before and after approval add up to the same people.
        """
        meta = self.runs.meta(run_id)
        if meta.status != "held":
            return await self._approve_live(meta)
        group_ids, missing = await managed_groups(self.okta, self.rules.groups, create=True)
        items = [
            item.model_copy(update={"approved": True}) for item in self.runs.plan_items(run_id)
        ]
        decided = self.runs.outcomes(run_id)
        self.runs.reopen(run_id)
        self.runs.save_groups(run_id, group_ids)
        approved = meta.model_copy(
            update={
                "status": "running",
                "groups_created": missing,
                "note": f"approved; was held: {meta.note}",
                "held_by": [],
            }
        )
        self.runs.save_meta(approved)
        self.enqueue(approved, items, decided=decided)
        return approved.model_copy(update={"expected": len(items) + len(decided)})

    async def _approve_live(self, meta: RunMeta) -> RunMeta:
        limits = self._live_safety()
        held = limits.held(meta.run_id) if limits is not None else []
        if limits is None or not held:
            raise RunStateError(
                f"run {meta.run_id} is {meta.status} and holds nothing; only a "
                "held run, or a live run with held people, can be approved"
            )
        replay = await self.replay([entry.item for entry in held])
        limits.release(held)
        return replay

    def _live_safety(self) -> LiveSafety | None:
        safety = self.rules.config.settings.safety
        return LiveSafety(self.runs.client, safety) if self._judged() else None

    def discard(self, run_id: str) -> RunMeta:
        """Drop a held run's plan (or a live run's held people); nothing is written."""
        meta = self.runs.meta(run_id)
        limits = self._live_safety()
        held = limits.held(run_id) if limits is not None else []
        if meta.status != "held" and held and limits is not None:
            limits.release(held)
            return meta
        if meta.status != "held":
            raise RunStateError(
                f"run {run_id} is {meta.status}, not held; only a held run can be discarded"
            )
        discarded = meta.model_copy(
            update={"status": "discarded", "finished_at": datetime.now(UTC)}
        )
        self.runs.save_meta(discarded)
        summary = self.runs.summary(run_id)
        if summary is not None:
            self.runs.replace_summary(summary.model_copy(update={"status": "discarded"}))
        return discarded

    def enqueue(
        self, run: RunMeta, items: Sequence[SyncItem], *, decided: Sequence[PersonOutcome] = ()
    ) -> None:
        """Seal the run's count, store the producer's own outcomes, then enqueue in bulk."""
        due = self.runs.seal(run.run_id, len(items) + len(decided))
        due = self.runs.record(run.run_id, decided) or due
        messages = [run_sync_message(run, item) for item in items]
        self.broker.enqueue_many(messages)
        if due:
            self._enqueue_aggregate(run.run_id)

    def _enqueue_aggregate(self, run_id: str) -> None:
        enqueue_aggregator(self.broker, self.runs, run_id)

    async def replay(self, items: list[SyncItem], *, kind: RunKind = "replay") -> RunMeta:
        """Start a run of fresh-read items (a replay of dead letters).

        Refused (ConfigError, no run) while the configuration reads unknown fields: the letters
        may be what a live run refused for that very reason.
        """
        await self.check_fields()
        run = self.new_run(kind)
        fresh = [item.model_copy(update={"snapshot": False}) for item in items]
        self.enqueue(run, fresh)
        return run.model_copy(update={"expected": len(fresh)})


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each chunk of ``count`` people: FIRST_CHUNK, then STREAM_CHUNK each."""
    start, size = 0, FIRST_CHUNK
    while start < count:
        yield start, min(count, start + size)
        start, size = start + size, STREAM_CHUNK


def _members(snapshots: Sequence[OktaUserSnapshot]) -> Counter[str]:
    """Each managed group's member count in Okta, from the snapshot."""
    return Counter(name for snapshot in snapshots for name in snapshot.group_names)
