"""`hopsync dlq`: list, show, replay and purge the messages that failed for good.

Replaying is safe to repeat: a letter leaves the queue once its message is enqueued again, so a
second replay of the same ids finds nothing, says "not in the dead-letter queue" for each, and
exits 0. ``--dry-run`` only lists what would be replayed; nothing is enqueued or removed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click
import redis
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from config.loader import LoadedConfig
from producers.cli_helpers import active_or_exit, config_option, console, errors, print_summary
from producers.exits import (
    DONE,
    UNAVAILABLE,
    HopsyncGroup,
    infrastructure_line,
    summary_exit_code,
    wrapped_lines,
)
from producers.factory import open_producer
from producers.ops.durations import Duration
from producers.ops.output import clip, compact_table, fail, print_wide, say, stamp
from producers.ops.replay import ReplayPlan, plan_replay, replay
from producers.ops.terminal import wait_for_summary
from shared.core.models import RunMeta, RunSummary
from shared.errors import ConfigError, DeadLetterNotFoundError, HopsyncError
from shared.infra.deadletters import DeadLetter, DeadLetterStore
from shared.infra.runs import by_cli
from shared.infra.stores import Stores

NOT_FOUND = "not in the dead-letter queue (already replayed or purged)"


@click.group(cls=HopsyncGroup)
def dlq() -> None:
    """Dead letters: messages that failed for good, kept until replayed or purged."""


@dlq.command("list")
@config_option
@click.option("--wide", is_flag=True, help="One unwrapped line per letter, every column.")
@click.option("--json", "as_json", is_flag=True, help="Print the letters (without bodies) as JSON.")
def list_letters(config_path: str | None, wide: bool, as_json: bool) -> None:
    """Every dead letter, oldest first."""
    letters = Stores.for_command(active_or_exit(config_path)).dead_letters.entries()
    if as_json:
        click.echo(json.dumps([letter_fields(letter) for letter in letters], indent=2))
    elif letters and wide:
        print_wide(letters_table(letters))
    elif letters:
        console.print(letters_view(letters))
    else:
        say("the dead-letter queue is empty")


def letter_fields(letter: DeadLetter) -> dict[str, Any]:
    """A letter as JSON, without its message body (`hopsync dlq show` has it)."""
    return letter.model_dump(mode="json", exclude={"message"})


ERROR_CHARS = 150  # two lines at 80 columns; `hopsync dlq show ID` has the whole error


def letters_view(letters: list[DeadLetter]) -> Group:
    """Letters for 80 columns: id, actor and time; then person and run; then the error."""
    parts: list[RenderableType] = [
        Text(f"{len(letters)} dead letter(s), oldest first; `hopsync dlq show ID` shows one whole")
    ]
    for letter in letters:
        failed = stamp(letter.failed_at)[:16]  # to the minute: `dlq show` has the seconds
        parts.append(Text(f"{letter.id}  {letter.actor}  {failed} UTC"))
        person = letter.person_id or letter.item_key
        where = [
            f"person {person}" if person else "",
            f"run {letter.run_id}" if letter.run_id else "",
        ]
        if any(where):
            parts.append(Padding(Text("  ".join(part for part in where if part)), (0, 0, 0, 2)))
        parts.append(Padding(Text(clip(letter.error, ERROR_CHARS)), (0, 0, 0, 2)))
    return Group(*parts)


def letters_table(letters: list[DeadLetter]) -> Table:
    """Letters as a table with every column (``--wide``); the error cut to its first line."""
    table = compact_table()
    table.title = f"{len(letters)} dead letter(s), oldest first"
    table.title_justify = "left"
    for name in ("message id", "actor", "person", "run", "error", "failed at (UTC)"):
        table.add_column(name, no_wrap=True)
    for letter in letters:
        table.add_row(
            letter.id,
            letter.actor,
            letter.person_id or letter.item_key or "",
            letter.run_id or "",
            clip(letter.error, ERROR_CHARS),
            stamp(letter.failed_at),
        )
    return table


@dlq.command()
@config_option
@click.argument("letter_id")
@click.option("--json", "as_json", is_flag=True, help="Print the whole letter as JSON.")
def show(config_path: str | None, letter_id: str, as_json: bool) -> None:
    """One dead letter in full: its fields, the whole error and the message body."""
    try:
        letter = Stores.for_command(active_or_exit(config_path)).dead_letters.get(letter_id)
    except DeadLetterNotFoundError as error:
        fail(str(error))
    if as_json:
        click.echo(letter.model_dump_json(indent=2))
        return
    for name, value in (
        ("message id", letter.id),
        ("actor", letter.actor),
        ("queue", letter.queue),
        ("run", letter.run_id or "-"),
        ("person", letter.item_key or "-"),
        ("person id", letter.person_id or "-"),
        ("failed at", f"{stamp(letter.failed_at)} UTC"),
        ("tries", str(letter.retries)),
    ):
        say(f"{name}: {value}")
    say("error:")
    say("  " + letter.error.replace("\n", "\n  "))
    say("message:")
    say(json.dumps(letter.message, indent=2, sort_keys=True))


@dlq.command("replay")
@config_option
@click.argument("letter_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@click.option("--dry-run", is_flag=True, help="List what would be replayed; enqueue nothing.")
@click.option("--wait", is_flag=True, help="Show the replay run's progress, then its summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds --wait waits.")
def replay_letters(
    config_path: str | None,
    letter_ids: tuple[str, ...],
    replay_all: bool,
    dry_run: bool,
    wait: bool,
    as_json: bool,
    timeout: float,
) -> None:
    """Enqueue dead letters again: sync letters as ONE new run of kind "replay", read fresh.

    With --wait, exits with the replay run's code (1 when people failed again).
    """
    if bool(letter_ids) == replay_all:
        raise click.UsageError("name the dead letters to replay, or pass --all (not both)")
    loaded = active_or_exit(config_path)
    stores = Stores.for_command(loaded)
    letters, missing = pick(stores.dead_letters, letter_ids)
    plan = plan_replay(letters)
    run: RunMeta | None = None
    if not dry_run and plan.replayed:
        try:
            run = asyncio.run(_enqueue(loaded, stores, plan))
        except ConfigError as error:  # the configuration reads unknown fields: nothing enqueued
            # Wrapped at the terminal's width, as `resync not started` is; the caret lines stay.
            errors.print(
                wrapped_lines(f"replay not started: {error}"), markup=False, highlight=False
            )
            sys.exit(2)
        except (HopsyncError, redis.RedisError) as error:
            code = UNAVAILABLE if infrastructure_line(error) else 1
            kept = "letters not yet enqueued stay in the queue: retry"
            fail(f"replay failed: {infrastructure_line(error) or error}; {kept}", code)
    summary = wait_for_summary(stores.runs, run.run_id, timeout_s=timeout) if wait and run else None
    if as_json:
        click.echo(json.dumps(replay_report(plan, missing, run, summary, dry_run), indent=2))
    else:
        _print_replay(plan, missing, run, dry_run)
        if summary is not None:
            print_summary(summary, as_json=False)
    sys.exit(summary_exit_code(summary) if summary is not None else DONE)


def pick(store: DeadLetterStore, ids: tuple[str, ...]) -> tuple[list[DeadLetter], list[str]]:
    """The named letters (every letter when none is named), oldest first, and the ids not found."""
    if not ids:
        return store.entries(), []
    found: list[DeadLetter] = []
    missing: list[str] = []
    for letter_id in dict.fromkeys(ids):
        try:
            found.append(store.get(letter_id))
        except DeadLetterNotFoundError:
            missing.append(letter_id)
    return sorted(found, key=lambda letter: letter.failed_at), missing


async def _enqueue(loaded: LoadedConfig, stores: Stores, plan: ReplayPlan) -> RunMeta | None:
    async with open_producer(loaded, stores, started_by=by_cli()) as making:
        return await replay(plan, making, stores.dead_letters)


def replay_report(
    plan: ReplayPlan,
    missing: list[str],
    run: RunMeta | None,
    summary: RunSummary | None,
    dry_run: bool,
) -> dict[str, Any]:
    """The result of a replay as JSON."""
    return {
        "dry_run": dry_run,
        "run_id": run.run_id if run else None,
        "people": len(plan.items),
        "replayed": [letter.id for letter in plan.replayed],
        "requeued": [letter.id for letter in plan.originals],
        "not_found": missing,
        "skipped": [{"id": skip.letter.id, "reason": skip.reason} for skip in plan.skipped],
        "summary": summary.model_dump(mode="json") if summary else None,
    }


def _print_replay(plan: ReplayPlan, missing: list[str], run: RunMeta | None, dry: bool) -> None:
    for letter_id in missing:
        say(f"{letter_id}: {NOT_FOUND}")
    for skip in plan.skipped:
        say(f"{skip.letter.id}: skipped: {skip.reason}")
    verb = "would replay" if dry else "replayed"
    for letter in plan.replayed:
        who = f" person {letter.item_key}" if letter.item_key else ""
        say(f"{verb} {letter.id} ({letter.actor}{who}, run {letter.run_id or '-'})")
    if not plan.replayed:
        say("nothing to replay")
        return
    people = f"{len(plan.items)} people in one replay run"
    others = f"{len(plan.originals)} other message(s) as they were"
    if dry:
        say(f"dry run: would enqueue {people} and {others}; nothing was enqueued")
    elif run is not None:
        say(f"{people} ({run.run_id}) and {others} enqueued")
        say(f"follow it with `hopsync runs show {run.run_id}`")
    else:
        say(f"{others} enqueued")


@dlq.command()
@config_option
@click.argument("letter_ids", nargs=-1)
@click.option(
    "--older-than",
    "age",
    type=Duration(),
    default=None,
    metavar="AGE",
    help="Purge every letter that failed longer ago than AGE: 7d, 12h, 30m, 1d12h.",
)
def purge(config_path: str | None, letter_ids: tuple[str, ...], age: timedelta | None) -> None:
    """Delete dead letters for good: by id, or all older than an age."""
    if bool(letter_ids) == (age is not None):
        raise click.UsageError("name the dead letters to purge, or pass --older-than (not both)")
    store = Stores.for_command(active_or_exit(config_path)).dead_letters
    targets = list(letter_ids) if age is None else store.older_than(datetime.now(UTC) - age)
    purged = 0
    for letter_id in dict.fromkeys(targets):
        if store.remove(letter_id):
            purged += 1
        else:
            say(f"{letter_id}: {NOT_FOUND}")
    say(f"purged {purged} dead letter(s); {store.count()} left")
