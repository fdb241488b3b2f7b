"""The scheduler follows the active configuration: a new daily_at or time zone applies at the
next wake-up, without a restart, and each run it starts pins the version it used."""

from __future__ import annotations

from collections.abc import Callable

from config.loader import Secrets
from shared.infra.active_config import ConfigFollower, loaded_version
from shared.infra.config_store import ConfigStore
from tests.producers.schedule.test_ticks import World, at, make_world, outcome, tick

__all__ = ["make_world"]  # the fixture, shared with the scheduler's own tests


def following(world: World) -> World:
    """The world's configuration saved as version 1, and a scheduler that follows the store."""
    store = ConfigStore(world.client)
    first = store.save(world.sim.config, author="test", source="file")
    world.loaded = loaded_version(first, Secrets.from_env(world.sim.env))
    return world


def test_a_new_daily_at_takes_effect_at_the_next_wake_up(
    make_world: Callable[..., World],
) -> None:
    world = following(make_world())  # daily at 03:00 New York
    store = ConfigStore(world.client)
    scheduler = world.scheduler(follower=ConfigFollower(store, world.loaded, poll_s=0))
    assert tick(scheduler, at(1, 0)) == []  # first start: the first run is today at 03:00
    changed = {
        **world.sim.config,
        "settings": {**world.sim.config["settings"], "daily_at": "01:30"},
    }
    store.save(changed, author="ana", source="cli")
    reports = tick(scheduler, at(1, 31))
    assert [job for job, _ in outcome(reports)] == ["resync", "hires"]
    [run] = world.runs()
    assert (run.note, run.config_version) == ("daily", 2)
    assert tick(scheduler, at(3, 0)) == []  # today is done: the old time no longer runs


def test_a_new_time_zone_moves_the_daily_resync(make_world: Callable[..., World]) -> None:
    world = following(make_world())  # 03:00 New York is 08:00 London in June
    store = ConfigStore(world.client)
    scheduler = world.scheduler(follower=ConfigFollower(store, world.loaded, poll_s=0))
    assert tick(scheduler, at(1, 0)) == []
    settings = {**world.sim.config["settings"], "timezone": "Asia/Tokyo"}
    store.save({**world.sim.config, "settings": settings}, author="ana", source="cli")
    # 02:00 New York is 15:00 in Tokyo: Tokyo's 03:00 has passed today, so the resync is due.
    reports = tick(scheduler, at(2, 0))
    assert outcome(reports)[0] == ("resync", "resync")
    assert world.runs()[0].config_version == 2
