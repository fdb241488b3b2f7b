"""`hopsync runs`: the run history, one run's summary or progress, and decisions on held runs."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime

import click
from pydantic import BaseModel, ConfigDict
from rich.table import Table

from producers.approval import approve, discard
from producers.cli_helpers import config_option, console, load_or_exit, print_summary
from producers.exits import USAGE, HopsyncGroup, exit_code, summary_exit_code
from producers.ops.output import fail, say, stamp
from shared.errors import RunNotFoundError
from shared.models import OUTCOME_STATUSES, RunKind, RunMeta, RunStatus
from shared.presence import Presence
from shared.runs import RunStore
from shared.stores import Stores


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


@click.group(cls=HopsyncGroup, invoke_without_command=True)
@config_option
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Runs to list."
)
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
@click.pass_context
def runs(ctx: click.Context, config_path: str | None, limit: int, as_json: bool) -> None:
    """The newest runs first (subcommands: show, approve, discard)."""
    if ctx.invoked_subcommand is not None:
        return
    store = Stores.for_command(load_or_exit(config_path)).runs
    rows = [run_row(store, meta, tally=False) for meta in store.recent(limit)]
    if as_json:
        click.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    if rows:
        console.print(history_table(rows))
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
    )


def format_counts(counts: dict[str, int]) -> str:
    """Counts in summary order, attention first: ``1 failed, 3 created, 40 unchanged``."""
    return ", ".join(f"{n} {status}" for status in OUTCOME_STATUSES if (n := counts.get(status)))


def format_progress(done: int, expected: int | None) -> str:
    """``done/expected done``; ``?`` while the run is not sealed (a live run still open)."""
    return f"{done}/{expected if expected is not None else '?'} done"


def history_table(rows: list[RunRow]) -> Table:
    """History rows as a table; a run still going shows its progress instead of counts."""
    table = Table()
    # The run id stays on one line, to be copied into `hopsync runs show RUN`.
    table.add_column("run", no_wrap=True, min_width=max(len(row.run_id) for row in rows))
    for name in ("kind", "dry run", "status", "created (UTC)", "duration", "counts"):
        table.add_column(name)
    for row in rows:
        finished = row.duration_s is not None
        table.add_row(
            row.run_id,
            row.kind,
            "yes" if row.dry_run else "",
            row.status,
            stamp(row.created_at),
            f"{row.duration_s:.1f}s" if row.duration_s is not None else "",
            format_counts(row.counts) if finished else format_progress(row.done, row.expected),
        )
    return table


@runs.command()
@config_option
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(config_path: str | None, run_id: str, as_json: bool) -> None:
    """A run's summary with every change; for a run still going, its progress and counts so far.

    Exits with the run's code: 0 completed with nothing failed (or still going), 1 people failed
    or the run failed, 3 held.
    """
    store = Stores.for_command(load_or_exit(config_path)).runs
    try:
        meta = store.meta(run_id)
    except RunNotFoundError as error:
        fail(str(error), USAGE)
    summary = store.summary(run_id)
    if summary is not None:
        print_summary(summary, as_json, limit=None)
        if meta.status == "held" and not as_json:
            say(f"decide with `hopsync runs approve {run_id}` or `hopsync runs discard {run_id}`")
        sys.exit(summary_exit_code(summary))
    row = run_row(store, meta, tally=True)
    if as_json:
        click.echo(row.model_dump_json(indent=2))
        sys.exit(exit_code(row.status, row.counts.get("failed", 0)))
    dry = " (dry run)" if row.dry_run else ""
    done = format_progress(row.done, row.expected)
    say(f"{row.status.upper()}: run {run_id} ({row.kind}{dry}): {done}")
    say(f"so far: {format_counts(row.counts) or 'nothing yet'}")
    sys.exit(exit_code(row.status, row.counts.get("failed", 0)))


runs.add_command(approve)
runs.add_command(discard)
