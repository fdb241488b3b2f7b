"""The receiver with the live flusher in the background: a task, or the child process that
`hopsync webhook` runs."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import time

import redis

from producers.live.flusher import LiveOptions
from producers.live.runner import FlusherProcess, flusher_process_running, run_flusher
from producers.webhook import flusher_context, flusher_process_context
from shared.core.models import SyncMessage
from sim.charthop import FakeChartHop, create_app
from sim.server import BackgroundServer
from tests.producers.live.support import CHARTHOP_TOKEN, loaded_config, pending, sync_bodies
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


def test_hopsync_webhook_runs_the_flusher_in_a_process_of_its_own(
    serve: Serve, client: redis.Redis, redis_url: str
) -> None:
    fake = FakeChartHop.generated(3, seed=1, token=CHARTHOP_TOKEN)
    with BackgroundServer(create_app(fake)) as charthop:  # the flusher checks the fields read
        loaded = loaded_config(redis_url, charthop_url=charthop.url)
        options = LiveOptions(period_s=60, grace_s=1, interval_s=0.05)
        webhook = serve(
            clock=time.time,
            charthop_url=charthop.url,
            background=[flusher_process_context(loaded, options)],
            live_coalesce_seconds=0.2,
        )
        assert webhook.send(person_event("p1")).status == 202
        bodies = wait_for_messages(client, 1, timeout_s=30)  # the child imports hopsync first
    assert [body.item.person_id for body in bodies] == ["p1"]
    flushers = [child for child in multiprocessing.active_children() if "flusher" in child.name]
    assert len(flushers) == 1 and flushers[0].pid != os.getpid()


def test_a_flusher_process_that_dies_is_started_again(redis_url: str) -> None:
    async def kill_and_wait() -> FlusherProcess:
        async with flusher_process_running(loaded_config(redis_url)) as flusher:
            first = flusher.process
            assert first is not None and first.pid is not None
            os.kill(first.pid, signal.SIGKILL)
            for _ in range(150):  # the receiver looks every second
                if flusher.process is not first:
                    break
                await asyncio.sleep(0.1)
            assert flusher.process is not first and flusher.process is not None
            assert flusher.process.is_alive()
            return flusher

    flusher = asyncio.run(kill_and_wait())
    assert flusher.restarts == 1
    assert flusher.process is not None and not flusher.process.is_alive()


def test_a_flusher_stops_once_its_receiver_is_gone(redis_url: str) -> None:
    started = time.monotonic()
    run_flusher(loaded_config(redis_url), parent_pid=-1)  # never this process's parent
    assert time.monotonic() - started < 10
