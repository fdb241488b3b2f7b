"""`hopsync runs`: history, one run's summary or progress, and decisions on held runs."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table

from producers.approval import approve, discard
from producers.cli import config_option, console, errors, load_or_exit, print_summary
from producers.commands.context import Stores
from shared.errors import RunNotFoundError
from shared.models import OUTCOME_STATUSES as COUNT_ORDER


@click.group(invoke_without_command=True)
@config_option
@click.option("--limit", default=20, show_default=True, help="How many runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def runs(ctx: click.Context, config_path: str | None, limit: int, as_json: bool) -> None:
    """List recent runs, newest first (subcommands: show, approve, discard)."""
    if ctx.invoked_subcommand is not None:
        return
    stores = Stores.of(load_or_exit(config_path))
    listed = stores.runs.recent(limit)
    rows = []
    for meta in listed:
        summary = stores.runs.summary(meta.run_id)
        done, expected = stores.runs.progress(meta.run_id)
        rows.append(
            {
                **meta.model_dump(mode="json"),
                "counts": summary.counts if summary else {},
                "duration_s": summary.duration_s if summary else None,
                "progress": f"{done}/{expected if expected is not None else '?'}",
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("run", "kind", "dry", "status", "created", "duration", "counts")
    for row in rows:
        counts = ", ".join(
            f"{n} {status}" for status in COUNT_ORDER if (n := row["counts"].get(status))
        )
        duration = f"{row['duration_s']:.1f}s" if row["duration_s"] is not None else row["progress"]
        table.add_row(
            row["run_id"],
            row["kind"],
            "yes" if row["dry_run"] else "",
            row["status"],
            row["created_at"][:19],
            duration,
            counts,
        )
    console.print(table)


@runs.command()
@config_option
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(config_path: str | None, run_id: str, as_json: bool) -> None:
    """A run's summary, or its progress and outcomes so far while it goes."""
    stores = Stores.of(load_or_exit(config_path))
    try:
        meta = stores.runs.meta(run_id)
    except RunNotFoundError as error:
        errors.print(str(error), markup=False, highlight=False)
        sys.exit(1)
    summary = stores.runs.summary(run_id)
    if summary is not None:
        if meta.status == "held" and not as_json:
            console.print(f"HELD: {meta.note}", highlight=False)
        print_summary(summary, as_json, limit=None)
        return
    done, expected = stores.runs.progress(run_id)
    so_far: dict[str, int] = {}
    for outcome in stores.runs.outcomes(run_id):
        so_far[outcome.status] = so_far.get(outcome.status, 0) + 1
    report = {
        "run_id": run_id,
        "status": meta.status,
        "kind": meta.kind,
        "dry_run": meta.dry_run,
        "done": done,
        "expected": expected,
        "counts": so_far,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    console.print(
        f"run {run_id} ({meta.kind}) is {meta.status}: {done}/"
        f"{expected if expected is not None else '?'} done; so far {so_far}",
        highlight=False,
    )


runs.add_command(approve)
runs.add_command(discard)
