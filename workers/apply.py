"""Carry out a person's plan against Okta: one create, or a partial update, memberships and a
lifecycle call (a leaver's suspension or deactivation, a rehire's reactivation)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from contextlib import nullcontext
from functools import partial
from typing import Any

from shared.core.plan import PersonPlan
from shared.errors import MissingGroupError
from shared.okta import OktaClient
from shared.okta.ratelimit import may_park

Write = Callable[[], Awaitable[Any]]


async def apply_plan(
    plan: PersonPlan, okta: OktaClient, group_ids: Mapping[str, str], *, park: bool = False
) -> None:
    """Write exactly the plan's changes; a plan with none costs no call.

    With ``park``, the first write may raise BudgetDeferredError when its Okta window is spent:
    nothing has been written then, so the message can simply run again later.
    """
    if plan.status == "created":
        with may_park() if park else nullcontext():
            user = await okta.create_user(
                plan.create_profile,
                activate=plan.activate_on_create,
                group_ids=[_group_id(group_ids, name) for name in plan.groups_added],
            )
        plan.okta_user_id = user.id
        return
    if plan.status not in _WRITING or plan.okta_user_id is None:
        return
    steps = _steps(plan, okta, group_ids, plan.okta_user_id)
    if not steps:
        return
    first, *siblings = steps[0]
    with may_park() if park else nullcontext():
        await first()
    await asyncio.gather(*(write() for write in siblings))
    for step in steps[1:]:
        await asyncio.gather(*(write() for write in step))


_WRITING = frozenset({"updated", "suspended", "deactivated", "reactivated"})
_BEFORE = frozenset({"unsuspend", "activate"})  # a rehire is reactivated before any update


def _steps(
    plan: PersonPlan, okta: OktaClient, group_ids: Mapping[str, str], user_id: str
) -> list[list[Write]]:
    """The writes in order: a rehire's reactivation, the profile, every membership at once, the
    activation, then a leaver's suspension or deactivation (after its group removals)."""
    steps: list[list[Write]] = []
    if plan.lifecycle in _BEFORE:
        steps.append([_lifecycle_call(plan, okta, user_id)])
    if plan.changes:
        steps.append([partial(okta.update_profile, user_id, plan.profile_update)])
    memberships: list[Write] = [
        *(partial(okta.add_member, _group_id(group_ids, n), user_id) for n in plan.groups_added),
        *(
            partial(okta.remove_member, _group_id(group_ids, n), user_id)
            for n in plan.groups_removed
        ),
    ]
    if memberships:
        steps.append(memberships)
    if plan.activate:
        steps.append([partial(okta.activate_user, user_id)])
    if plan.lifecycle is not None and plan.lifecycle not in _BEFORE:
        steps.append([_lifecycle_call(plan, okta, user_id)])
    return steps


def _lifecycle_call(plan: PersonPlan, okta: OktaClient, user_id: str) -> Write:
    calls: dict[str, Write] = {
        "suspend": partial(okta.suspend_user, user_id),
        "deactivate": partial(okta.deactivate_user, user_id),
        "unsuspend": partial(okta.unsuspend_user, user_id),
        "activate": partial(okta.activate_user, user_id, plan.send_email),
    }
    return calls[str(plan.lifecycle)]


def _group_id(group_ids: Mapping[str, str], name: str) -> str:
    try:
        return group_ids[name]
    except KeyError:
        raise MissingGroupError(
            f"managed group {name!r} has no Okta id in this run; re-run the resync to create it"
        ) from None
