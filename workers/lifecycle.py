"""What a worker records about leavers' Okta users, and how it finds one hopsync deactivated.

The record (shared.infra.lifecycle_store) is written right after a suspension or deactivation
succeeds and dropped after a rehire's reactivation: it is what makes a deactivation happen once,
and what lets a rehire be reactivated.
"""

from __future__ import annotations

from datetime import UTC, datetime

from shared.core.models import LifecycleRecord, OktaUserSnapshot
from shared.core.plan import PersonPlan
from shared.core.rules import Rules
from shared.core.snapshot import fetch_user
from shared.infra.clients import Clients
from shared.infra.lifecycle_store import LifecycleStore


def remember(store: LifecycleStore, run_id: str, plan: PersonPlan, status: str) -> None:
    """Record a leaver's suspension or deactivation (``status``), or forget a reactivated one."""
    if status == "reactivated" and plan.okta_user_id is not None:
        store.forget(plan.okta_user_id)
        return
    if status not in ("suspended", "deactivated") or plan.okta_user_id is None:
        return
    leaving = plan.departure
    store.save(
        LifecycleRecord(
            okta_user_id=plan.okta_user_id,
            action="suspended" if status == "suspended" else "deactivated",
            at=datetime.now(UTC),
            run_id=run_id,
            person_id=plan.person_id,
            match_value=plan.match_value,
            end_date=leaving.end if leaving else None,
            rule=leaving.rule if leaving else "",
        )
    )


async def recorded_user(
    clients: Clients,
    rules: Rules,
    store: LifecycleStore,
    match_value: str,
    group_ids: dict[str, str],
) -> OktaUserSnapshot | None:
    """A user hopsync deactivated, found by its record: a search leaves DEPROVISIONED users out."""
    record = store.find_by_match(match_value)
    if record is None or record.action != "deactivated":
        return None
    return await fetch_user(clients.okta, rules, record.okta_user_id, group_ids)
