"""`hopsync scheduler`: the daily resync and the new-hire starts, once a day, by one scheduler.

Why a small loop of our own rather than APScheduler: what matters here is what happens around
the tick — only the holder of a Redis lock acts, and a tick missed while every scheduler was down
runs once at start, never as a backlog. Both need the last completed tick kept in Redis, which
APScheduler's in-memory job store does not keep, and its persistent stores would bring a database
along. The due-time arithmetic below is pure (zoneinfo makes it DST-correct) and tested directly;
the loop only wakes every few seconds, takes the lock, and runs what is due.

Jobs:
- ``resync``: the daily resync, when settings.resync_daily is on.
- ``hires``: every day, the people whose start date is today (created, or activated when they
  were created STAGED). When the daily resync runs it already covers them, so ``hires`` skips.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis
import structlog

from config.loader import LoadedConfig
from producers.janitor import repair_stranded_runs
from producers.resync import Producer
from shared import constants
from shared.broker import build_broker
from shared.models import RunMeta, SyncItem
from shared.rules import Rules
from shared.runs import RunStore
from workers.runtime import open_clients

log = structlog.get_logger(__name__)

LOCK_TTL_MS = 30_000
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


def latest_due(daily_at: str, timezone: str, now: datetime) -> datetime:
    """The most recent scheduled time at or before ``now`` (aware, in the configured zone)."""
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in daily_at.split(":"))
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour, minute), tzinfo=zone)
    if candidate > local:
        candidate = datetime.combine(
            local.date() - timedelta(days=1), time(hour, minute), tzinfo=zone
        )
    return candidate


def due_jobs(
    jobs: list[str],
    last: dict[str, datetime | None],
    daily_at: str,
    timezone: str,
    now: datetime,
) -> list[tuple[str, datetime]]:
    """Jobs whose latest scheduled time has not run yet, each once, with that time.

    A job that never ran is not due until its next time: a first start runs no backlog.
    """
    tick = latest_due(daily_at, timezone, now)
    due = []
    for job in jobs:
        previous = last.get(job)
        if previous is not None and previous < tick:
            due.append((job, tick))
    return due


class ScheduleLock:
    """A Redis lock with a token: taken with SET NX PX, renewed and released only by its holder."""

    def __init__(self, client: redis.Redis, ttl_ms: int = LOCK_TTL_MS) -> None:
        self.client = client
        self.ttl_ms = ttl_ms
        self.token = uuid.uuid4().hex
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)

    def hold(self) -> bool:
        """Renew the lock if held, else try to take it; True while this scheduler holds it."""
        key = constants.SCHEDULER_LOCK
        if self._renew(keys=[key], args=[self.token, self.ttl_ms]):
            return True
        return bool(self.client.set(key, self.token, nx=True, px=self.ttl_ms))

    def release(self) -> None:
        """Give the lock up if held."""
        self._release(keys=[constants.SCHEDULER_LOCK], args=[self.token])


@dataclass
class DailyScheduler:
    """The scheduler's state in Redis and the jobs it starts."""

    loaded: LoadedConfig
    client: redis.Redis
    clock: Callable[[], datetime]

    @property
    def jobs(self) -> list[str]:
        """The jobs of this configuration."""
        return ["resync", "hires"]

    def last_tick(self, job: str) -> datetime | None:
        """The scheduled time a job last completed, or None if it never ran."""
        raw = self.client.get(constants.scheduler_last_tick_key(job))
        if raw is None:
            return None
        return datetime.fromisoformat(raw.decode() if isinstance(raw, bytes) else str(raw))

    def mark(self, job: str, tick: datetime) -> None:
        """Store a job's completed scheduled time."""
        self.client.set(constants.scheduler_last_tick_key(job), tick.isoformat())

    def first_start(self, now: datetime) -> None:
        """Jobs that never ran start counting from their latest time (no backlog on day one)."""
        settings = self.loaded.config.settings
        tick = latest_due(settings.daily_at, settings.timezone, now)
        for job in self.jobs:
            if self.last_tick(job) is None:
                self.mark(job, tick)

    def due(self, now: datetime) -> list[tuple[str, datetime]]:
        """What to run now."""
        settings = self.loaded.config.settings
        last = {job: self.last_tick(job) for job in self.jobs}
        return due_jobs(self.jobs, last, settings.daily_at, settings.timezone, now)

    async def run_job(self, job: str, tick: datetime) -> RunMeta | None:
        """Run one job for its scheduled time; returns the run it started, if any."""
        settings = self.loaded.config.settings
        if job == "resync" and not settings.resync_daily:
            return None
        if job == "hires" and settings.resync_daily:
            log.info("new hires covered by the daily resync", tick=tick.isoformat())
            return None
        runs = RunStore(self.client, self.loaded.config.runs_ttl_days)
        broker = build_broker(client=self.client, settings=self.loaded.config.worker)
        clients = await open_clients(self.loaded)
        try:
            rules = Rules.build(self.loaded.config)
            producer = Producer(rules, runs, broker, clients.okta, clients.charthop)
            if job == "resync":
                return await producer.resync(note=f"daily {tick.date().isoformat()}")
            return await start_hires(
                producer, rules, tick.astimezone(ZoneInfo(settings.timezone)).date()
            )
        finally:
            await clients.close()

    async def tick(self, lock: ScheduleLock) -> list[str]:
        """One wake-up: if this scheduler holds the lock, run what is due; returns job names."""
        if not lock.hold():
            return []
        now = self.clock()
        ran = []
        for job, when in self.due(now):
            run = await self.run_job(job, when)
            self.mark(job, when)
            ran.append(job)
            log.info(
                "scheduled job ran",
                job=job,
                tick=when.isoformat(),
                run_id=run.run_id if run else None,
            )
        runs = RunStore(self.client, self.loaded.config.runs_ttl_days)
        repair_stranded_runs(runs, build_broker(client=self.client))
        return ran


async def start_hires(producer: Producer, rules: Rules, today: date) -> RunMeta | None:
    """Enqueue a fresh-read sync of everyone whose start date is today, as one live run."""
    items = []
    async for person in producer.charthop.list_people():
        start = rules.start_date(person)
        if start == today and person.get("id"):
            person_id = str(person["id"])
            items.append(
                SyncItem(
                    key=f"{person_id}@hires-{today.isoformat()}",
                    person_id=person_id,
                    snapshot=False,
                )
            )
    if not items:
        return None
    run = producer.runs.create("live", note=f"new hires starting {today.isoformat()}")
    producer.enqueue(run, items)
    return run.model_copy(update={"expected": len(items)})


def run_scheduler(loaded: LoadedConfig, *, wake_s: float = 10.0) -> None:
    """Run until SIGTERM or SIGINT, acting only while holding the scheduler lock."""
    asyncio.run(_loop(loaded, wake_s))


async def _loop(loaded: LoadedConfig, wake_s: float) -> None:
    client = redis.Redis.from_url(loaded.secrets.redis_url)
    zone = ZoneInfo(loaded.config.settings.timezone)
    scheduler = DailyScheduler(loaded, client, clock=lambda: datetime.now(zone))
    lock = ScheduleLock(client)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    scheduler.first_start(scheduler.clock())
    log.info("scheduler started", daily_at=loaded.config.settings.daily_at, timezone=str(zone))
    try:
        while not stop.is_set():
            try:
                await scheduler.tick(lock)
            except Exception as error:
                log.error("scheduled job failed; retried at the next wake-up", error=str(error))
            with suppress_timeout():
                await asyncio.wait_for(stop.wait(), timeout=wake_s)
    finally:
        lock.release()
        client.close()


def suppress_timeout() -> contextlib.AbstractContextManager[None]:
    """Ignore the timeout that ends each sleep between wake-ups."""
    return contextlib.suppress(TimeoutError)
