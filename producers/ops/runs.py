"""`hopsync runs`: the run history, one run's summary or progress, and decisions on held runs."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from typing import Any

import click
from pydantic import BaseModel, ConfigDict
from rich.table import Table

from producers.cli_helpers import active_or_exit, config_option, console, print_summary
from producers.exits import USAGE, HopsyncGroup, exit_code, summary_exit_code
from producers.ops.approval import approve, discard
from producers.ops.output import (
    compact_table,
    fail,
    print_wide,
    say,
    short_duration,
    stamp,
)
from producers.ops.terminal import SummaryView, summary_view
from shared.core.models import OUTCOME_STATUSES, RunKind, RunMeta, RunStatus
from shared.errors import RunNotFoundError
from shared.infra.config_store import config_label
from shared.infra.presence import Presence
from shared.infra.runs import RunStore
from shared.infra.stores import Stores


class RunRow(BaseModel):
    """One run as the history and `runs show` report it; counts are so far while it goes."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    kind: RunKind
    dry_run: bool
    status: RunStatus
    created_at: datetime
    finished_at: datetime | None = None
    duration_s: float | None = None
    done: int
    expected: int | None = None
    counts: dict[str, int]
    note: str = ""
    config_version: int | None = None  # the configuration version (or draft) the run plans with
    config_draft: bool = False
    started_by: str = ""  # cli:USER, schedule, live, console:ACCOUNT ("" before it was recorded)


@click.group(cls=HopsyncGroup, invoke_without_command=True)
@config_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Runs to list."
)
@click.option("--wide", is_flag=True, help="Every column (kind, dry run, start time) unwrapped.")
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def runs(
    ctx: click.Context, config_path: str | None, limit: int, wide: bool, as_json: bool
) -> None:
    """The newest runs first (subcommands: show, approve, discard)."""
    if ctx.invoked_subcommand is not None:
        return
    store = Stores.for_command(active_or_exit(config_path)).runs
    rows = [run_row(store, meta, tally=False) for meta in store.recent(limit)]
    if as_json:
        click.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    if rows and wide:
        print_wide(wide_history_table(rows))
    elif rows:
        console.print(history_table(rows))
        say("a run's id holds its kind and start time (UTC); --wide shows them as columns")
    else:
        say("no runs kept (a run expires runs_ttl_days after it starts)")
    say(workers_line(Presence(store.client).alive()))


def workers_line(alive: int) -> str:
    """How many worker processes are alive, and what none means."""
    if alive == 0:
        return "workers: none alive; runs wait in Redis until `hopsync worker` starts"
    return f"workers: {alive} process(es) alive"


def run_row(store: RunStore, meta: RunMeta, *, tally: bool) -> RunRow:
    """A run's row; with ``tally``, a run still going is counted from its outcomes so far."""
    summary = store.summary(meta.run_id)
    done, expected = store.progress(meta.run_id)
    if summary is not None:
        counts = summary.counts
    elif tally:
        counts = dict(Counter(outcome.status for outcome in store.outcomes(meta.run_id)))
    else:
        counts = {}
    return RunRow(
        run_id=meta.run_id,
        kind=meta.kind,
        dry_run=meta.dry_run,
        status=summary.status if summary else meta.status,
        created_at=meta.created_at,
        finished_at=summary.finished_at if summary else meta.finished_at,
        duration_s=summary.duration_s if summary else None,
        done=done,
        expected=expected,
        counts=counts,
        note=meta.note,
        config_version=meta.config_version,
        config_draft=meta.config_draft,
        started_by=meta.started_by,
    )


def started_line(started_by: str) -> str:
    """Who started a run, for `runs show` (runs from before it was recorded say so)."""
    return f"started by: {started_by or 'not recorded'}"


def format_counts(counts: dict[str, int]) -> str:
    """Counts in summary order, attention first: ``1 failed, 3 created, 40 unchanged``."""
    return ", ".join(f"{n} {status}" for status in OUTCOME_STATUSES if (n := counts.get(status)))


def format_progress(done: int, expected: int | None) -> str:
    """``done/expected done``; ``?`` while the run is not sealed (a live run still open)."""
    return f"{done}/{expected if expected is not None else '?'} done"


def result_cell(row: RunRow) -> str:
    """A finished run's counts, or a running one's progress."""
    if row.duration_s is not None:
        return format_counts(row.counts) or "nobody"
    return format_progress(row.done, row.expected)


def history_table(rows: list[RunRow]) -> Table:
    """History rows for an 80-column terminal: run id whole, status, time taken, result."""
    table = compact_table()
    table.add_column("run", no_wrap=True)  # copied into `hopsync runs show RUN`
    table.add_column("status")
    table.add_column("took", justify="right", no_wrap=True)
    table.add_column("result", ratio=1)
    for row in rows:
        status = f"{row.status}\ndry run" if row.dry_run else row.status
        table.add_row(row.run_id, status, short_duration(row.duration_s), result_cell(row))
    return table


def wide_history_table(rows: list[RunRow]) -> Table:
    """History rows with every column (``runs --wide``)."""
    table = compact_table()
    for name in ("run", "kind", "dry run", "status", "created (UTC)", "took", "result"):
        table.add_column(name, no_wrap=True)
    for row in rows:
        table.add_row(
            row.run_id,
            row.kind,
            "yes" if row.dry_run else "",
            row.status,
            stamp(row.created_at),
            short_duration(row.duration_s),
            result_cell(row),
        )
    return table


LISTED_OUTCOMES = tuple(status for status in OUTCOME_STATUSES if status != "unchanged")


class OutcomeList(click.ParamType[frozenset[str], Any]):
    """Outcome words, comma-separated (``failed,held``); an unknown one is a usage error."""

    name = "outcome"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> frozenset[str]:
        if isinstance(value, frozenset):
            return value
        words = frozenset(word.strip() for word in str(value).split(",") if word.strip())
        unknown = sorted(words - set(LISTED_OUTCOMES))
        if unknown or not words:
            self.fail(
                f"{', '.join(unknown) or repr(value)}: not an outcome; "
                f"choose from {', '.join(LISTED_OUTCOMES)} (unchanged people are only counted)",
                param,
                ctx,
            )
        return words


@runs.command()
@config_option
@click.argument("run_id")
@click.option(
    "--outcome",
    "outcomes",
    type=OutcomeList(),
    multiple=True,
    metavar="|".join(LISTED_OUTCOMES),
    help="Only people with this outcome (repeat, or separate with commas).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="People to list; the rest are counted.",
)
@click.option("--all", "show_all", is_flag=True, help="List every person (no --limit).")
@click.option("--wide", is_flag=True, help="Every attribute on one unwrapped line per person.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole summary as JSON.")
def show(
    config_path: str | None,
    run_id: str,
    outcomes: tuple[frozenset[str], ...],
    limit: int,
    show_all: bool,
    wide: bool,
    as_json: bool,
) -> None:
    """A run's summary and the people it changed; for a run still going, its progress so far.

    Exits with the run's code: 0 completed with nothing failed (or still going), 1 people failed
    or the run failed, 3 held.
    """
    store = Stores.for_command(active_or_exit(config_path)).runs
    try:
        meta = store.meta(run_id)
    except RunNotFoundError as error:
        fail(str(error), USAGE)
    summary = store.summary(run_id)
    if summary is not None:
        view = SummaryView(
            limit=None if show_all else limit,
            outcomes=frozenset().union(*outcomes) if outcomes else None,
            wide=wide,
        )
        if wide and not as_json:
            print_wide(summary_view(summary, view))
        else:
            print_summary(summary, as_json, view=view)
        if meta.status == "held" and not as_json:
            say(f"decide with `hopsync runs approve {run_id}` or `hopsync runs discard {run_id}`")
        if not as_json:
            say(f"configuration: {config_label(meta.config_version, meta.config_draft)}")
            say(started_line(meta.started_by))
        sys.exit(summary_exit_code(summary))
    row = run_row(store, meta, tally=True)
    if as_json:
        click.echo(row.model_dump_json(indent=2))
        sys.exit(exit_code(row.status, row.counts.get("failed", 0)))
    dry = " (dry run)" if row.dry_run else ""
    done = format_progress(row.done, row.expected)
    say(f"{row.status.upper()}: run {run_id} ({row.kind}{dry}): {done}")
    say(f"so far: {format_counts(row.counts) or 'nothing yet'}")
    if row.status == "failed" and meta.note:  # a live run refused before its period ends
        console.print(f"why: {meta.note}", markup=False, highlight=False)
    say(f"configuration: {config_label(row.config_version, row.config_draft)}")
    say(started_line(row.started_by))
    sys.exit(exit_code(row.status, row.counts.get("failed", 0)))


runs.add_command(approve)
runs.add_command(discard)
