"""Carry out a person's plan against Okta: one create, or a partial update and memberships."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from shared.errors import MissingGroupError
from shared.okta import OktaClient
from shared.plan import PersonPlan


async def apply_plan(plan: PersonPlan, okta: OktaClient, group_ids: Mapping[str, str]) -> None:
    """Write exactly the plan's changes; a plan with none costs no call."""
    if plan.status == "created":
        user = await okta.create_user(
            plan.create_profile,
            activate=plan.activate_on_create,
            group_ids=[_group_id(group_ids, name) for name in plan.groups_added],
        )
        plan.okta_user_id = user.id
        return
    if plan.status != "updated" or plan.okta_user_id is None:
        return
    user_id = plan.okta_user_id
    if plan.changes:
        await okta.update_profile(user_id, plan.profile_update)
    await asyncio.gather(
        *(okta.add_member(_group_id(group_ids, name), user_id) for name in plan.groups_added),
        *(okta.remove_member(_group_id(group_ids, name), user_id) for name in plan.groups_removed),
    )
    if plan.activate:
        await okta.activate_user(user_id)


def _group_id(group_ids: Mapping[str, str], name: str) -> str:
    try:
        return group_ids[name]
    except KeyError:
        raise MissingGroupError(
            f"managed group {name!r} has no Okta id in this run; re-run the resync to create it"
        ) from None
