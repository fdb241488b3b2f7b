"""Applying a plan: exactly its writes, in order, and only the first one may park."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from shared.core.models import FieldChange
from shared.core.plan import PersonPlan
from shared.errors import BudgetDeferredError
from shared.okta import OktaClient
from shared.okta.ratelimit import parking_allowed
from workers.apply import apply_plan

GROUP_IDS = {"Engineering": "g1", "London": "g2", "Managers": "g3"}


class RecordingOkta:
    """Records each write and whether it could park; parks the first write when told to."""

    def __init__(self, *, spent: bool = False) -> None:
        self.spent = spent
        self.writes: list[tuple[str, bool]] = []

    async def _write(self, name: str) -> None:
        if self.spent and parking_allowed():
            raise BudgetDeferredError("user-update", 1.5)
        self.writes.append((name, parking_allowed()))

    async def update_profile(self, user_id: str, profile: dict[str, Any]) -> None:
        await self._write(f"profile {user_id} {sorted(profile)}")

    async def add_member(self, group_id: str, user_id: str) -> None:
        await self._write(f"add {group_id}")

    async def remove_member(self, group_id: str, user_id: str) -> None:
        await self._write(f"remove {group_id}")

    async def activate_user(self, user_id: str) -> None:
        await self._write("activate")


def updated_plan() -> PersonPlan:
    return PersonPlan(
        key="p1",
        status="updated",
        okta_user_id="u1",
        changes=[FieldChange(attribute="title", old="Engineer", new="Staff Engineer")],
        groups_added=["Engineering", "London"],
        groups_removed=["Managers"],
        activate=True,
    )


def apply(okta: RecordingOkta, *, park: bool) -> None:
    asyncio.run(apply_plan(updated_plan(), cast(OktaClient, okta), GROUP_IDS, park=park))


def test_only_the_first_write_may_park_and_the_rest_follow_in_order() -> None:
    okta = RecordingOkta()
    apply(okta, park=True)
    assert okta.writes[0] == ("profile u1 ['title']", True)
    assert sorted(okta.writes[1:4]) == [("add g1", False), ("add g2", False), ("remove g3", False)]
    assert okta.writes[4] == ("activate", False)


def test_a_parked_first_write_leaves_everything_unwritten() -> None:
    okta = RecordingOkta(spent=True)
    with pytest.raises(BudgetDeferredError):
        apply(okta, park=True)
    assert okta.writes == []


def test_without_parking_no_write_can_park() -> None:
    okta = RecordingOkta(spent=True)
    apply(okta, park=False)
    assert len(okta.writes) == 5
    assert not any(could_park for _, could_park in okta.writes)
