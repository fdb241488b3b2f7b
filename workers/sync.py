"""Sync one item of a run: load what is needed, plan it (pure), write the plan, record the outcome.

A redelivered message whose outcome is already stored writes nothing again. A retried message
reads the person and the Okta user fresh: an earlier attempt may have written part of its plan.
"""

from __future__ import annotations

import asyncio

from shared import constants
from shared.live_safety import LiveSafety
from shared.models import OktaUserSnapshot, PersonOutcome, SyncItem, SyncMessage
from shared.plan import plan_item
from shared.snapshot import lookup_user, managed_groups
from workers.apply import apply_plan
from workers.runtime import Runtime


async def sync_item(runtime: Runtime, message: SyncMessage, *, retries: int) -> PersonOutcome:
    """Plan and (unless dry) apply one item; returns the outcome to record."""
    await runtime.open_clients()
    group_ids = await run_group_ids(runtime, message.run_id, create=not message.dry_run)
    item = message.item
    if not item.snapshot or retries > 0:
        item = await refresh(runtime, item, group_ids)
    plan = plan_item(item, runtime.rules)
    if plan is None:
        return PersonOutcome(
            key=item.key,
            status="unchanged",
            person_id=item.person_id,
            reason="no longer in ChartHop",
        )
    held = live_hold(runtime, message, plan.outcome())
    if held is not None:
        return held
    if message.dry_run:
        return plan.outcome()
    earlier = runtime.runs.planned(message.run_id, item.key)
    if plan.status == "unchanged" and earlier is not None:
        # A redelivery after the writes went out but before the outcome was recorded.
        return earlier
    if plan.status in ("created", "updated"):
        runtime.runs.save_planned(message.run_id, plan.outcome())
    # A resync's first try plans from the snapshot alone, so it may park and plan again later.
    park = message.kind == "resync" and message.item.snapshot and retries == 0
    await apply_plan(plan, runtime.okta(), group_ids, park=park)
    return plan.outcome()


def live_hold(
    runtime: Runtime, message: SyncMessage, planned: PersonOutcome
) -> PersonOutcome | None:
    """For live sync under safety limits: the held outcome when the rolling hour is spent."""
    safety = runtime.rules.config.settings.safety
    if message.kind != "live" or message.dry_run or safety is None or not planned.okta_writes:
        return None
    limits = LiveSafety(runtime.client, safety)
    reason = limits.admit(planned)
    if reason is None:
        return None
    limits.hold(message.run_id, message.item, reason)
    return planned.model_copy(update={"status": "held", "reason": reason})


async def refresh(runtime: Runtime, item: SyncItem, group_ids: dict[str, str]) -> SyncItem:
    """The item with the person re-read from ChartHop and the Okta user looked up now."""
    person = item.person
    if item.person_id is not None:
        person = await runtime.charthop().get_person(item.person_id)
    okta: OktaUserSnapshot | None = None
    if person is not None:
        value = runtime.rules.match_value(person)
        if value is not None:
            okta = await lookup_user(runtime.okta(), runtime.rules, value, group_ids)
    elif item.okta is not None:
        login = item.okta.profile.get(runtime.rules.config.match.okta_attribute)
        if login:
            okta = await lookup_user(runtime.okta(), runtime.rules, str(login), group_ids)
    return item.model_copy(update={"person": person, "okta": okta, "snapshot": True})


_group_cache: dict[str, dict[str, str]] = {}


async def run_group_ids(runtime: Runtime, run_id: str, *, create: bool) -> dict[str, str]:
    """The run's managed group ids (a missing group maps to "" in a dry run).

    Read from the run once per process; a live run reads them from Okta on first use, under a
    Redis lock so that two workers never create the same group.
    """
    cached = _group_cache.get(run_id)
    if cached is not None:
        return cached
    wanted = list(runtime.rules.groups)
    known = runtime.runs.groups(run_id)
    if not all(name in known for name in wanted):
        lock = runtime.client.lock(constants.groups_lock_key(), timeout=120, thread_local=False)
        await asyncio.to_thread(lock.acquire)
        try:
            found, missing = await managed_groups(runtime.okta(), wanted, create=create)
            known = {**found, **{name: "" for name in missing if name not in found}}
            runtime.runs.save_groups(run_id, known)
        finally:
            await asyncio.to_thread(lock.release)
    if len(_group_cache) > 64:
        _group_cache.clear()
    _group_cache[run_id] = known
    return known
