"""The scheduler: DST-correct due times, one acting scheduler, a missed tick run once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import redis

from config.loader import load_config
from producers.scheduler import DailyScheduler, ScheduleLock, due_jobs, latest_due
from shared import constants
from shared.runs import RunStore
from sim.harness import start_simulation

NY = ZoneInfo("America/New_York")


def test_the_daily_time_follows_the_zone_across_a_dst_change() -> None:
    before = latest_due("03:00", "America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC))
    after = latest_due("03:00", "America/New_York", datetime(2026, 3, 9, 12, tzinfo=UTC))
    assert before.astimezone(UTC).hour == 8  # EST: UTC-5
    assert after.astimezone(UTC).hour == 7  # EDT: UTC-4
    assert after.astimezone(NY).hour == before.astimezone(NY).hour == 3


def test_before_the_daily_time_the_latest_due_is_yesterdays() -> None:
    now = datetime(2026, 11, 28, 2, 59, tzinfo=NY)
    assert latest_due("03:00", "America/New_York", now).date() == date(2026, 11, 27)


def test_three_missed_days_run_once_and_a_never_run_job_waits_for_its_time() -> None:
    now = datetime(2026, 11, 28, 9, tzinfo=NY)
    three_days_ago = datetime(2026, 11, 25, 3, tzinfo=NY)
    due = due_jobs(
        ["resync", "hires"],
        {"resync": three_days_ago, "hires": None},
        "03:00",
        "America/New_York",
        now,
    )
    assert due == [("resync", datetime(2026, 11, 28, 3, tzinfo=NY))]


def test_only_one_of_two_schedulers_holds_the_lock_and_the_other_takes_over(
    redis_url: str,
) -> None:
    client = redis.Redis.from_url(redis_url)
    first, second = ScheduleLock(client, ttl_ms=300), ScheduleLock(client, ttl_ms=300)
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True  # renewing
    first.release()
    assert second.hold() is True
    assert first.hold() is False
    client.pexpire(constants.SCHEDULER_LOCK, 1)  # the holder died: its lease runs out
    import time

    time.sleep(0.05)
    assert first.hold() is True


def world(tmp_path: Path, redis_url: str, **settings: Any) -> tuple[Any, DailyScheduler, Any]:
    sim = start_simulation(
        tmp_path,
        redis_url,
        people=60,
        existing=0.0,
        config={"settings": {"timezone": "America/New_York", **settings}},
    )
    with mock.patch.dict("os.environ", sim.env):
        loaded = load_config(str(sim.config_path))
    client = redis.Redis.from_url(redis_url)
    now = [datetime(2026, 11, 28, 2, 0, tzinfo=NY)]
    return sim, DailyScheduler(loaded, client, clock=lambda: now[0]), now


def queued(client: redis.Redis) -> int:
    return int(client.llen(f"{constants.DRAMATIQ_NAMESPACE}:{constants.SYNC_QUEUE}"))


def test_the_daily_resync_fires_at_its_time_once_and_enqueues_everyone(
    tmp_path: Path, redis_url: str
) -> None:
    sim, scheduler, now = world(tmp_path, redis_url)
    try:
        lock = ScheduleLock(scheduler.client)
        scheduler.first_start(now[0])
        assert asyncio.run(scheduler.tick(lock)) == []
        now[0] += timedelta(hours=1, minutes=1)  # 03:01
        assert asyncio.run(scheduler.tick(lock)) == ["resync", "hires"]  # hires: covered
        assert asyncio.run(scheduler.tick(lock)) == []
        [run] = RunStore(scheduler.client).recent(5)
        assert run.kind == "resync" and run.note == "daily 2026-11-28"
        assert queued(scheduler.client) > 50
    finally:
        sim.close()


def test_without_daily_resync_new_hires_starting_today_are_synced(
    tmp_path: Path, redis_url: str
) -> None:
    sim, scheduler, now = world(tmp_path, redis_url, resync_daily=False)
    try:
        starters = sorted(sim.charthop.people)[:3]
        for person_id in starters:
            sim.charthop.update_person(
                person_id, {"startDate": "2026-11-28", "startDateOrg": "2026-11-28"}
            )
        lock = ScheduleLock(scheduler.client)
        scheduler.first_start(now[0])
        now[0] += timedelta(hours=2)
        assert asyncio.run(scheduler.tick(lock)) == ["resync", "hires"]
        [run] = RunStore(scheduler.client).recent(5)
        assert run.kind == "live" and run.note == "new hires starting 2026-11-28"
        assert run.expected == 3 and queued(scheduler.client) == 3
    finally:
        sim.close()


def test_a_tick_missed_while_down_runs_once_at_start_and_not_again(
    tmp_path: Path, redis_url: str
) -> None:
    sim, scheduler, now = world(tmp_path, redis_url)
    try:
        scheduler.mark("resync", datetime(2026, 11, 25, 3, tzinfo=NY))
        scheduler.mark("hires", datetime(2026, 11, 25, 3, tzinfo=NY))
        lock = ScheduleLock(scheduler.client)
        now[0] = datetime(2026, 11, 28, 9, tzinfo=NY)
        scheduler.first_start(now[0])  # a restart does not reset what is stored
        assert asyncio.run(scheduler.tick(lock)) == ["resync", "hires"]
        restarted = DailyScheduler(scheduler.loaded, scheduler.client, clock=lambda: now[0])
        restarted.first_start(now[0])
        assert asyncio.run(restarted.tick(ScheduleLock(scheduler.client))) == []
        assert len(RunStore(scheduler.client).recent(10)) == 1  # hires skipped: resync covers it
    finally:
        sim.close()


def test_a_scheduler_without_the_lock_does_nothing(tmp_path: Path, redis_url: str) -> None:
    sim, scheduler, now = world(tmp_path, redis_url)
    try:
        holder = ScheduleLock(scheduler.client)
        assert holder.hold()
        scheduler.mark("resync", datetime(2026, 11, 20, 3, tzinfo=NY))
        now[0] = datetime(2026, 11, 28, 9, tzinfo=NY)
        assert asyncio.run(scheduler.tick(ScheduleLock(scheduler.client))) == []
        assert queued(scheduler.client) == 0
    finally:
        sim.close()
