"""Show runs on a terminal: a progress bar while a run goes (and why it waits), and its summary
for an 80-column terminal."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Final

import redis
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from shared.core.models import PersonOutcome, RunSummary
from shared.core.summary import describe, headline
from shared.errors import BrokerUnavailableError, NoWorkerError, WaitTimeoutError
from shared.infra.presence import Presence, waiting_reason
from shared.infra.redis_client import REDIS_DOWN
from shared.infra.runs import RunStore

REDIS_GRACE_S: Final = 30.0  # a Redis restart this long is ridden out
NO_WORKER_S: Final = 20.0  # no worker alive this long: nothing will finish the run (a live
# worker beats every second; 20 s leaves room for the command's own start within 30 s)
LINE_EVERY_S: Final = 5.0  # without a terminal, a progress line this often
# Once every person's outcome is in, the summary is a moment away (the aggregator builds it):
# look for it this often, for at most FINISHING_FOR_S, so that `--wait` ends when the run does,
# not up to a poll later (and a run whose aggregator is late is not polled hard for long).
FINISHING_POLL_S: Final = 0.02
FINISHING_FOR_S: Final = 3.0


@dataclass
class _Watch:
    """What a wait has seen: since when Redis is away, since when no worker is alive."""

    run_id: str
    redis_down_since: float | None = None
    no_worker_since: float | None = None
    reason: str = ""
    done: int = 0
    expected: int | None = None
    all_in_since: float | None = None  # time.monotonic() when every outcome was first seen in


def wait_for_summary(
    runs: RunStore,
    run_id: str,
    *,
    console: Console | None = None,
    timeout_s: float = 3600,
    poll_s: float = 0.2,
    since: float | None = None,
) -> RunSummary:
    """Show progress (and why it waits) until the run's summary is stored.

    ``since`` (time.monotonic()) is when the command started: a missing worker counts from then.

    Rides through a Redis restart of up to REDIS_GRACE_S; raises BrokerUnavailableError past
    it, NoWorkerError when no worker has been alive for NO_WORKER_S, WaitTimeoutError past
    ``timeout_s``. On a terminal a bar shows progress; otherwise a line every LINE_EVERY_S.
    """
    out = console or Console(stderr=True)
    presence = Presence(runs.client)
    watch = _Watch(run_id, no_worker_since=since)
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
            time.sleep(FINISHING_POLL_S if _finishing(watch) else poll_s)
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


def _finishing(watch: _Watch) -> bool:
    """Whether every outcome is in, and since less than FINISHING_FOR_S."""
    if watch.expected is None or watch.done < watch.expected:
        return False
    now = time.monotonic()
    watch.all_in_since = watch.all_in_since or now
    return now - watch.all_in_since < FINISHING_FOR_S


def _line(watch: _Watch) -> str:
    expected = watch.expected if watch.expected is not None else "?"
    line = f"run {watch.run_id}: {watch.done}/{expected} done"
    return f"{line}; {watch.reason}" if watch.reason else line


# What each outcome word means, printed once under a summary for the words it shows.
OUTCOME_MEANINGS: dict[str, str] = {
    "failed": "not written; its message is in the dead-letter queue (hopsync dlq list)",
    "held": "not written: the run waits for `hopsync runs approve` or `discard`",
    "conflict": "skipped: no single match between ChartHop and Okta (the row says why)",
    "updated": "profile fields or group memberships changed in Okta",
    "created": "a new Okta user",
    "unmatched": "no Okta user matches and create_profiles is off",
    "deferred": "starts on a later date (in the row); synced from that day",
    "unchanged": "already in step; nothing written",
}


@dataclass(frozen=True)
class SummaryView:
    """How much of a summary to show: which outcomes, how many rows, and in which layout.

    ``rest`` is the command that lists what the limit leaves out (None: no such command works,
    as after the demo, whose Redis is gone).
    """

    limit: int | None = 50
    per_outcome: int | None = None  # at most this many of each outcome (the demo's sampler)
    outcomes: frozenset[str] | None = None
    wide: bool = False
    legend: bool = True
    rest: str | None = "hopsync runs show {run_id} --all"


def summary_view(summary: RunSummary, view: SummaryView | None = None) -> Group:
    """The summary: headline, created groups, one row per change, what was left out, legend."""
    view = view or SummaryView()
    chosen = [o for o in summary.changes if view.outcomes is None or o.status in view.outcomes]
    shown = _sample(chosen, view.per_outcome) if view.per_outcome else chosen
    shown = shown if view.limit is None else shown[: view.limit]
    parts: list[RenderableType] = [Text(headline(summary))]
    if summary.status == "held" and summary.held_by:  # each limit on a line of its own, once
        parts = [Text(headline(summary.model_copy(update={"reason": ""})))]
        parts += [Text(line) for line in held_lines(summary.held_by)]
    parts += [Text(f"warning: {warning}") for warning in summary.warnings]
    if summary.groups_created:
        verb = "would create" if summary.dry_run else "created"
        parts.append(Text(f"groups {verb}: {', '.join(summary.groups_created)}"))
    if shown:
        parts.append(wide_changes_table(shown) if view.wide else changes_table(shown))
    elif view.outcomes is not None:
        parts.append(Text(f"no {' or '.join(sorted(view.outcomes))} people in this run"))
    if len(chosen) > len(shown):
        parts.append(Text(more_line(summary, len(chosen) - len(shown), view)))
    if view.legend:
        parts += legend_lines(summary)
    return Group(*parts)


def _sample(outcomes: list[PersonOutcome], each: int) -> list[PersonOutcome]:
    taken: Counter[str] = Counter()
    sample = []
    for outcome in outcomes:
        if taken[outcome.status] < each:
            taken[outcome.status] += 1
            sample.append(outcome)
    return sample


def changes_table(outcomes: list[PersonOutcome]) -> Table:
    """One row per person for 80 columns: the outcome word, then who and below it what changed."""
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), show_header=False)
    table.add_column("status", no_wrap=True)
    table.add_column("person", overflow="fold", ratio=1)
    for outcome in outcomes:
        status, who, what = _split(describe(outcome, compact=True))
        table.add_row(status, Text(f"{who}\n{what}"))
    return table


def wide_changes_table(outcomes: list[PersonOutcome]) -> Table:
    """One row per person with every attribute, unwrapped (``--wide``)."""
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    for name in ("status", "person", "changes"):
        table.add_column(name, no_wrap=True)
    for outcome in outcomes:
        table.add_row(*_split(describe(outcome)))
    return table


def _split(described: str) -> tuple[str, str, str]:
    status, _, rest = described.partition("] ")
    who, _, what = rest.partition(": ")
    return status.lstrip("["), who, what


def more_line(summary: RunSummary, hidden: int, view: SummaryView) -> str:
    """What the limit left out, and how to see it: ``+160 more people with changes: ...``."""
    people = "person" if hidden == 1 else "people"
    which = f"{people} with changes"
    if view.outcomes is not None:
        which = f"{' or '.join(sorted(view.outcomes))} {people}"
    line = f"+{hidden} more {which}"
    if view.rest is None:
        return line
    rest = view.rest.format(run_id=summary.run_id)
    if view.outcomes is not None:
        rest += "".join(f" --outcome {status}" for status in sorted(view.outcomes))
    return f"{line}; to list all:\n  {rest}"  # the command on a line of its own, to copy


def legend_lines(summary: RunSummary) -> list[Table]:
    """What each outcome word the summary counts means, one word a row (none: nothing)."""
    words = [status for status in OUTCOME_MEANINGS if summary.counts.get(status)]
    if not words:
        return []
    table = Table(box=None, pad_edge=False, padding=(0, 2, 0, 0), show_header=False, style="dim")
    table.add_column("word", no_wrap=True)
    table.add_column("meaning", ratio=1)
    for word in words:
        table.add_row(word, OUTCOME_MEANINGS[word])
    return [table]


def print_summary_text(
    out: Console, summary: RunSummary, limit: int | None = 50, view: SummaryView | None = None
) -> None:
    """The summary for the terminal: the headline (the run's status first) on a line of its own,
    created groups, the first ``limit`` changes (or as ``view`` says) and the words explained."""
    out.print(summary_view(summary, view or SummaryView(limit=limit)))


def held_lines(reasons: list[str]) -> list[str]:
    """Each safety limit that holds a run, on a line of its own."""
    return [f"  - it {reason}" for reason in reasons]
