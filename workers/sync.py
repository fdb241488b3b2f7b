"""Sync one item of a run: load what is needed, plan it (pure), write the plan, record the outcome.

A redelivered message whose outcome is already stored writes nothing again. A retried message
reads the person and the Okta user fresh: an earlier attempt may have written part of its plan.
A live message first marks itself started, before it reads ChartHop: from then on the live
flusher enqueues another message for events about the person (see producers.live.queue).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final

import redis

from shared import constants
from shared.core.leavers import record_matters
from shared.core.models import (
    LifecycleRecord,
    OktaUserSnapshot,
    PersonOutcome,
    SyncItem,
    SyncMessage,
)
from shared.core.okta_refs import OktaLookup
from shared.core.plan import PersonPlan, plan_item
from shared.core.rules import Rules
from shared.core.snapshot import lookup_user, managed_groups
from shared.errors import BudgetDeferredError, MissingGroupError
from shared.infra.clients import Clients
from shared.infra.lifecycle_store import LifecycleStore
from shared.infra.live_safety import LiveSafety
from shared.infra.runs import Begun, RunStore
from shared.okta import OktaClient
from workers.apply import apply_plan
from workers.lifecycle import recorded_user, remember
from workers.refs import fresh_lookup, pending_lookup
from workers.runtime import Runtime


async def sync_item(
    runtime: Runtime, message: SyncMessage, *, retries: int, begun: Begun | None = None
) -> PersonOutcome:
    """Plan and (unless dry) apply one item; returns the outcome to record.

    ``begun`` is what ``begin`` found when the caller started the message; without it this
    starts it (a live message is marked started before ChartHop is read).
    """
    begun = begun or begin(runtime.runs, message)
    rules = runtime.rules_for(message.config_version, message.config_draft)
    clients = await runtime.clients_for(rules.config)
    group_ids = await run_group_ids(
        runtime, message.run_id, create=not message.dry_run, rules=rules, okta=clients.okta
    )
    store = LifecycleStore(runtime.client)
    item = message.item
    earlier = None if message.dry_run else begun.planned
    fresh = not item.snapshot or retries > 0
    if fresh or item.approved or earlier is not None:
        # An approved plan writes what was approved, to the Okta user as it is now; a redelivery
        # whose writes may have gone out (a create, say) looks the user up before writing again.
        reread = refresh if fresh else refresh_okta
        item = await reread(clients, rules, store, item, group_ids)
    lookup = await fresh_lookup(clients, rules, item, group_ids) if fresh else None
    plan = _plan(runtime, rules, message, item, lookup)
    if plan is None:
        return PersonOutcome(
            key=item.key,
            status="unchanged",
            person_id=item.person_id,
            reason="no longer in ChartHop",
        )
    planned = plan.outcome()
    note = not message.dry_run and plan.status in _NOTED_BEFORE_WRITES
    held, noted = live_hold(runtime, rules, message, planned, note=note)
    if held is not None:
        return held
    if message.dry_run:
        return planned
    if plan.status == "unchanged" and earlier is not None:
        # A redelivery after the writes went out but before the outcome was recorded.
        remember(store, message.run_id, plan, earlier.status)
        return earlier
    if note and not noted:
        runtime.runs.save_planned(message.run_id, planned)
    # A resync's first try plans from the snapshot alone, so it may park and plan again later.
    park = message.kind == "resync" and message.item.snapshot and retries == 0
    try:
        await apply_plan(plan, clients.okta, group_ids, park=park)
    except BudgetDeferredError:
        runtime.runs.forget_planned(message.run_id, item.key)  # parked: nothing was written
        raise
    remember(store, message.run_id, plan, plan.status)
    return plan.outcome()


def _plan(
    runtime: Runtime, rules: Rules, message: SyncMessage, item: SyncItem, lookup: OktaLookup | None
) -> PersonPlan | None:
    """The item's plan; one whose okta() fields wait for people this run creates is planned
    again once they are done (or the message is parked meanwhile)."""
    plan = plan_item(item, rules, lookup)
    if plan is not None and plan.waiting_on:
        lookup = pending_lookup(runtime.runs, message, item, lookup)
        plan = plan_item(item, rules, lookup)
    return plan


_NOTED_BEFORE_WRITES: Final = frozenset(
    {"created", "updated", "suspended", "deactivated", "reactivated"}
)


GROUPS_LOCK_POLL_S: Final = 0.05  # how often a worker waiting for the groups lock tries again
GROUPS_LOCK_WAIT_S: Final = 180.0


def begin(runs: RunStore, message: SyncMessage) -> Begun:
    """Start a message in one round trip (see RunStore.begin): stored outcome, earlier plan.

    A live message is marked started and spends its person's queued mark here, before ChartHop
    is read, so an event the flusher skipped because this message was still queued is seen by
    the read that follows.
    """
    item = message.item
    live_person = item.person_id if message.kind == "live" else None
    return runs.begin(message.run_id, item.key, live_person)


def mark_started(client: redis.Redis, message: SyncMessage) -> None:
    """For a live message: note that it started and spend its person's queued mark."""
    begin(RunStore(client), message)


def live_hold(
    runtime: Runtime, rules: Rules, message: SyncMessage, planned: PersonOutcome, *, note: bool
) -> tuple[PersonOutcome | None, bool]:
    """For live sync under safety limits: the held outcome when the rolling hour is spent.

    Returns (the held outcome or None, whether the plan was noted). With ``note`` an admitted
    plan is noted (RunStore.save_planned) by the admitting script, in the same round trip.
    """
    settings = rules.config.settings
    safety = settings.safety
    judged = safety is not None or settings.leavers.enabled  # max_deactivations applies too
    if message.kind != "live" or message.dry_run or not judged or not planned.okta_writes:
        return None, False
    limits = LiveSafety(runtime.client, safety)
    written = runtime.runs.planned_note(message.run_id, planned) if note else None
    reason = limits.admit(planned, note=written)
    if reason is None:
        return None, written is not None
    limits.hold(message.run_id, message.item, reason)
    return planned.model_copy(update={"status": "held", "reason": reason}), False


async def refresh_okta(
    clients: Clients,
    rules: Rules,
    store: LifecycleStore,
    item: SyncItem,
    group_ids: dict[str, str],
) -> SyncItem:
    """The item with its person as it is, and the Okta user looked up now (one or two reads)."""
    if item.person is None:
        return await refresh(clients, rules, store, item, group_ids)
    okta = await _person_user(clients, rules, store, item.person, group_ids)
    record = _record(store, item.person, okta)
    update = {"okta": okta, "snapshot": True, "approved": False, "lifecycle": record}
    return item.model_copy(update=update)


async def refresh(
    clients: Clients,
    rules: Rules,
    store: LifecycleStore,
    item: SyncItem,
    group_ids: dict[str, str],
) -> SyncItem:
    """The item with the person re-read from ChartHop, the Okta user looked up now, and what
    hopsync last did to that user's status re-read from Redis."""
    person = item.person
    if item.person_id is not None:
        person = await clients.charthop.get_person(item.person_id)
    okta: OktaUserSnapshot | None = None
    if person is not None:
        okta = await _person_user(clients, rules, store, person, group_ids)
    elif item.okta is not None:
        login = item.okta.profile.get(rules.config.match.okta_attribute)
        if login:
            okta = await lookup_user(clients.okta, rules, str(login), group_ids)
    record = _record(store, person, okta)
    update = {"person": person, "okta": okta, "snapshot": True, "lifecycle": record}
    return item.model_copy(update=update)


def _record(
    store: LifecycleStore, person: dict[str, Any] | None, okta: OktaUserSnapshot | None
) -> LifecycleRecord | None:
    """What hopsync last did to the user's status, read only where it can change the plan."""
    if okta is None or not record_matters(person, okta.status):
        return None
    return store.get(okta.id)


async def _person_user(
    clients: Clients,
    rules: Rules,
    store: LifecycleStore,
    person: dict[str, Any],
    group_ids: dict[str, str],
) -> OktaUserSnapshot | None:
    """A person's Okta user now: by the match value, else one hopsync deactivated (a rehire)."""
    value = rules.match_value(person)
    if value is None:
        return None
    found = await lookup_user(clients.okta, rules, value, group_ids)
    return found or await recorded_user(clients, rules, store, value, group_ids)


_group_cache: dict[str, dict[str, str]] = {}
_group_locks: dict[tuple[int, str], asyncio.Lock] = {}  # by event loop and run


async def run_group_ids(
    runtime: Runtime, run_id: str, *, create: bool, rules: Rules, okta: OktaClient
) -> dict[str, str]:
    """The run's managed group ids (a missing group maps to "" in a dry run).

    Read from the run once per process; a live run reads them from Okta on first use, under a
    Redis lock so that two workers never create the same group. The messages of one process
    wait for each other on an asyncio lock and poll the Redis lock: none blocks a thread of the
    event loop's executor, which the lock's holder may need to finish.
    """
    cached = _group_cache.get(run_id)
    if cached is not None:
        return cached
    loop_run = (id(asyncio.get_running_loop()), run_id)
    async with _group_locks.setdefault(loop_run, asyncio.Lock()):
        cached = _group_cache.get(run_id)
        if cached is not None:
            return cached
        wanted = list(rules.groups)
        known = runtime.runs.groups(run_id)
        if not all(name in known for name in wanted):
            known = await _look_up_groups(runtime, okta, run_id, wanted, create=create)
        if len(_group_cache) > 64:
            _group_cache.clear()
            _group_locks.clear()
        _group_cache[run_id] = known
        return known


async def _look_up_groups(
    runtime: Runtime, okta: OktaClient, run_id: str, wanted: list[str], *, create: bool
) -> dict[str, str]:
    lock = runtime.client.lock(constants.groups_lock_key(), timeout=120, thread_local=False)
    deadline = time.monotonic() + GROUPS_LOCK_WAIT_S  # a dead holder's lock expires in 120 s
    while not lock.acquire(blocking=False):
        if time.monotonic() > deadline:
            raise MissingGroupError(
                f"could not look up the managed groups of run {run_id}: another worker held "
                f"their lock for {GROUPS_LOCK_WAIT_S:.0f} s; the message is retried, and a dead "
                "holder's lock expires by itself within 120 s"
            )
        await asyncio.sleep(GROUPS_LOCK_POLL_S)
    try:
        known = runtime.runs.groups(run_id)  # another process may have saved them meanwhile
        if not all(name in known for name in wanted):
            found, missing = await managed_groups(okta, wanted, create=create)
            known = {**found, **{name: "" for name in missing if name not in found}}
            runtime.runs.save_groups(run_id, known)
        return known
    finally:
        lock.release()
