"""The scheduler's logic at one wake-up: take or keep the lock, then run each job due, once.

Time comes in as ``now``, so tests drive it directly. What each job last did is kept in Redis
(``scheduler_last_tick_key(job)``: the ISO local date it last completed), shared by every
scheduler, so a standby that takes over, or a restarted scheduler, neither repeats nor skips a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import redis
import structlog

from config.loader import LoadedConfig
from producers.factory import open_producer
from producers.live.flusher import LiveOptions
from producers.schedule.janitor import tidy_runs
from producers.schedule.jobs import daily_resync, new_hires
from producers.schedule.lock import SchedulerLock
from producers.schedule.times import Slot, due_jobs, latest_slot, next_slot
from shared import constants
from shared.core.models import RunMeta
from shared.infra.active_config import ConfigFollower
from shared.infra.runs import BY_SCHEDULE
from shared.infra.stores import Stores

log = structlog.get_logger(__name__)

RESYNC: Final = "resync"
HIRES: Final = "hires"
LEAVERS: Final = "leavers"  # a resync at settings.leavers.time_of_day, when leavers are on
# In this order: whether hires is covered depends on the resync.
JOBS: Final = (RESYNC, HIRES, LEAVERS)
LEAVERS_NOTE: Final = "leavers"
RETRY_AFTER: Final = timedelta(minutes=5)
JANITOR_EVERY: Final = timedelta(minutes=1)


@dataclass(frozen=True)
class JobReport:
    """What one job did for one day: started a run, skipped (and why), or failed (and why)."""

    job: str
    day: date
    run: RunMeta | None = None
    skipped: str = ""
    error: str = ""


class Scheduler:
    """Runs the daily jobs; only while it holds the scheduler lock.

    With a ``follower`` it follows the active configuration version: a new daily_at, time zone
    or resync_daily takes effect at the next wake-up, and each run pins the version it used.
    """

    def __init__(
        self,
        loaded: LoadedConfig,
        client: redis.Redis,
        *,
        lock: SchedulerLock | None = None,
        retry_after: timedelta = RETRY_AFTER,
        janitor_every: timedelta = JANITOR_EVERY,
        follower: ConfigFollower | None = None,
    ) -> None:
        self.follower = follower
        self.loaded = loaded
        self.settings = loaded.config.settings
        self.client = client
        self.lock = lock or SchedulerLock(client)
        self.stores = Stores.connect(loaded, client)
        self.runs = self.stores.runs
        self.retry_after = retry_after
        self.janitor_every = janitor_every
        self._retry_at: dict[str, datetime] = {}
        self._held_days: set[date] = set()
        self._janitor_at: datetime | None = None

    def latest(self, now: datetime, job: str = RESYNC) -> Slot:
        """The most recent scheduled time of ``job`` at or before ``now``."""
        return latest_slot(self.time_of(job), self.settings.timezone, now)

    @property
    def jobs(self) -> tuple[str, ...]:
        """The jobs of this configuration: the leavers' only when settings.leavers is on."""
        if self.settings.leavers.enabled:
            return JOBS
        return tuple(job for job in JOBS if job != LEAVERS)

    def time_of(self, job: str) -> str:
        """A job's daily time: the leavers' time_of_day for theirs, daily_at for the others."""
        return self.settings.leavers.time_of_day if job == LEAVERS else self.settings.daily_at

    def last_done(self, job: str) -> date | None:
        """The local date a job last completed, or None if it never did."""
        raw = self.client.get(constants.scheduler_last_tick_key(job))
        if raw is None:
            return None
        return date.fromisoformat(raw.decode() if isinstance(raw, bytes) else str(raw))

    def mark_done(self, job: str, day: date, *, only_if_unset: bool = False) -> None:
        """Record that a job has completed ``day``."""
        key = constants.scheduler_last_tick_key(job)
        self.client.set(key, day.isoformat(), nx=only_if_unset)

    def due_jobs(self, now: datetime) -> list[str]:
        """The jobs to run now: not yet done for the latest day, and not waiting out a failure."""
        jobs = self.jobs
        last = {job: self.last_done(job) for job in jobs}
        due = [name for job in jobs for name in due_jobs([job], last, self.latest(now, job))]
        return [job for job in due if self._retry_at.get(job, now) <= now]

    async def tick(self, now: datetime) -> list[JobReport]:
        """One wake-up at ``now`` (aware): if this scheduler holds the lock, run what is due."""
        if not self.lock.hold():
            return []
        self._follow()
        now = now.astimezone(UTC)  # arithmetic on a zoned datetime is wall-clock arithmetic
        self._first_start(now)
        reports = []
        due = self.due_jobs(now)
        if due:
            async with self.lock.renewing():
                for job in due:
                    reports.append(await self.run_job(job, self.latest(now, job), now))
        self._janitor(now)
        return reports

    async def run_job(self, job: str, slot: Slot, now: datetime) -> JobReport:
        """Run one job for the slot's day; a failure is logged, left undone and retried later."""
        reason = self._skip_reason(job, slot.day)
        if reason:
            self.mark_done(job, slot.day)
            log.info("scheduled job skipped", job=job, day=slot.day.isoformat(), reason=reason)
            return JobReport(job, slot.day, skipped=reason)
        log.info(
            "scheduled job starting", job=job, day=slot.day.isoformat(), due=slot.at.isoformat()
        )
        try:
            run = await self._start(job, slot.day)
        except Exception as error:  # any failure: the day stays undone and is retried
            return self._failed(job, slot.day, now, error)
        self._retry_at.pop(job, None)
        self.mark_done(job, slot.day)
        return self._started(job, slot.day, run)

    def close(self) -> None:
        """Give the lock up (a standby takes over at its next wake-up)."""
        self.lock.release()

    def _skip_reason(self, job: str, day: date) -> str:
        if job == RESYNC and not self.settings.resync_daily:
            return "settings.resync_daily is off"
        if job == HIRES and self.settings.resync_daily and day not in self._held_days:
            return "the daily resync covers the people starting today"
        if (
            job == LEAVERS
            and self.settings.resync_daily
            and self.time_of(job) == self.time_of(RESYNC)
        ):
            return "the daily resync at the same time covers the leavers"
        return ""

    async def _start(self, job: str, day: date) -> RunMeta | None:
        async with open_producer(self.loaded, self.stores, started_by=BY_SCHEDULE) as producer:
            if job == RESYNC:
                return await daily_resync(producer)
            if job == LEAVERS:
                return await producer.resync(note=LEAVERS_NOTE)
            return await new_hires(producer, day)

    def _started(self, job: str, day: date, run: RunMeta | None) -> JobReport:
        if run is None:
            reason = f"nobody starts on {day.isoformat()}"
            log.info("scheduled job skipped", job=job, day=day.isoformat(), reason=reason)
            return JobReport(job, day, skipped=reason)
        if job == RESYNC and run.status == "held":
            self._held_days.add(day)  # nothing written until approval: hires runs on its own
        log.info(
            "scheduled job started",
            job=job,
            day=day.isoformat(),
            run_id=run.run_id,
            status=run.status,
            expected=run.expected,
        )
        return JobReport(job, day, run=run)

    def _failed(self, job: str, day: date, now: datetime, error: Exception) -> JobReport:
        retry_at = now.astimezone(UTC) + self.retry_after
        self._retry_at[job] = retry_at
        message = f"{type(error).__name__}: {error}"
        log.error(
            "scheduled job failed",
            job=job,
            day=day.isoformat(),
            error=message,
            retry_at=retry_at.isoformat(),
        )
        return JobReport(job, day, error=message)

    def _follow(self) -> None:
        if self.follower is None:
            return
        loaded = self.follower.current()
        if loaded is self.loaded:
            return
        self.loaded, self.settings = loaded, loaded.config.settings
        self.stores = Stores.connect(loaded, self.client)
        self.runs = self.stores.runs
        log.info(
            "scheduler follows the active configuration",
            config_version=loaded.version,
            daily_at=self.settings.daily_at,
            timezone=self.settings.timezone,
            resync_daily=self.settings.resync_daily,
        )

    def _first_start(self, now: datetime) -> None:
        for job in self.jobs:
            if self.last_done(job) is None:
                self.mark_done(job, self.latest(now, job).day, only_if_unset=True)
                first = next_slot(self.time_of(job), self.settings.timezone, now)
                log.info(
                    "scheduled job has never run: it first runs at its next time",
                    job=job,
                    first_run=first.at.isoformat(),
                )

    def _janitor(self, now: datetime) -> None:
        if self._janitor_at is not None and now < self._janitor_at:
            return
        self._janitor_at = now + self.janitor_every
        live = LiveOptions.from_settings(self.settings)
        tidy_runs(self.runs, self.stores.broker, live=live, now=now.timestamp())
