"""The scheduler's wake-ups against a simulated ChartHop and Okta: what runs, once, and by whom."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis

from config.loader import LoadedConfig, load_config
from harness.world import Simulation, start_simulation
from producers.schedule.scheduler import JobReport, Scheduler, SchedulerLock
from shared import constants
from shared.core.models import RunMeta
from shared.infra.runs import RunStore

NY = ZoneInfo("America/New_York")
TODAY = date(2035, 6, 14)  # far from the generated start dates, which are near the real today
SYNC_QUEUE = f"{constants.DRAMATIQ_NAMESPACE}:{constants.SYNC_QUEUE}"


@dataclass
class World:
    """A simulation, its loaded configuration and a Redis client."""

    sim: Simulation
    loaded: LoadedConfig
    client: redis.Redis

    def scheduler(self, **options: Any) -> Scheduler:
        return Scheduler(self.loaded, self.client, **options)

    def runs(self) -> list[RunMeta]:
        return RunStore(self.client).recent(50)

    def queued(self) -> list[dict[str, Any]]:
        """The sync items on the queue, as the workers would receive them."""
        ids = self.client.lrange(SYNC_QUEUE, 0, -1)
        stored = self.client.hmget(f"{SYNC_QUEUE}.msgs", ids) if ids else []
        bodies = [body for body in stored if body is not None]
        assert len(bodies) == len(ids), "a queued message id has no message"
        return [json.loads(body)["args"][0]["item"] for body in bodies]

    def start_on(self, day: date, person_ids: list[str], field: str | None = None) -> None:
        fields = [field] if field else ["startDate", "startDateOrg"]
        for person_id in person_ids:
            self.sim.charthop.update_person(person_id, dict.fromkeys(fields, day.isoformat()))


@pytest.fixture
def make_world(tmp_path: Path, redis_url: str) -> Iterator[Callable[..., World]]:
    worlds: list[World] = []

    def make(*, environ: dict[str, str] | None = None, **settings: Any) -> World:
        sim = start_simulation(
            tmp_path,
            redis_url,
            people=60,
            existing=0.0,
            config={"settings": {"timezone": "America/New_York", "daily_at": "03:00", **settings}},
        )
        loaded = load_config(str(sim.config_path), environ={**sim.env, **(environ or {})})
        world = World(sim, loaded, redis.Redis.from_url(redis_url))
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        world.sim.close()
        world.client.close()


def at(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def tick(scheduler: Scheduler, now: datetime) -> list[JobReport]:
    return asyncio.run(scheduler.tick(now))


def outcome(reports: list[JobReport]) -> list[tuple[str, str]]:
    """Each job with its run's kind, or why it was skipped, or its error."""
    return [
        (report.job, report.run.kind if report.run else report.skipped or report.error)
        for report in reports
    ]


def test_the_daily_resync_starts_at_daily_at_and_enqueues_everyone(
    make_world: Callable[..., World],
) -> None:
    world = make_world()
    scheduler = world.scheduler()
    assert tick(scheduler, at(2, 30)) == []  # first start: the first run is today at 03:00
    assert tick(scheduler, at(2, 59)) == []
    reports = tick(scheduler, at(3, 0))
    assert outcome(reports) == [
        ("resync", "resync"),
        ("hires", "the daily resync covers the people starting today"),
    ]
    [run] = world.runs()
    assert (run.kind, run.note, run.status) == ("resync", "daily", "running")
    assert run.started_by == "schedule"
    enqueued = {item["person"]["id"] for item in world.queued()}
    decided = {outcome.person_id for outcome in RunStore(world.client).outcomes(run.run_id)}
    assert enqueued | decided == set(world.sim.charthop.people)  # decided: by the producer
    assert not enqueued & decided and run.expected == 60
    assert tick(scheduler, at(3, 0) + timedelta(seconds=10)) == []
    assert scheduler.last_done("resync") == scheduler.last_done("hires") == TODAY


def test_without_the_daily_resync_exactly_the_people_starting_today_are_synced(
    make_world: Callable[..., World],
) -> None:
    world = make_world(resync_daily=False, daily_at="23:30")
    ids = sorted(world.sim.charthop.people)
    world.start_on(TODAY, ids[:3])
    world.start_on(TODAY, ids[3:4], field="startDateOrg")  # startDateOrg decides
    world.start_on(TODAY, ids[4:5], field="startDate")
    world.start_on(TODAY - timedelta(days=30), ids[4:5], field="startDateOrg")
    world.start_on(TODAY + timedelta(days=1), ids[5:6])
    scheduler = world.scheduler()
    tick(scheduler, at(23, 0))
    reports = tick(scheduler, at(23, 45))  # 03:45 UTC on the 15th: the 14th in New York
    assert outcome(reports) == [("resync", "settings.resync_daily is off"), ("hires", "live")]
    [run] = world.runs()
    assert (run.kind, run.note, run.expected) == ("live", "new hires starting 2035-06-14", 4)
    assert run.started_by == "schedule"
    queued = world.queued()
    assert sorted(item["person_id"] for item in queued) == ids[:4]
    assert {item["key"] for item in queued} == {f"{pid}@hires-2035-06-14" for pid in ids[:4]}
    assert all(item["snapshot"] is False for item in queued)


def test_a_day_nobody_starts_starts_no_run(make_world: Callable[..., World]) -> None:
    world = make_world(resync_daily=False)
    scheduler = world.scheduler()
    tick(scheduler, at(2))
    assert outcome(tick(scheduler, at(3))) == [
        ("resync", "settings.resync_daily is off"),
        ("hires", "nobody starts on 2035-06-14"),
    ]
    assert world.runs() == [] and world.queued() == []
    assert scheduler.last_done("hires") == TODAY


def test_a_daily_resync_held_by_safety_limits_does_not_hold_back_new_hires(
    make_world: Callable[..., World],
) -> None:
    world = make_world(safety={"max_creates": "5"})
    starters = sorted(world.sim.charthop.people)[:2]
    world.start_on(TODAY, starters)
    scheduler = world.scheduler()
    tick(scheduler, at(2))
    assert outcome(tick(scheduler, at(3, 1))) == [("resync", "resync"), ("hires", "live")]
    statuses = {run.kind: run.status for run in world.runs()}
    assert statuses == {"resync": "held", "live": "running"}
    assert sorted(item["person_id"] for item in world.queued()) == starters


def test_of_two_schedulers_on_one_redis_only_the_lock_holder_acts(
    make_world: Callable[..., World],
) -> None:
    world = make_world()
    first = world.scheduler(lock=SchedulerLock(world.client, ttl_ms=300))
    second = world.scheduler(lock=SchedulerLock(world.client, ttl_ms=300))
    tick(first, at(2))
    assert tick(second, at(2)) == []
    assert [report.job for report in tick(first, at(3))] == ["resync", "hires"]
    assert tick(second, at(3)) == []
    assert second.lock.role == "standby"
    time.sleep(0.4)  # the first scheduler died: its lease runs out
    tomorrow = TODAY + timedelta(days=1)
    assert outcome(tick(second, at(3, day=tomorrow))) == [
        ("resync", "resync"),
        ("hires", "the daily resync covers the people starting today"),
    ]
    assert tick(first, at(3, 1, day=tomorrow)) == []
    assert len(world.runs()) == 2  # one resync per day, whoever ran it


def test_a_standby_acts_at_once_when_the_holder_stops_and_releases_the_lock(
    make_world: Callable[..., World],
) -> None:
    world = make_world(resync_daily=False)
    first, second = world.scheduler(), world.scheduler()
    tick(first, at(2))
    assert tick(second, at(3)) == []
    first.close()
    assert [report.job for report in tick(second, at(3))] == ["resync", "hires"]
    assert world.client.get(constants.SCHEDULER_LOCK) == second.lock.owner.encode()


def test_days_missed_while_down_run_once_at_start_and_a_restart_does_not_repeat_them(
    make_world: Callable[..., World],
) -> None:
    world = make_world()
    three_days_ago = TODAY - timedelta(days=3)
    scheduler = world.scheduler()
    scheduler.mark_done("resync", three_days_ago)
    scheduler.mark_done("hires", three_days_ago)
    reports = tick(scheduler, at(9))
    assert [(report.job, report.day) for report in reports] == [
        ("resync", TODAY),
        ("hires", TODAY),
    ]
    scheduler.close()
    restarted = world.scheduler()
    assert tick(restarted, at(9, 5)) == []
    [run] = world.runs()
    assert (run.kind, run.expected) == ("resync", 60)


def test_a_first_start_after_the_daily_time_waits_for_the_next_day(
    make_world: Callable[..., World],
) -> None:
    world = make_world()
    scheduler = world.scheduler()
    assert tick(scheduler, at(9)) == []
    assert tick(scheduler, at(2, 59, day=TODAY + timedelta(days=1))) == []
    assert world.runs() == []
    assert scheduler.last_done("resync") == TODAY
    reports = tick(scheduler, at(3, day=TODAY + timedelta(days=1)))
    assert [report.run.kind for report in reports if report.run] == ["resync"]


def test_a_failed_job_stays_undone_and_is_retried_after_a_wait_not_at_every_wake_up(
    make_world: Callable[..., World],
) -> None:
    world = make_world(resync_daily=False, environ={"CHARTHOP_API_TOKEN": "wrong-token"})
    world.start_on(TODAY, sorted(world.sim.charthop.people)[:1])
    scheduler = world.scheduler(retry_after=timedelta(minutes=5))
    tick(scheduler, at(2))
    [skipped, failed] = tick(scheduler, at(3))
    assert skipped.skipped and failed.job == "hires"
    assert "ChartHop" in failed.error and "wrong-token" not in failed.error
    assert scheduler.last_done("hires") == TODAY - timedelta(days=1)
    assert tick(scheduler, at(3, 1)) == []
    assert tick(scheduler, at(3, 4)) == []
    [retried] = tick(scheduler, at(3, 5))
    assert retried.job == "hires" and retried.error
    assert world.runs() == []


def test_the_holder_repairs_stranded_runs_once_a_minute(make_world: Callable[..., World]) -> None:
    world = make_world()
    runs = RunStore(world.client)

    def strand() -> str:
        run = runs.create("live")
        runs.seal(run.run_id, 0)  # complete at once: its aggregator is due...
        stale = int(datetime.now(UTC).timestamp()) - 120  # ...and was never enqueued
        world.client.hset(constants.run_key(run.run_id), "aggregate", f"due:{stale}")
        return run.run_id

    stranded = strand()
    scheduler = world.scheduler()
    tick(scheduler, at(2))
    assert runs.aggregate_state(stranded) == "enqueued"
    later = strand()
    tick(scheduler, at(2, 0) + timedelta(seconds=30))
    assert runs.aggregate_state(later) == f"due:{int(datetime.now(UTC).timestamp()) - 120}"
    tick(scheduler, at(2, 1))
    assert runs.aggregate_state(later) == "enqueued"
    runs_queue = f"{constants.DRAMATIQ_NAMESPACE}:{constants.RUNS_QUEUE}"
    assert world.client.llen(runs_queue) == 2


def test_with_leavers_on_a_resync_also_starts_at_their_local_time_of_day(
    make_world: Callable[..., World],
) -> None:
    world = make_world(leavers={"action": "suspend", "time_of_day": "09:00"})
    scheduler = world.scheduler()
    assert tick(scheduler, at(2, 30)) == []
    assert outcome(tick(scheduler, at(3, 0)))[0] == ("resync", "resync")
    assert tick(scheduler, at(8, 59)) == []
    assert outcome(tick(scheduler, at(9, 0))) == [("leavers", "resync")]
    assert [run.note for run in world.runs()] == ["leavers", "daily"]
    assert tick(scheduler, at(9, 0) + timedelta(minutes=5)) == []
    assert scheduler.last_done("leavers") == TODAY


def test_the_leavers_job_is_skipped_when_the_daily_resync_runs_at_that_time(
    make_world: Callable[..., World],
) -> None:
    world = make_world(leavers={"action": "deactivate", "time_of_day": "03:00"})
    scheduler = world.scheduler()
    tick(scheduler, at(2, 30))
    reports = outcome(tick(scheduler, at(3, 0)))
    assert ("leavers", "the daily resync at the same time covers the leavers") in reports
    assert [run.note for run in world.runs()] == ["daily"]
