"""Runs kept in Redis: metadata, per-person outcomes, the completion count and the summary.

Completion is counted by outcomes, keyed by person, so a redelivered message overwrites its own
outcome instead of counting twice. The outcome that completes the count flips the run's
``aggregate`` field from empty to "due:<time>" in the same Lua call, so exactly one caller learns
that the aggregator must be enqueued; it then marks it "enqueued". A caller that died between the
two leaves "due" behind: a redelivered outcome more than 30 s later claims it again. The aggregator
stores the summary with SET NX, so even a second aggregator message would change nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import redis
from pydantic import TypeAdapter

from shared import constants
from shared.core.models import PersonOutcome, RunKind, RunMeta, RunSummary, SyncItem
from shared.errors import RunNotFoundError
from shared.infra.active_config import cli_author
from shared.lua import lua_script

RECORD_CHUNK = 2_000  # outcomes per script call
_OUTCOMES: Final = TypeAdapter(list[PersonOutcome])

# Who started a run (RunMeta.started_by): the scheduler, the live sync, a shell user, an account.
BY_SCHEDULE: Final = "schedule"
BY_LIVE: Final = "live"


def by_cli() -> str:
    """``cli:USER@HOST`` (or ``cli:$HOPSYNC_AUTHOR``): who runs a command, named as the
    configuration versions it saves name their author."""
    return f"cli:{cli_author()}"


def by_console(account: str) -> str:
    """``console:ACCOUNT``: the signed-in console account."""
    return f"console:{account}"


_RECORD = lua_script(__name__, "runs_record.lua")

_SEAL = lua_script(__name__, "runs_seal.lua")


_BEGIN = lua_script(__name__, "runs_begin.lua")

STARTED_TTL_S = 3600  # a live message's started marker: longer than a flusher takes to mark it


@dataclass(frozen=True)
class PlannedNote:
    """The write that notes a person's plan before its Okta writes (see RunStore.save_planned):
    a field of the run's planned hash, and the hash's TTL."""

    key: str
    field: str
    value: str
    ttl_s: int


@dataclass(frozen=True)
class Begun:
    """What a worker learns as it starts a message: its outcome is stored, or what it planned."""

    recorded: bool
    planned: PersonOutcome | None = None


def new_run_id(kind: RunKind) -> str:
    """A sortable, unique run id such as ``resync-20261128T174300-3f2a``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{kind}-{stamp}-{uuid.uuid4().hex[:6]}"


class RunStore:
    """Reads and writes runs in Redis (synchronous: used from producers and worker threads)."""

    def __init__(self, client: redis.Redis, ttl_days: int = 30) -> None:
        self.client = client
        self.ttl_s = ttl_days * 86_400
        self._record = client.register_script(_RECORD)
        self._seal = client.register_script(_SEAL)
        self._begin = client.register_script(_BEGIN)

    def create(
        self,
        kind: RunKind,
        *,
        dry_run: bool = False,
        note: str = "",
        config_version: int | None = None,
        config_draft: bool = False,
        started_by: str = "",
    ) -> RunMeta:
        """Start a new run with no expected count yet (outcomes may arrive before it is sealed).

        ``config_version`` (and ``config_draft``) pin the configuration its messages plan with;
        ``started_by`` says who started it (``by_cli()``, ``BY_SCHEDULE``...).
        """
        meta = RunMeta(
            run_id=new_run_id(kind),
            kind=kind,
            dry_run=dry_run,
            created_at=datetime.now(UTC),
            note=note,
            config_version=config_version,
            config_draft=config_draft,
            started_by=started_by,
        )
        key = constants.run_key(meta.run_id)
        with self.client.pipeline() as pipe:
            pipe.hset(key, mapping={"meta": meta.model_dump_json()})
            pipe.expire(key, self.ttl_s)
            pipe.zadd(constants.RUNS_INDEX, {meta.run_id: meta.created_at.timestamp()})
            pipe.execute()
        return meta

    def save_meta(self, meta: RunMeta) -> None:
        """Store changed metadata (status, groups created, finish time)."""
        self.client.hset(constants.run_key(meta.run_id), "meta", meta.model_dump_json())

    def meta(self, run_id: str) -> RunMeta:
        """A run's metadata; raises RunNotFoundError when it is unknown or expired."""
        raw = self.client.hget(constants.run_key(run_id), "meta")
        if raw is None:
            raise RunNotFoundError(f"no run {run_id!r} in Redis; list runs with `hopsync runs`")
        meta = RunMeta.model_validate_json(raw)
        expected = self.client.hget(constants.run_key(run_id), "expected")
        return meta.model_copy(update={"expected": int(expected or 0)})

    def seal(self, run_id: str, expected: int) -> bool:
        """Fix how many outcomes complete the run; True when the aggregator is now due."""
        keys = [constants.run_key(run_id), constants.run_outcomes_key(run_id)]
        return bool(self._seal(keys=keys, args=[expected]))

    def add_enqueued(self, run_id: str, count: int) -> int:
        """Count messages about to be enqueued into an open (live) run; returns the new total."""
        return int(self.client.hincrby(constants.run_key(run_id), "enqueued", count))

    def enqueued(self, run_id: str) -> int:
        """How many messages an open run has been given so far."""
        return int(self.client.hget(constants.run_key(run_id), "enqueued") or 0)

    def record(self, run_id: str, outcomes: Iterable[PersonOutcome]) -> bool:
        """Store outcomes (overwriting a redelivery's); True when the aggregator is now due.

        Thousands of outcomes go in chunks, so no single script blocks Redis for long.
        """
        keys = [constants.run_key(run_id), constants.run_outcomes_key(run_id)]
        encoded = [(o.key, o.model_dump_json(exclude_defaults=True)) for o in outcomes]
        due = False
        for start in range(0, max(len(encoded), 1), RECORD_CHUNK):
            args: list[str | int] = [self.ttl_s]
            for key, value in encoded[start : start + RECORD_CHUNK]:
                args += [key, value]
            due = bool(self._record(keys=keys, args=args)) or due
        return due

    def touched(self, run_id: str) -> float | None:
        """When (epoch s, Redis's clock) the run last recorded an outcome; None if never."""
        raw = self.client.hget(constants.run_key(run_id), "touched")
        return float(raw) if raw is not None else None

    def mark_aggregate_enqueued(self, run_id: str) -> None:
        """Note that the aggregator message is on its queue."""
        self.client.hset(constants.run_key(run_id), "aggregate", "enqueued")

    def aggregate_state(self, run_id: str) -> str | None:
        """None, "due:<epoch s>" or "enqueued"."""
        raw = self.client.hget(constants.run_key(run_id), "aggregate")
        return raw.decode() if isinstance(raw, bytes) else raw

    def save_plan(self, run_id: str, items: Iterable[SyncItem]) -> None:
        """Keep a held run's items, to apply them if the run is approved."""
        key = constants.run_plan_key(run_id)
        mapping = {item.key: item.model_dump_json(exclude_defaults=True) for item in items}
        with self.client.pipeline() as pipe:
            pipe.delete(key)
            if mapping:
                pipe.hset(key, mapping=mapping)  # type: ignore[arg-type]
            pipe.expire(key, self.ttl_s)
            pipe.execute()

    def plan_items(self, run_id: str) -> list[SyncItem]:
        """A held run's items."""
        raw = self.client.hvals(constants.run_plan_key(run_id))
        return [SyncItem.model_validate_json(value) for value in raw]

    def reopen(self, run_id: str) -> None:
        """Forget a held run's summary and count, so that it can run for real.

        The outcomes decided when it was held (conflicts, deferred and unchanged people) stay:
        the approved run counts every person it had.
        """
        with self.client.pipeline() as pipe:
            pipe.delete(constants.run_summary_key(run_id))
            pipe.hdel(constants.run_key(run_id), "aggregate", "sealed", "expected")
            pipe.execute()

    def stranded(self, *, older_than_s: float = 60, scan: int = 200) -> list[str]:
        """Runs whose aggregator was due long ago but never marked enqueued (a crash between)."""
        now = datetime.now(UTC).timestamp()
        stranded = []
        for raw_id in self.client.zrevrange(constants.RUNS_INDEX, 0, scan - 1):
            run_id = _text(raw_id)
            state = self.aggregate_state(run_id) or ""
            if state.startswith("due:") and now - float(state[4:]) > older_than_s:
                stranded.append(run_id)
        return stranded

    def planned_note(self, run_id: str, outcome: PersonOutcome) -> PlannedNote:
        """What save_planned writes, for a script that notes the plan in its own round trip."""
        value = outcome.model_dump_json(exclude_defaults=True)
        return PlannedNote(constants.run_planned_key(run_id), outcome.key, value, self.ttl_s)

    def save_planned(self, run_id: str, outcome: PersonOutcome) -> None:
        """Note what a person's writes are about to do, before they are sent."""
        note = self.planned_note(run_id, outcome)
        with self.client.pipeline() as pipe:
            pipe.hset(note.key, note.field, note.value)
            pipe.expire(note.key, note.ttl_s)
            pipe.execute()

    def forget_planned(self, run_id: str, key: str) -> None:
        """Drop the note of a person's writes when none was sent after all (a parked message)."""
        self.client.hdel(constants.run_planned_key(run_id), key)

    def planned(self, run_id: str, key: str) -> PersonOutcome | None:
        """The outcome noted before a person's writes, if any."""
        raw = self.client.hget(constants.run_planned_key(run_id), key)
        return PersonOutcome.model_validate_json(raw) if raw is not None else None

    def begin(self, run_id: str, key: str, live_person_id: str | None = None) -> Begun:
        """Start a message in one round trip: is its outcome stored, what did it plan before.

        With ``live_person_id`` (a live message) it also records that the message started and
        spends the person's queued mark when the mark names it, before ChartHop is read.
        """
        keys = [constants.run_outcomes_key(run_id), constants.run_planned_key(run_id)]
        if live_person_id is not None:
            keys += [constants.live_queued_key(live_person_id), constants.live_started_key(key)]
        found = self._begin(keys=keys, args=[key, STARTED_TTL_S])
        if int(found[0]) == 1:
            return Begun(recorded=True)
        raw = found[1] if len(found) > 1 else None
        planned = PersonOutcome.model_validate_json(raw) if raw else None
        return Begun(recorded=False, planned=planned)

    def has_outcome(self, run_id: str, key: str) -> bool:
        """Whether a person's outcome is already stored (a redelivered message skips them)."""
        return bool(self.client.hexists(constants.run_outcomes_key(run_id), key))

    def outcome(self, run_id: str, key: str) -> PersonOutcome | None:
        """One person's stored outcome, or None while they are not done."""
        raw = self.client.hget(constants.run_outcomes_key(run_id), key)
        return PersonOutcome.model_validate_json(raw) if raw is not None else None

    def outcomes(self, run_id: str) -> list[PersonOutcome]:
        """Every outcome stored for a run."""
        raw = self.client.hvals(constants.run_outcomes_key(run_id))
        # One JSON array validated at once: a third faster than one outcome at a time, and the
        # aggregator reads every outcome of a run (10,000 at a resync) before its summary.
        values = [value if isinstance(value, bytes) else value.encode() for value in raw]
        return _OUTCOMES.validate_json(b"[" + b",".join(values) + b"]")

    def progress(self, run_id: str) -> tuple[int, int | None]:
        """(outcomes stored, expected count or None before the run is sealed)."""
        key = constants.run_key(run_id)
        with self.client.pipeline() as pipe:
            pipe.hlen(constants.run_outcomes_key(run_id))
            pipe.hmget(key, "expected", "sealed")
            done, (expected, sealed) = pipe.execute()
        return int(done), (int(expected) if sealed and expected is not None else None)

    def save_summary(self, summary: RunSummary) -> bool:
        """Store the summary once; False when one was already stored."""
        key = constants.run_summary_key(summary.run_id)
        return bool(self.client.set(key, summary.model_dump_json(), nx=True, ex=self.ttl_s))

    def replace_summary(self, summary: RunSummary) -> None:
        """Overwrite a stored summary (a held run approved or discarded)."""
        key = constants.run_summary_key(summary.run_id)
        self.client.set(key, summary.model_dump_json(), ex=self.ttl_s)

    def summary(self, run_id: str) -> RunSummary | None:
        """The stored summary, or None while the run is still going."""
        raw = self.client.get(constants.run_summary_key(run_id))
        return RunSummary.model_validate_json(raw) if raw is not None else None

    def recent(self, limit: int = 20) -> list[RunMeta]:
        """The newest runs first, skipping ids whose data has expired."""
        ids = self.client.zrevrange(constants.RUNS_INDEX, 0, max(limit * 2, limit) - 1)
        runs: list[RunMeta] = []
        for raw_id in ids:
            run_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            try:
                runs.append(self.meta(run_id))
            except RunNotFoundError:
                self.client.zrem(constants.RUNS_INDEX, run_id)
            if len(runs) >= limit:
                break
        return runs

    def save_groups(self, run_id: str, groups: dict[str, str]) -> None:
        """Store the managed group name -> Okta id map a run's workers use."""
        key = constants.run_groups_key(run_id)
        with self.client.pipeline() as pipe:
            pipe.delete(key)
            if groups:
                mapping: dict[str | bytes, str | bytes] = dict(groups.items())
                pipe.hset(key, mapping=mapping)  # type: ignore[arg-type]
            pipe.expire(key, self.ttl_s)
            pipe.execute()

    def groups(self, run_id: str) -> dict[str, str]:
        """The managed group name -> Okta id map of a run."""
        raw = self.client.hgetall(constants.run_groups_key(run_id))
        return {_text(name): _text(group_id) for name, group_id in raw.items()}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
