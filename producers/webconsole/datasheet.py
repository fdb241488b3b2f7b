"""A group's Test: the data sheet of the people its filter selects; who Okta would gain and lose.

People are read and prepared exactly as `hopsync query` does (the rules' Remote default, the
rules' clock), so the sheet lists the same people. Against Okta: the group's current members are
compared by the match attribute with the people selected; those selected but not members would be
added, members not selected would be removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from config.loader import LoadedConfig
from producers.ops.query import row
from shared.carrot import Compiled
from shared.core.rules import Rules, normalize_match
from shared.infra.clients import api_clients
from shared.okta import OktaClient

COLUMNS: Final = ("id", "name", "contact.workEmail", "title", "department.name", "location.name")


@dataclass
class DataSheet:
    """The people selected (sorted by name), and the membership changes Okta would see."""

    people: list[dict[str, str | None]] = field(default_factory=list)
    scanned: int = 0
    group_exists: bool = False
    would_add: list[str] = field(default_factory=list)
    would_remove: list[str] = field(default_factory=list)


async def data_sheet(
    loaded: LoadedConfig, rules: Rules, compiled: Compiled, group_name: str
) -> DataSheet:
    """Read ChartHop and the group's Okta members; build the sheet."""
    sheet = DataSheet()
    selected: dict[str, str] = {}  # match value -> display name
    async with api_clients(loaded) as clients:
        async for page in clients.charthop.list_people_pages():
            sheet.scanned += len(page)
            for person in page:
                prepared = rules.prepare(person)
                if not compiled.matches(prepared):
                    continue
                sheet.people.append(row(prepared, list(COLUMNS)))
                match = rules.match_value(person)
                if match is not None:
                    selected[match] = Rules.person_name(prepared) or match
        members = await _members(clients.okta, group_name, rules.config.match.okta_attribute)
    sheet.people.sort(key=lambda cells: ((cells["name"] or "").casefold(), cells["id"] or ""))
    sheet.group_exists = members is not None
    current = members or {}
    sheet.would_add = sorted(
        (f"{name} <{match}>" for match, name in selected.items() if match not in current),
        key=str.casefold,
    )
    sheet.would_remove = sorted(
        (label for match, label in current.items() if match not in selected), key=str.casefold
    )
    return sheet


async def _members(okta: OktaClient, name: str, attribute: str) -> dict[str, str] | None:
    """The group's members (match value -> label), or None when Okta has no such group."""
    group = await okta.find_group_by_name(name) if name else None
    if group is None:
        return None
    members: dict[str, str] = {}
    async for user in okta.list_group_members(group.id):
        value = normalize_match(user.profile.get(attribute))
        if value is not None:
            members[value] = _label(user.profile, value)
    return members


def _label(profile: dict[str, Any], value: str) -> str:
    name = " ".join(str(profile[k]) for k in ("firstName", "lastName") if profile.get(k))
    return f"{name} <{value}>" if name else value
