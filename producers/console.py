"""Show runs on a terminal: a progress bar while a run goes, and its summary as a table."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared.models import RunSummary
from shared.runs import RunStore
from shared.summary import describe, headline


def wait_for_summary(
    runs: RunStore,
    run_id: str,
    *,
    console: Console | None = None,
    timeout_s: float = 3600,
    poll_s: float = 0.2,
) -> RunSummary:
    """Show progress until the run's summary is stored; raises TimeoutError past the timeout."""
    out = console or Console(stderr=True)
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=True, disable=not out.is_terminal) as bar:
        task = bar.add_task(f"run {run_id}", total=None)
        while time.monotonic() < deadline:
            summary = runs.summary(run_id)
            if summary is not None:
                return summary
            done, expected = runs.progress(run_id)
            bar.update(task, completed=done, total=expected)
            time.sleep(poll_s)
    raise TimeoutError(
        f"run {run_id} has no summary after {timeout_s:.0f} s; "
        f"check the workers, then `hopsync runs show {run_id}`"
    )


def summary_table(summary: RunSummary, limit: int | None = 50) -> Table:
    """The summary's changes as a table with a headline caption."""
    table = Table(title=headline(summary), title_justify="left", show_lines=False)
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
