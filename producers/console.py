"""Show runs on a terminal: a progress bar while a run goes, and its summary as a table."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import redis
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.broker import REDIS_DOWN
from shared.errors import BrokerUnavailableError, NoWorkerError, WaitTimeoutError
from shared.models import RunSummary
from shared.presence import Presence, waiting_reason
from shared.runs import RunStore
from shared.summary import describe, headline

REDIS_GRACE_S: Final = 30.0  # a Redis restart this long is ridden out
NO_WORKER_S: Final = 30.0  # no worker alive this long: nothing will finish the run
LINE_EVERY_S: Final = 5.0  # without a terminal, a progress line this often


@dataclass
class _Watch:
    """What a wait has seen: since when Redis is away, since when no worker is alive."""

    run_id: str
    redis_down_since: float | None = None
    no_worker_since: float | None = None
    reason: str = ""
    done: int = 0
    expected: int | None = None


def wait_for_summary(
    runs: RunStore,
    run_id: str,
    *,
    console: Console | None = None,
    timeout_s: float = 3600,
    poll_s: float = 0.2,
) -> RunSummary:
    """Show progress (and why it waits) until the run's summary is stored.

    Rides through a Redis restart of up to REDIS_GRACE_S; raises BrokerUnavailableError past
    it, NoWorkerError when no worker has been alive for NO_WORKER_S, WaitTimeoutError past
    ``timeout_s``. On a terminal a bar shows progress; otherwise a line every LINE_EVERY_S.
    """
    out = console or Console(stderr=True)
    presence = Presence(runs.client)
    watch = _Watch(run_id)
    deadline = time.monotonic() + timeout_s
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=out, transient=True, disable=not out.is_terminal
    ) as bar:
        task = bar.add_task(f"run {run_id}", total=None)
        next_line = time.monotonic() + LINE_EVERY_S
        while time.monotonic() < deadline:
            summary = _look(runs, presence, watch)
            if summary is not None:
                return summary
            bar.update(task, completed=watch.done, total=watch.expected, description=_line(watch))
            if not out.is_terminal and time.monotonic() >= next_line:
                out.print(_line(watch), markup=False, highlight=False, soft_wrap=True)
                next_line = time.monotonic() + LINE_EVERY_S
            time.sleep(poll_s)
    raise WaitTimeoutError(
        f"run {run_id} has no summary after {timeout_s:.0f} s ({_line(watch)}); it goes on: "
        f"check the workers, then `hopsync runs show {run_id}`"
    )


def wait_for_worker(client: redis.Redis, out: Console, within_s: float | None = None) -> int:
    """The number of live workers, once there is one; NoWorkerError after ``within_s``."""
    within_s = NO_WORKER_S if within_s is None else within_s
    presence = Presence(client)
    deadline = time.monotonic() + within_s
    told = False
    while (alive := presence.alive()) == 0:
        if time.monotonic() >= deadline:
            raise NoWorkerError(
                f"no worker is running (none for {within_s:.0f} s), and a dry run needs one; "
                "start `hopsync worker`, then try again (nothing was started)"
            )
        if not told:
            out.print("waiting for a worker: none is alive", markup=False, highlight=False)
            told = True
        time.sleep(0.5)
    return alive


def _look(runs: RunStore, presence: Presence, watch: _Watch) -> RunSummary | None:
    """One look at the run: its summary, or its progress and why it waits."""
    now = time.monotonic()
    try:
        summary = runs.summary(watch.run_id)
        if summary is not None:
            return summary
        watch.done, watch.expected = runs.progress(watch.run_id)
        alive = presence.alive()
        waits = presence.okta_waits()
    except REDIS_DOWN as error:
        watch.redis_down_since = watch.redis_down_since or now
        away = now - watch.redis_down_since
        if away > REDIS_GRACE_S:
            raise BrokerUnavailableError(
                f"Redis has not answered for {away:.0f} s ({error}); the run goes on once it "
                f"is back: check Redis, then `hopsync runs show {watch.run_id}`"
            ) from error
        watch.reason = f"waiting for Redis (not answering for {away:.0f} s)"
        return None
    watch.redis_down_since = None
    watch.no_worker_since = None if alive else (watch.no_worker_since or now)
    if watch.no_worker_since is not None and now - watch.no_worker_since >= NO_WORKER_S:
        raise NoWorkerError(
            f"no worker is running: run {watch.run_id} has waited {NO_WORKER_S:.0f} s for one "
            f"({watch.done}/{watch.expected if watch.expected is not None else '?'} done); "
            f"start `hopsync worker` (the run resumes), then `hopsync runs show {watch.run_id}`"
        )
    watch.reason = "waiting for a worker: none is alive" if not alive else ""
    watch.reason = watch.reason or waiting_reason(waits, time.time())
    return None


def _line(watch: _Watch) -> str:
    expected = watch.expected if watch.expected is not None else "?"
    line = f"run {watch.run_id}: {watch.done}/{expected} done"
    return f"{line}; {watch.reason}" if watch.reason else line


def print_summary_text(out: Console, summary: RunSummary, limit: int | None = 50) -> None:
    """The headline (the run's status first) on one line of its own, then the changes' table."""
    out.print(headline(summary), markup=False, highlight=False, soft_wrap=True)
    if summary.changes or summary.groups_created:
        out.print(summary_table(summary, limit=limit))


def summary_table(summary: RunSummary, limit: int | None = 50) -> Table:
    """The summary's changes as a table (the headline is printed before it)."""
    table = Table(show_lines=False)
    table.add_column("status")
    table.add_column("person")
    table.add_column("changes")
    shown = summary.changes if limit is None else summary.changes[:limit]
    for outcome in shown:
        status, _, rest = describe(outcome, compact=True).partition("] ")
        who, _, what = rest.partition(": ")
        table.add_row(status.lstrip("["), who, what)
    hidden = len(summary.changes) - len(shown)
    if summary.groups_created:
        verb = "would create" if summary.dry_run else "created"
        table.caption = f"groups {verb}: {', '.join(summary.groups_created)}"
    if hidden > 0:
        more = f"+{hidden} more: `hopsync runs show {summary.run_id}` or --json shows all"
        table.caption = f"{table.caption}; {more}" if table.caption else more
    return table
