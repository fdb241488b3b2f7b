"""A live sync that makes one Okta write costs at most 6 Redis round trips, counted on the wire.

The worker's Redis connections (the stores' and the rate limiter's) count every packet they send:
one command, one pipeline or one script is one round trip. The sync runs as the actor runs it
(start the message, sync the person, record the outcome) against the fake ChartHop and the fake
Okta at their default limits, with hopsync's default settings (the live safety check admits
every write) and with the safety limits off; the count is taken in steady state, after the
first syncs of the process have loaded the scripts and looked up the run's groups.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from config.loader import load_config
from harness.world import Simulation, start_simulation
from shared.core.models import PersonOutcome, SyncItem, SyncMessage
from shared.infra.live_safety import save_base
from shared.infra.runs import RunStore
from tests.redis_counting import Count, CountingAsyncConnection, CountingConnection
from workers.runtime import Runtime
from workers.sync import begin, sync_item

DRAMATIQ_ROUND_TRIPS = 2  # Dramatiq's own fetch and ack of the message, on the broker's client
MAX_ROUND_TRIPS = 6  # issue 20's bound for a live sync with one write, Dramatiq's included
WARM_UP = 4  # syncs that load the scripts, the run's groups and the limiter's first window
COUNTED = 12


@pytest.fixture(params=["default settings", "safety limits off"])
def sim(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    # The default settings judge every live write against the safety limits (on by default
    # since issue 14): the admitting script reads the limits' base and notes the plan itself.
    config = {"settings": {"safety": None}} if request.param == "safety limits off" else {}
    simulation = start_simulation(
        tmp_path,
        redis_url,
        people=40,
        existing=1.0,
        drifted=0.0,
        missing_groups=0,
        config=config,
    )
    loaded = load_config(str(simulation.config_path), environ=simulation.env)
    judged = loaded.config.settings.safety is not None
    assert judged == (request.param == "default settings")
    if judged:  # a resync has seen the org, so the limits given as shares apply
        with redis.Redis.from_url(redis_url) as client:
            save_base(client, people=40, memberships=40, managed=40)
    yield simulation
    simulation.close()


def counting_runtime(sim: Simulation, async_pool: aioredis.ConnectionPool) -> Runtime:
    loaded = load_config(str(sim.config_path), environ=sim.env)
    pool = redis.ConnectionPool.from_url(sim.redis_url, connection_class=CountingConnection)
    return Runtime.create(
        loaded,
        client=redis.Redis(connection_pool=pool),
        async_redis=lambda: aioredis.Redis(connection_pool=async_pool),
    )


def people_in_okta(sim: Simulation) -> list[str]:
    logins = set(sim.okta.users_by_login())
    rules = sim.rules()
    return sorted(
        person["id"]
        for person in sim.charthop.people.values()
        if rules.match_value(person) in logins
    )


async def live_sync(runtime: Runtime, run_id: str, person_id: str) -> PersonOutcome:
    """What the sync actor does for one live message (Dramatiq's fetch and ack aside)."""
    item = SyncItem(key=f"{person_id}@live", person_id=person_id, snapshot=False)
    message = SyncMessage(run_id=run_id, dry_run=False, kind="live", item=item)
    begun = begin(runtime.runs, message)
    assert not begun.recorded
    outcome = await sync_item(runtime, message, retries=0, begun=begun)
    runtime.runs.record(run_id, [outcome])
    return outcome


def test_a_live_sync_with_one_okta_write_costs_at_most_6_round_trips(
    sim: Simulation,
) -> None:
    async_pool = aioredis.ConnectionPool.from_url(
        sim.redis_url, connection_class=CountingAsyncConnection
    )
    runtime = counting_runtime(sim, async_pool)
    run_id = runtime.runs.create("live").run_id
    people = people_in_okta(sim)[: WARM_UP + COUNTED]
    assert len(people) == WARM_UP + COUNTED

    async def main() -> list[PersonOutcome]:
        outcomes = []
        for index, person_id in enumerate(people):
            sim.charthop.update_person(person_id, {"title": f"Title {index}"})
            if index == WARM_UP:
                Count.sent = 0
            outcomes.append(await live_sync(runtime, run_id, person_id))
        counted = Count.sent
        await runtime.close_clients()
        await async_pool.disconnect()
        runtime.client.close()
        runtime.client.connection_pool.disconnect()
        Count.sent = counted
        return outcomes[WARM_UP:]

    outcomes = asyncio.run(main())
    with redis.Redis.from_url(sim.redis_url) as client:  # noted before the writes, as ever
        noted = [RunStore(client).planned(run_id, o.key) for o in outcomes]
    assert noted == outcomes
    assert [o.okta_writes for o in outcomes] == [1] * COUNTED
    assert [o.status for o in outcomes] == ["updated"] * COUNTED  # admitted, none held
    per_sync = Count.sent / COUNTED + DRAMATIQ_ROUND_TRIPS
    print(f"\nRedis round trips per live sync with one write: {per_sync:.2f}")
    assert per_sync <= MAX_ROUND_TRIPS
