"""`hopsync scheduler`: the daily resync and the new-hire starts, run by one scheduler at a time.

Jobs, due every day at settings.daily_at in settings.timezone (DST-correct), but for ``leavers``:

- ``resync``: the daily resync (note "daily") when settings.resync_daily is on; skipped otherwise.
- ``hires``: the people whose start date is that day, as fresh-read items of one live run. When
  the daily resync is on it already syncs them, so ``hires`` skips that day to avoid doing the
  work twice, unless the resync was held by a safety limit (then hires must not wait for the
  approval). The held case is known only to the scheduler that ran the resync.
- ``leavers``: a resync (note "leavers") at settings.leavers.time_of_day, so that leavers are
  suspended or deactivated from that local time; skipped when leavers are off, or when the daily
  resync runs at that very time.

Only the holder of a Redis lock acts (producers.schedule.lock); the others stand by and take
over when its lease runs out. Each job's last completed day is kept in Redis, so a day missed
while every scheduler was down runs once when one starts, however many days were missed, and
a second start does not run it again. A job with no recorded day (a first deployment, a wiped
Redis) records the latest day without running: a full resync at an arbitrary hour on first start
would surprise, and `hopsync resync` runs one now if wanted. A failed job is retried after
RETRY_AFTER, not at every wake-up. Once a minute the holder also re-enqueues the aggregator of
runs stranded by a crash (producers.schedule.janitor).

Why a loop of our own rather than APScheduler 3: its job stores must never be shared between
schedulers and it has no leader election, so running two would run every job twice; with its
in-memory store a run missed while the process was down is simply forgotten (a persistent store
keeps it, but is exactly what must not be shared); and its CronTrigger fires a daily time that
falls in the fall-back hour twice that day.
What remains is a ten-second wake-up, a lock and date arithmetic (producers.schedule.times).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import UTC, datetime

import redis
import structlog

from config.loader import LoadedConfig
from producers.schedule.jobs import hire_items, new_hires, starting_on
from producers.schedule.lock import LOCK_TTL_MS, SchedulerLock
from producers.schedule.ticks import JOBS, RETRY_AFTER, JobReport, Scheduler
from producers.schedule.times import Slot, due_jobs, latest_slot, next_slot, slot_on
from shared.infra.active_config import ConfigFollower, store_of
from shared.infra.redis_client import connect_redis

__all__ = [
    "JOBS",
    "LOCK_TTL_MS",
    "RETRY_AFTER",
    "WAKE_S",
    "JobReport",
    "Scheduler",
    "SchedulerLock",
    "Slot",
    "due_jobs",
    "hire_items",
    "latest_slot",
    "new_hires",
    "next_slot",
    "run_scheduler",
    "serve",
    "slot_on",
    "starting_on",
]

log = structlog.get_logger(__name__)

WAKE_S = 10.0  # a third of the lock's lifetime: the holder renews it at every wake-up


def run_scheduler(loaded: LoadedConfig, *, wake_s: float = WAKE_S) -> None:
    """Run the scheduler until SIGTERM or SIGINT (blocking).

    The first signal stops it after the job running, if any; a second stops it at once, leaving
    that job undone (it runs once at the next start).
    """
    asyncio.run(_main(loaded, wake_s))


async def serve(
    scheduler: Scheduler,
    stop: asyncio.Event,
    *,
    wake_s: float = WAKE_S,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Wake every ``wake_s`` until ``stop`` is set; release the lock on the way out."""
    settings = scheduler.settings
    log.info(
        "scheduler started",
        daily_at=settings.daily_at,
        timezone=settings.timezone,
        resync_daily=settings.resync_daily,
        next_run=next_slot(settings.daily_at, settings.timezone, clock()).at.isoformat(),
        owner=scheduler.lock.owner,
    )
    try:
        while not stop.is_set():
            try:
                await scheduler.tick(clock())
            except redis.RedisError as error:
                log.error("scheduler wake-up failed: Redis did not answer", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wake_s)
    finally:
        with contextlib.suppress(redis.RedisError):
            scheduler.close()
        log.info("scheduler stopped", owner=scheduler.lock.owner)


async def _main(loaded: LoadedConfig, wake_s: float) -> None:
    # Short socket timeouts: a wake-up stuck on a dead Redis would outlive the lock's lease.
    client = connect_redis(
        loaded.secrets.redis_url, retries=3, socket_timeout=5, socket_connect_timeout=2
    )
    stop = asyncio.Event()
    # Checked at every wake-up (one GET): a new daily_at or time zone applies at the next one.
    follower = ConfigFollower(store_of(client, loaded.secrets), loaded, poll_s=0)
    scheduler = Scheduler(loaded, client, follower=follower if loaded.version is not None else None)
    serving = asyncio.create_task(serve(scheduler, stop, wake_s=wake_s))

    def on_signal(signum: signal.Signals) -> None:
        if stop.is_set():
            log.warning("second signal: stopping now, the running job is left undone")
            serving.cancel()
            return
        log.info("signal received: stopping when the job running, if any, ends", signal=signum.name)
        stop.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await serving
    finally:
        client.close()
