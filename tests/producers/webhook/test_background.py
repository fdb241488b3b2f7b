"""The receiver with the live flusher in the background, as `hopsync webhook` runs them."""

from __future__ import annotations

import time

import redis

from producers.live import LiveOptions
from producers.webhook import flusher_context
from shared.models import SyncMessage
from sim.charthop import FakeChartHop, create_app
from sim.server import BackgroundServer
from tests.producers.live_support import CHARTHOP_TOKEN, loaded_config, pending, sync_bodies
from tests.producers.webhook.conftest import Serve, person_event


def wait_for_messages(client: redis.Redis, count: int, timeout_s: float = 5) -> list[SyncMessage]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        bodies = sync_bodies(client)
        if len(bodies) >= count:
            return bodies
        time.sleep(0.05)
    return sync_bodies(client)


def test_events_become_sync_messages_through_the_background_flusher(
    serve: Serve, client: redis.Redis, redis_url: str
) -> None:
    fake = FakeChartHop.generated(6, seed=1, token=CHARTHOP_TOKEN)
    holder = list(fake.people.values())[2]
    with BackgroundServer(create_app(fake)) as charthop:
        loaded = loaded_config(redis_url, charthop_url=charthop.url)
        options = LiveOptions(period_s=60, grace_s=1, interval_s=0.05)
        webhook = serve(
            clock=time.time,
            charthop_url=charthop.url,
            background=[flusher_context(loaded, options)],
            live_coalesce_seconds=0.3,
        )
        for _ in range(5):
            assert webhook.send(person_event("p1")).status == 202
        job_event = {"code": "job.update", "entityType": "JOB", "entityId": holder["jobId"]}
        assert webhook.send(job_event).status == 202
        bodies = wait_for_messages(client, 2)
    assert sorted(body.item.person_id or "" for body in bodies) == sorted(["p1", holder["id"]])
    assert len({body.run_id for body in bodies}) == 1
    assert pending(client) == {}
