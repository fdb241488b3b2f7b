"""Live safety: writes are counted over a rolling hour and past a limit people are held."""

from __future__ import annotations

import itertools

import pytest
import redis

from config.settings import SafetyConfig
from shared import constants
from shared.core.models import FieldChange, PersonOutcome, SyncItem
from shared.core.safety import ceiling, deactivations_allowed
from shared.infra.live_safety import LiveSafety, save_base
from shared.infra.runs import RunStore

UPDATE = PersonOutcome(
    key="p",
    status="updated",
    changes=[FieldChange(attribute="title", old="Engineer", new="Senior Engineer")],
    groups_removed=["Sales"],
)


def test_updates_past_the_limit_in_the_hour_are_refused_and_old_ones_expire(
    client: redis.Redis,
) -> None:
    limits = LiveSafety(client, SafetyConfig(max_updates="2", max_group_removals="10"))
    assert limits.admit(UPDATE, now=1000) is None
    assert limits.admit(UPDATE, now=1001) is None
    reason = limits.admit(UPDATE, now=1002)
    assert reason is not None and "2 profile updates in the last hour, limit allows 2" in reason
    assert "settings.safety.max_updates" in reason
    assert limits.admit(UPDATE, now=1000 + 3601) is None  # the first has left the window


def test_shares_are_of_the_org_the_last_resync_saw(client: redis.Redis) -> None:
    limits = LiveSafety(
        client, SafetyConfig(max_updates="10%", max_group_removals="100%", min_people=0)
    )
    assert limits.admit(UPDATE, now=0) is None  # before any resync a share limits nothing
    save_base(client, people=10, memberships=10)
    assert limits.admit(UPDATE, now=1) is not None  # 10% of 10 is 1, already used


def test_a_refused_write_is_not_counted(client: redis.Redis) -> None:
    limits = LiveSafety(client, SafetyConfig(max_updates="1", max_group_removals="0"))
    assert limits.admit(UPDATE.model_copy(update={"groups_removed": []}), now=5) is None
    assert limits.admit(UPDATE, now=6) is not None  # a removal past 0
    assert limits.admit(PersonOutcome(key="b", status="created"), now=7) is None


def test_held_items_are_kept_per_run_and_released(client: redis.Redis) -> None:
    limits = LiveSafety(client, SafetyConfig())
    limits.hold("live-1", SyncItem(key="p@1", person_id="p", snapshot=False), "over")
    limits.hold("live-2", SyncItem(key="q@1", person_id="q", snapshot=False), "over")
    held = limits.held("live-1")
    assert [entry.item.key for entry in held] == ["p@1"]
    limits.release(held)
    assert limits.held("live-1") == [] and len(limits.held("live-2")) == 1


def test_live_deactivations_count_against_max_deactivations_even_without_other_limits(
    client: redis.Redis,
) -> None:
    leaver = PersonOutcome(key="p", status="deactivated")
    limits = LiveSafety(client, None)  # leavers on, no safety section: the default 5 or 2%
    save_base(client, people=100, memberships=100, managed=100)
    assert all(limits.admit(leaver, now=10 + i) is None for i in range(5))
    reason = limits.admit(leaver, now=20)
    assert reason is not None and "5 suspensions/deactivations in the last hour" in reason
    assert limits.admit(PersonOutcome(key="q", status="updated"), now=21) is None
    strict = LiveSafety(client, SafetyConfig(max_deactivations="0"))
    assert strict.admit(PersonOutcome(key="r", status="suspended"), now=4000) is not None


def test_a_share_never_holds_fewer_than_min_people(client: redis.Redis) -> None:
    limits = LiveSafety(client, SafetyConfig(max_updates="10%", min_people=3))
    save_base(client, people=10, memberships=100)
    for second in range(3):  # 10% of 10 is 1, but up to 3 people always pass
        assert limits.admit(UPDATE, now=second) is None
    assert limits.admit(UPDATE, now=4) is not None


def _fill_the_hour(client: redis.Redis, kind: str) -> None:
    """Past writes of one kind, more than any limit below allows (none of other kinds)."""
    client.delete(constants.SAFETY_WINDOW)
    client.zadd(constants.SAFETY_WINDOW, {f"{kind}:past:{i}": 100 for i in range(1_500)})


def _allowed_by_script(
    client: redis.Redis, safety: SafetyConfig | None, outcome: PersonOutcome
) -> int | None:
    """The limit the admit script applies (None: no limit), read from its refusal."""
    reason = LiveSafety(client, safety).admit(outcome, now=101)  # a refusal adds nothing
    if reason is None:
        return None
    return int(reason.split("limit allows ")[1].split(";")[0])


LIMITS = ["0", "3", "1%", "10%", "12.5%", "33%", "100%"]


@pytest.mark.parametrize("base", [None, 0, 1, 3, 7, 10, 49, 99, 150, 333, 1000])
def test_the_script_allows_what_the_resync_limits_allow_for_every_base(
    client: redis.Redis, base: int | None
) -> None:
    client.delete(constants.SAFETY_BASE)
    if base is not None:
        save_base(client, people=base, memberships=base, managed=base)

    def expected(limit: str, min_people: int) -> int | None:
        share = limit.endswith("%")
        return None if share and base is None else ceiling(limit, base or 0, min_people)

    removal = PersonOutcome(key="p", status="unchanged", groups_removed=["Sales"])
    _fill_the_hour(client, "r")
    for limit, min_people in itertools.product(LIMITS, (0, 5)):
        safety = SafetyConfig(max_group_removals=limit, min_people=min_people)
        found = _allowed_by_script(client, safety, removal)
        assert found == expected(limit, min_people), (limit, min_people)
    leaver = PersonOutcome(key="p", status="deactivated")
    _fill_the_hour(client, "d")
    for limit, min_people in itertools.product(LIMITS, (0, 5)):
        safety = SafetyConfig(max_deactivations=limit, min_people=min_people)
        found = _allowed_by_script(client, safety, leaver)
        assert found == expected(limit, min_people), (limit, min_people)
    # No max_deactivations set: 5 people or 2% of the managed users, 5 before any resync.
    default = deactivations_allowed(None, base or 0)[1]
    assert _allowed_by_script(client, None, leaver) == default
    assert _allowed_by_script(client, SafetyConfig(), leaver) == default


def test_an_admitted_write_notes_its_plan_in_the_same_call_and_a_refused_one_does_not(
    client: redis.Redis,
) -> None:
    runs = RunStore(client)
    limits = LiveSafety(client, SafetyConfig(max_updates="1", max_group_removals="10"))
    first = UPDATE.model_copy(update={"key": "p@1"})
    assert limits.admit(first, now=1, note=runs.planned_note("live-1", first)) is None
    assert runs.planned("live-1", "p@1") == first
    assert client.ttl(constants.run_planned_key("live-1")) > 0
    second = UPDATE.model_copy(update={"key": "q@1"})
    assert limits.admit(second, now=2, note=runs.planned_note("live-1", second)) is not None
    assert runs.planned("live-1", "q@1") is None
