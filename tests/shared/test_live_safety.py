"""Live safety: writes are counted over a rolling hour and past a limit people are held."""

from __future__ import annotations

import redis

from config.settings import SafetyConfig
from shared.live_safety import LiveSafety, save_base
from shared.models import FieldChange, PersonOutcome, SyncItem

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
