"""The scheduler lock: one holder, renewed while it lives, taken over when released or expired."""

from __future__ import annotations

import asyncio
import os
import time

import redis
from structlog.testing import capture_logs

from producers.schedule.lock import SchedulerLock
from shared import constants


def test_of_two_schedulers_only_one_holds_the_lock_and_renewing_keeps_it(
    client: redis.Redis,
) -> None:
    first, second = SchedulerLock(client), SchedulerLock(client)
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True
    assert second.hold() is False
    assert client.get(constants.SCHEDULER_LOCK) == first.owner.encode()
    assert 0 < client.pttl(constants.SCHEDULER_LOCK) <= first.ttl_ms


def test_a_standby_takes_over_as_soon_as_the_holder_releases(client: redis.Redis) -> None:
    first, second = SchedulerLock(client), SchedulerLock(client)
    assert first.hold() and not second.hold()
    first.release()
    assert second.hold() is True
    assert first.hold() is False


def test_a_standby_takes_over_when_the_holder_dies_and_its_lease_runs_out(
    client: redis.Redis,
) -> None:
    first, second = SchedulerLock(client, ttl_ms=200), SchedulerLock(client, ttl_ms=200)
    assert first.hold() and not second.hold()
    time.sleep(0.3)  # the holder is gone: nobody renews
    assert second.hold() is True
    assert first.hold() is False


def test_a_former_holder_cannot_release_the_lock_another_has_taken_since(
    client: redis.Redis,
) -> None:
    first, second = SchedulerLock(client, ttl_ms=200), SchedulerLock(client, ttl_ms=200)
    assert first.hold()
    time.sleep(0.3)
    assert second.hold()
    first.release()
    assert client.get(constants.SCHEDULER_LOCK) == second.owner.encode()


def test_renewing_in_the_background_keeps_the_lock_through_a_job_longer_than_its_lease(
    client: redis.Redis,
) -> None:
    holder, standby = SchedulerLock(client, ttl_ms=300), SchedulerLock(client, ttl_ms=300)

    async def long_job() -> bool:
        async with holder.renewing(every_s=0.05):
            await asyncio.sleep(0.7)
            return standby.hold()

    assert holder.hold()
    assert asyncio.run(long_job()) is False
    assert holder.hold() is True


def test_the_lock_names_its_holders_process(client: redis.Redis) -> None:
    lock = SchedulerLock(client)
    lock.hold()
    assert lock.holder() == lock.owner
    assert f":{os.getpid()}:" in lock.owner


def test_every_change_of_role_is_logged_once(client: redis.Redis) -> None:
    first, second = SchedulerLock(client, ttl_ms=200), SchedulerLock(client, ttl_ms=200)
    with capture_logs() as logs:
        first.hold()
        first.hold()
        second.hold()
        second.hold()
        time.sleep(0.3)
        first.hold()  # expired and nobody took it: lost, then taken again
        first.release()
    events = [(entry["event"], entry["owner"]) for entry in logs]
    assert events == [
        ("scheduler lock acquired: this scheduler acts", first.owner),
        ("scheduler lock held by another scheduler: standing by", second.owner),
        ("scheduler lock lost: it expired before it was renewed", first.owner),
        ("scheduler lock acquired: this scheduler acts", first.owner),
        ("scheduler lock released", first.owner),
    ]
    assert logs[1]["holder"] == first.owner
