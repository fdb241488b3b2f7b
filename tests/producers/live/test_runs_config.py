"""A live run pins the configuration version active when its period starts: every message of
the period carries it, whatever is saved during the period; the next period takes the new one,
and a new summary period length applies to the runs opened after it."""

from __future__ import annotations

import asyncio

import redis

from config.settings import SettingsConfig
from producers.live.flusher import LiveFlusher, LiveOptions
from shared import constants
from shared.infra.broker import build_broker
from shared.infra.config_store import ConfigStore
from shared.infra.runs import RunStore
from tests.producers.live.support import FakeClock, loaded_config, sync_bodies
from tests.producers.live.test_runs import event_for, make_flusher


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


def test_a_new_summary_period_length_applies_to_the_runs_opened_after_it(
    client: redis.Redis,
) -> None:
    active = [SettingsConfig(live_summary_minutes=1)]
    clock = FakeClock(now=1_800_000_000.1)
    options = LiveOptions(period_s=60.0, grace_s=0.2, lease_s=5.0, interval_s=0.05)
    flusher = LiveFlusher(
        client,
        build_broker(client=client),
        RunStore(client),
        options,
        clock=clock,
        settings=lambda: active[0],
    )
    event_for(client, "p1", clock)
    first = asyncio.run(flusher.tick())
    active[0] = SettingsConfig(live_summary_minutes=2)  # a new version is saved
    clock.advance(61)
    event_for(client, "p2", clock)
    second = asyncio.run(flusher.tick())
    assert flusher.options.period_s == 120.0
    assert first.run_id in second.sealed  # the old period ended by its own length
    assert second.run_id is not None
    assert client.zscore(constants.LIVE_OPEN_RUNS, second.run_id) == 1_800_000_120.0
