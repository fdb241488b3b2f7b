"""Read the Okta side of a sync: managed groups (creating missing ones) and user snapshots.

A resync reads everything by list paging once per run; live sync and replays look one user up.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from shared.core.models import OktaUserSnapshot
from shared.core.rules import Rules
from shared.errors import OktaNotFoundError
from shared.okta import OktaClient, OktaUser

GROUP_DESCRIPTION = "Managed by hopsync from ChartHop; edit its filter in hopsync's configuration."


async def managed_groups(
    client: OktaClient, names: Iterable[str], *, create: bool
) -> tuple[dict[str, str], list[str]]:
    """Map each managed group name to its OKTA_GROUP id; create the missing ones when asked.

    Returns the map and the names that were (or, with create off, would be) created.
    """
    wanted = list(names)
    existing: dict[str, str] = {}
    async for group in client.list_groups("OKTA_GROUP"):
        existing.setdefault(group.profile.name, group.id)
    folded = {name.casefold(): group_id for name, group_id in existing.items()}
    found: dict[str, str] = {}
    missing: list[str] = []
    for name in wanted:
        group_id = existing.get(name) or folded.get(name.casefold())
        if group_id is None:
            missing.append(name)
        else:
            found[name] = group_id
    if create:
        for name in missing:
            group = await client.create_group(name, GROUP_DESCRIPTION)
            found[name] = group.id
    return found, missing


async def group_members(client: OktaClient, group_ids: Mapping[str, str]) -> dict[str, list[str]]:
    """Okta user id -> the managed group names it belongs to."""
    memberships: dict[str, list[str]] = defaultdict(list)

    async def read(name: str, group_id: str) -> None:
        async for user_id in client.list_group_member_ids(group_id):
            memberships[user_id].append(name)

    await asyncio.gather(*(read(name, group_id) for name, group_id in group_ids.items()))
    return dict(memberships)


def kept_attributes(rules: Rules) -> set[str]:
    """The profile attributes a snapshot keeps: the managed ones, those okta() calls read, the
    match one, and names."""
    return {
        *rules.fields,
        *rules.ref_use.attributes,
        rules.config.match.okta_attribute,
        "firstName",
        "lastName",
        "login",
    }


def to_snapshot(user: OktaUser, keep: set[str], group_names: list[str]) -> OktaUserSnapshot:
    """A user trimmed to what the diff reads."""
    return _snapshot((user.id, user.status, _trimmed(user, keep)), group_names)


async def snapshot_users(
    client: OktaClient, rules: Rules, group_ids: Mapping[str, str]
) -> list[OktaUserSnapshot]:
    """Every Okta user, by list paging, with their managed-group memberships.

    Users and members are read at once: on a real org each list is dozens of pages in a row.
    """
    keep = kept_attributes(rules)
    memberships, users = await asyncio.gather(
        group_members(client, group_ids), _trimmed_users(client, keep)
    )
    return [_snapshot(user, memberships.get(user[0], [])) for user in users]


_Trimmed = tuple[str, str, dict[str, Any]]  # id, status, the kept profile attributes


def _trimmed(user: OktaUser, keep: set[str]) -> dict[str, Any]:
    return {key: value for key, value in user.profile.items() if key in keep}


async def _trimmed_users(client: OktaClient, keep: set[str]) -> list[_Trimmed]:
    return [
        (user.id, user.status, _trimmed(user, keep))
        async for page in client.list_user_pages()
        for user in page
    ]


def _snapshot(user: _Trimmed, group_names: list[str]) -> OktaUserSnapshot:
    user_id, status, profile = user
    return OktaUserSnapshot(
        id=user_id, status=status, profile=profile, group_names=sorted(group_names)
    )


async def lookup_user(
    client: OktaClient, rules: Rules, match_value: str, group_ids: Mapping[str, str]
) -> OktaUserSnapshot | None:
    """One Okta user found by the match attribute, with their managed groups; None if absent."""
    attribute = rules.config.match.okta_attribute
    user: OktaUser | None
    if attribute == "login":
        user = await client.find_user_by_login(match_value)
    else:
        user = await _first(client, f'profile.{attribute} eq "{_quote(match_value)}"')
    if user is None:
        return None
    by_id = {group_id: name for name, group_id in group_ids.items()}
    groups = await client.list_user_groups(user.id)
    names = [by_id[group.id] for group in groups if group.id in by_id]
    return to_snapshot(user, kept_attributes(rules), names)


async def fetch_user(
    client: OktaClient, rules: Rules, user_id: str, group_ids: Mapping[str, str]
) -> OktaUserSnapshot | None:
    """One Okta user by id (DEPROVISIONED ones too), with their managed groups; None if gone."""
    try:
        user = await client.get_user(user_id)
    except OktaNotFoundError:
        return None
    by_id = {group_id: name for name, group_id in group_ids.items()}
    groups = await client.list_user_groups(user.id)
    names = [by_id[group.id] for group in groups if group.id in by_id]
    return to_snapshot(user, kept_attributes(rules), names)


async def _first(client: OktaClient, search: str) -> OktaUser | None:
    async for user in client.list_users(search=search):
        if user.status != "DEPROVISIONED":
            return user
    return None


def _quote(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"')
