"""A live run pins the configuration version active when its period starts: every message of
the period carries it, whatever is saved during the period; the next period takes the new one."""

from __future__ import annotations

import asyncio

import redis

from shared.config_store import ConfigStore
from shared.runs import RunStore
from tests.producers.live_support import FakeClock, loaded_config, sync_bodies
from tests.producers.test_live_runs import event_for, make_flusher


def test_a_save_during_a_period_waits_for_the_next_period(
    client: redis.Redis, redis_url: str
) -> None:
    store = ConfigStore(client)
    config = loaded_config(redis_url).config
    store.save(config, author="test", source="file")
    clock = FakeClock(now=1_800_000_000.1)
    flusher = make_flusher(client, clock)
    event_for(client, "p1", clock)
    first = asyncio.run(flusher.tick())
    store.save(config.model_copy(update={"runs_ttl_days": 7}), author="ana", source="cli")
    clock.advance(0.5)
    event_for(client, "p2", clock)
    second = asyncio.run(flusher.tick())
    clock.advance(0.5)  # the next period
    event_for(client, "p3", clock)
    third = asyncio.run(flusher.tick())
    assert first.run_id == second.run_id != third.run_id
    assert first.run_id is not None and third.run_id is not None
    runs = RunStore(client)
    assert runs.meta(first.run_id).config_version == 1
    assert runs.meta(third.run_id).config_version == 2
    assert [body.config_version for body in sync_bodies(client)] == [1, 1, 2]
