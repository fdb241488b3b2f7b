"""The live flusher: turns due live-sync entries into sync messages of the period's live run.

Every ``interval_s`` it claims due entries (LiveQueue), resolves job-only entries to their person
through ChartHop, skips people whose previous message is still queued and not started (that one
reads their latest state), counts the messages into the live run of the current period (once per
claim, however often the count is retried), enqueues one fresh-read sync message per remaining
person, marks those people queued, releases the entries, and seals live runs whose period ended.
An entry is released only after its message is on the queue (or found already there), so a
flusher that dies mid-way leaves it in flight until its lease expires and another claims it again.

Before a batch's messages, the configuration version its period's run pins is checked for unknown
fields (producers.live.fields, once per version), before that run is opened: a period whose fields
could never be read leaves no empty run behind. A version reading a field the org lacks writes
nothing: the run is marked failed with the reason, and each person's message goes to the
dead-letter queue as a failed outcome of the run, to replay once the configuration is fixed.
When the org's fields cannot be read, the entries stay in flight and are tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import dramatiq
import redis
import structlog

from config.settings import SettingsConfig
from producers.live.fields import FieldGate
from producers.live.hold import Lift, storm_lift
from producers.live.queue import PERSON, Claim, LiveQueue, Target, parse_member
from producers.live.runs import LiveRuns
from shared import constants
from shared.charthop import ChartHopClient
from shared.core.messages import sync_message
from shared.core.models import PersonOutcome, SyncItem
from shared.errors import HopsyncError
from shared.infra.aggregator import enqueue_aggregator
from shared.infra.broker import HopsyncBroker
from shared.infra.deadletters import DeadLetter, DeadLetterStore, now
from shared.infra.runs import RunStore

log = structlog.get_logger(__name__)

_RESOLVE_CONCURRENCY = 8  # ChartHop look-ups of job-only entries running at once

Clock = Callable[[], float]
SettingsSource = Callable[[], SettingsConfig]
"""The settings of the active configuration version (a blocking call; run off the loop)."""
JobResolver = Callable[[str], Awaitable[str | None]]
"""``job id -> person id`` (None when no person holds the job); raises HopsyncError on failure."""


@dataclass(frozen=True)
class LiveOptions:
    """How the flusher runs: period length, sealing grace, lease, tick interval and batch size."""

    period_s: float = 900.0
    grace_s: float = 30.0
    lease_s: float = 60.0
    interval_s: float = 0.25
    batch: int = 500

    @classmethod
    def from_settings(cls, settings: SettingsConfig) -> LiveOptions:
        """Options for the configured summary period (``live_summary_minutes``)."""
        return cls(period_s=settings.live_summary_minutes * 60.0)


@dataclass
class FlushReport:
    """What one tick did."""

    claimed: int = 0
    lift: Lift | None = None  # a storm's hold lifted for an Okta window about to lapse
    enqueued: int = 0
    already_queued: int = 0  # people skipped: their previous message had not started yet
    dead_lettered: int = 0  # people not synced: the run's configuration reads unknown fields
    dropped: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)
    run_id: str | None = None
    sealed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """Where a batch's fresh people go: the period's run, its configuration version, and when."""

    run_id: str
    version: int | None
    fresh: list[str]
    stamp_ms: int


@dataclass
class _Batch:
    """A claim sorted into people to sync, members to drop, and members to leave for retry."""

    people: dict[str, list[str]] = field(default_factory=dict)  # person id -> members
    dropped: list[str] = field(default_factory=list)
    retry: list[str] = field(default_factory=list)


def charthop_job_resolver(client: ChartHopClient) -> JobResolver:
    """A resolver that asks ChartHop which person holds a job (``q=jobId=<id>``)."""

    async def resolve(job_id: str) -> str | None:
        async for person in client.list_people(q=f"jobId={job_id}", fields=["id"], limit=1):
            person_id = person.get("id")
            return str(person_id) if person_id else None
        return None

    return resolve


class LiveFlusher:
    """Claims due live entries and enqueues their sync messages; safe to run in many replicas."""

    def __init__(
        self,
        client: redis.Redis,
        broker: HopsyncBroker,
        runs: RunStore,
        options: LiveOptions | None = None,
        *,
        resolve_job: JobResolver | None = None,
        clock: Clock = time.time,
        settings: SettingsSource | None = None,
        fields: FieldGate | None = None,
        share: float = 1.0,
    ) -> None:
        self.options = options or LiveOptions()
        self.share = share  # okta.rate_limit_share: what of a window's budget is hopsync's
        self.settings = settings
        self.fields = fields
        self.dead_letters = DeadLetterStore(client)
        self.broker = broker
        self.queue = LiveQueue(client)
        self.live_runs = LiveRuns(
            client, runs, broker, period_s=self.options.period_s, grace_s=self.options.grace_s
        )
        self.runs = runs
        self.resolve_job = resolve_job
        self.clock = clock

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Tick every ``interval_s`` until ``stop`` is set; a failed tick is logged and retried."""
        while not stop.is_set():
            try:
                await self.tick()
            except (redis.RedisError, OSError) as exc:
                log.warning("live flush failed: Redis unavailable; retrying", error=str(exc))
            except Exception:
                # The loop must outlive any failure: the entries wait in Redis meanwhile.
                log.exception("live flush failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.options.interval_s)

    async def tick(self) -> FlushReport:
        """One pass: claim, resolve, enqueue, release, then seal ended periods."""
        if self.settings is not None:
            settings = await asyncio.to_thread(self.settings)
            self.follow_period(settings.live_summary_minutes * 60.0)
        lift = await asyncio.to_thread(self._lift)
        claim = await asyncio.to_thread(
            self.queue.claim, self.clock(), self.options.lease_s, self.options.batch, lift
        )
        report = FlushReport(claimed=len(claim.members), lift=lift)
        if lift is not None and claim.members:
            log.info(
                "storm hold lifted: an Okta window ends with budget left",
                window_end=lift.window_end,
                budget=lift.budget,
                claimed=len(claim.members),
            )
        if claim.members:
            batch = await self._sort(claim.members)
            await self._flush(claim, batch, report)
            report.dropped, report.retry = batch.dropped, batch.retry
            report.already_queued = len(batch.people) - report.enqueued - report.dead_lettered
        report.sealed = await asyncio.to_thread(self.live_runs.seal_ended, self.clock())
        return report

    def _lift(self) -> Lift | None:
        """Whether a storm's hold is lifted now (producers.live.hold): one read a tick."""
        hold_until, windows = self.queue.storm_state()
        return storm_lift(hold_until, windows, self.clock(), self.share)

    def follow_period(self, period_s: float) -> None:
        """Cut live runs ``period_s`` long from now on (a new configuration version said so).

        Runs already open keep their own end and are sealed by it, whatever the new length.
        """
        if period_s == self.options.period_s:
            return
        log.info("live summary period changed", period_s=period_s, was=self.options.period_s)
        self.options = replace(self.options, period_s=period_s)
        self.live_runs = LiveRuns(
            self.live_runs.client,
            self.runs,
            self.broker,
            period_s=period_s,
            grace_s=self.options.grace_s,
        )

    async def _sort(self, members: list[str]) -> _Batch:
        batch = _Batch()
        jobs: list[Target] = []
        for member in members:
            target = parse_member(member)
            if target is None:
                log.warning("live entry of unknown shape dropped", member=member)
                batch.dropped.append(member)
            elif target.kind == PERSON:
                batch.people.setdefault(target.id, []).append(member)
            else:
                jobs.append(target)
        limit = asyncio.Semaphore(_RESOLVE_CONCURRENCY)

        async def resolve(job: Target) -> None:
            async with limit:
                await self._resolve(job, batch)

        await asyncio.gather(*(resolve(job) for job in jobs))
        return batch

    async def _resolve(self, target: Target, batch: _Batch) -> None:
        if self.resolve_job is None:
            log.warning("job event dropped: no ChartHop client to resolve it", job_id=target.id)
            batch.dropped.append(target.member)
            return
        try:
            person_id = await self.resolve_job(target.id)
        except HopsyncError as error:
            # Left in flight: its lease expires and a later tick tries ChartHop again.
            log.warning("job not resolved; will retry", job_id=target.id, error=str(error))
            batch.retry.append(target.member)
            return
        if person_id is None:
            log.info("job event dropped: no person holds the job", job_id=target.id)
            batch.dropped.append(target.member)
            return
        batch.people.setdefault(person_id, []).append(target.member)

    async def _flush(self, claim: Claim, batch: _Batch, report: FlushReport) -> None:
        """Send the batch's fresh people to the period's run (or dead-letter them), then release."""
        fresh = await asyncio.to_thread(self._fresh, batch)
        target: _Target | None = None
        refusal: str | None = None
        if fresh:
            try:
                # The gate is asked before the period's run is opened: when the org's fields
                # cannot be read (ChartHop down), no run is opened, so none is sealed empty.
                version = await asyncio.to_thread(self.live_runs.version_for, self.clock())
                refusal = await self._refusal(version)
                target = await asyncio.to_thread(self._target, fresh)
                if target.version != version:  # a version saved meanwhile: the run pinned it
                    refusal = await self._refusal(target.version)
            except HopsyncError as error:
                # Left in flight: the lease expires and a later tick checks the fields again.
                log.warning(
                    "live sync waits: the fields of its configuration could not be checked",
                    version=target.version if target is not None else None,
                    error=str(error),
                )
                batch.retry += [member for members in batch.people.values() for member in members]
                batch.people = {}
                await asyncio.to_thread(self.queue.release, claim, batch.dropped)
                return
        if target is not None:
            report.run_id = target.run_id
            if refusal is None:
                report.enqueued = await asyncio.to_thread(self._enqueue, claim, target)
            else:
                report.dead_lettered = await asyncio.to_thread(
                    self._dead_letter, claim, target, refusal
                )
        handled = [member for members in batch.people.values() for member in members]
        await asyncio.to_thread(self.queue.release, claim, handled + batch.dropped)

    async def _refusal(self, version: int | None) -> str | None:
        """Why a version must not write (None: it may); raises HopsyncError if unknowable now."""
        return None if self.fields is None else await self.fields.refusal(version)

    def _fresh(self, batch: _Batch) -> list[str]:
        fresh = self.queue.unqueued(list(batch.people))
        if len(fresh) < len(batch.people):
            log.info("live sync already queued", people=len(batch.people) - len(fresh))
        return fresh

    def _target(self, fresh: list[str]) -> _Target:
        # The period is read after resolving jobs, which may have taken a while.
        now = self.clock()
        run_id = self.live_runs.run_for(now)
        version = self.live_runs.config_version(run_id)
        return _Target(run_id, version, fresh, int(now * 1000))

    def _messages(self, target: _Target) -> list[tuple[SyncItem, dramatiq.Message[Any]]]:
        items = [_item(person_id, target.stamp_ms) for person_id in target.fresh]
        return [
            (item, sync_message(target.run_id, False, item, "live", config_version=target.version))
            for item in items
        ]

    def _enqueue(self, claim: Claim, target: _Target) -> int:
        messages = self._messages(target)
        self.live_runs.count(target.run_id, len(messages), batch=claim.token)
        self.broker.enqueue_many([message for _, message in messages])
        marks = {person: item.key for person, (item, _) in zip(target.fresh, messages, strict=True)}
        self.queue.mark_queued(marks)
        log.info("live sync enqueued", run_id=target.run_id, people=len(messages))
        return len(messages)

    def _dead_letter(self, claim: Claim, target: _Target, reason: str) -> int:
        """Nothing is written: each message is kept as a dead letter and a failed outcome.

        Counted into the run first, as sent messages are, so the run completes on its outcomes;
        the run is marked failed with the reason, which its summary keeps.
        """
        messages = self._messages(target)
        self.live_runs.count(target.run_id, len(messages), batch=claim.token)
        meta = self.runs.meta(target.run_id)
        if meta.status != "failed":
            self.runs.save_meta(meta.model_copy(update={"status": "failed", "note": reason}))
        label = "its configuration" if target.version is None else f"version {target.version}"
        said = f"not synced: {label} reads unknown fields (the run's reason says which)"
        outcomes: list[PersonOutcome] = []
        for item, message in messages:
            self.dead_letters.add(
                DeadLetter(
                    id=message.message_id,
                    actor=constants.SYNC_ACTOR,
                    queue=constants.SYNC_QUEUE,
                    run_id=target.run_id,
                    item_key=item.key,
                    person_id=item.person_id,
                    error=reason,
                    failed_at=now(),
                    message=message.asdict(),
                )
            )
            outcomes.append(
                PersonOutcome(key=item.key, status="failed", person_id=item.person_id, reason=said)
            )
        if self.runs.record(target.run_id, outcomes):  # the period ended and was sealed meanwhile
            enqueue_aggregator(self.broker, self.runs, target.run_id)
        log.error("live sync dead-lettered", run_id=target.run_id, people=len(messages))
        return len(messages)


def _item(person_id: str, stamp_ms: int) -> SyncItem:
    # The key must be unique per message: a run completes on as many outcomes as messages.
    key = f"{person_id}@{stamp_ms}.{secrets.token_hex(3)}"
    return SyncItem(key=key, person_id=person_id, snapshot=False)
