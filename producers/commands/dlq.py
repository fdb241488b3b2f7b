"""`hopsync dlq`: list, show, replay and purge the messages that failed for good.

A replay re-enqueues sync letters as one new run of kind "replay" whose people are re-read from
ChartHop and Okta, so the replay writes what is needed now, not what was planned then. A letter
leaves the queue only once its message is re-enqueued; replaying an id already replayed finds
nothing and says so, so repeating a replay is harmless.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import UTC, datetime, timedelta

import click
import dramatiq
from rich.table import Table

from config.loader import LoadedConfig
from producers.cli import config_option, console, errors, load_or_exit
from producers.commands.context import Stores, producer
from shared import constants
from shared.deadletters import DeadLetter
from shared.errors import DeadLetterNotFoundError
from shared.models import SyncItem, SyncMessage

_DURATION = re.compile(r"^(\d+)([dhm])$")


@click.group()
def dlq() -> None:
    """Dead letters: messages that failed for good."""


@dlq.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_letters(config_path: str | None, as_json: bool) -> None:
    """Every dead letter, oldest first."""
    letters = Stores.of(load_or_exit(config_path)).dead_letters.entries()
    if as_json:
        click.echo(json.dumps([_row(letter) for letter in letters], indent=2))
        return
    table = Table("id", "actor", "person", "run", "error", "failed at")
    for letter in letters:
        row = _row(letter)
        table.add_row(
            row["id"],
            row["actor"],
            row["person"] or "",
            row["run_id"] or "",
            letter.error[:80],
            (row["failed_at"] or "")[:19],
        )
    console.print(table)
    console.print(f"{len(letters)} dead letter(s)", highlight=False)


def _row(letter: DeadLetter) -> dict[str, str | None]:
    return {
        "id": letter.id,
        "actor": letter.actor,
        "person": letter.item_key,
        "run_id": letter.run_id,
        "error": letter.error,
        "failed_at": letter.failed_at.isoformat(),
    }


@dlq.command()
@config_option
@click.argument("letter_id")
def show(config_path: str | None, letter_id: str) -> None:
    """One dead letter in full: the error and the message body."""
    try:
        letter = Stores.of(load_or_exit(config_path)).dead_letters.get(letter_id)
    except DeadLetterNotFoundError as error:
        errors.print(str(error), markup=False, highlight=False)
        sys.exit(1)
    click.echo(letter.model_dump_json(indent=2))


@dlq.command()
@config_option
@click.argument("letter_ids", nargs=-1)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@click.option("--dry-run", is_flag=True, help="List what would be replayed; enqueue nothing.")
def replay(
    config_path: str | None, letter_ids: tuple[str, ...], replay_all: bool, dry_run: bool
) -> None:
    """Re-enqueue dead letters as one new run of kind "replay"."""
    if not letter_ids and not replay_all:
        raise click.UsageError("name dead-letter ids, or pass --all")
    loaded = load_or_exit(config_path)
    stores = Stores.of(loaded)
    letters, missing = _pick(stores, letter_ids, replay_all)
    for letter_id in missing:
        console.print(
            f"{letter_id}: not in the dead-letter queue (already replayed or purged)",
            highlight=False,
        )
    if dry_run or not letters:
        for letter in letters:
            console.print(
                f"would replay {letter.id} ({letter.actor} {letter.item_key or ''})",
                highlight=False,
            )
        return
    run_id = asyncio.run(_replay(loaded, stores, letters))
    console.print(
        f"replayed {len(letters)} letter(s)"
        + (f" as run {run_id}; follow it with `hopsync runs show {run_id}`" if run_id else ""),
        highlight=False,
    )


def _pick(
    stores: Stores, ids: tuple[str, ...], replay_all: bool
) -> tuple[list[DeadLetter], list[str]]:
    if replay_all:
        return stores.dead_letters.entries(), []
    found, missing = [], []
    for letter_id in ids:
        try:
            found.append(stores.dead_letters.get(letter_id))
        except DeadLetterNotFoundError:
            missing.append(letter_id)
    return found, missing


async def _replay(loaded: LoadedConfig, stores: Stores, letters: list[DeadLetter]) -> str | None:
    syncs = [letter for letter in letters if letter.actor == constants.SYNC_ACTOR]
    others = [letter for letter in letters if letter.actor != constants.SYNC_ACTOR]
    for letter in others:
        stores.broker.enqueue(_original(letter))
        stores.dead_letters.remove(letter.id)
    if not syncs:
        return None
    items = [_item(letter) for letter in syncs]
    async with producer(loaded, stores) as making:
        run = await making.replay(items)
    for letter in syncs:
        stores.dead_letters.remove(letter.id)
    return run.run_id


def _item(letter: DeadLetter) -> SyncItem:
    body = SyncMessage.model_validate(letter.message["args"][0])
    # A fresh key: the replay is a new run, and its outcome must not collide with the old one.
    return body.item.model_copy(update={"key": body.item.key.split("@")[0]})


def _original(letter: DeadLetter) -> dramatiq.Message[object]:
    message = letter.message
    return dramatiq.Message(
        queue_name=message["queue_name"],
        actor_name=message["actor_name"],
        args=tuple(message["args"]),
        kwargs=message.get("kwargs", {}),
        options={},
    )


@dlq.command()
@config_option
@click.argument("letter_ids", nargs=-1)
@click.option("--older-than", default=None, metavar="AGE", help="e.g. 7d, 12h, 30m")
def purge(config_path: str | None, letter_ids: tuple[str, ...], older_than: str | None) -> None:
    """Delete dead letters by id, or all those older than an age."""
    if bool(letter_ids) == bool(older_than):
        raise click.UsageError("name dead-letter ids, or pass --older-than AGE (not both)")
    stores = Stores.of(load_or_exit(config_path))
    targets = list(letter_ids)
    if older_than:
        match = _DURATION.match(older_than.strip())
        if match is None:
            raise click.BadParameter(f"{older_than!r}; use a number and d, h or m, like 7d")
        unit = {"d": "days", "h": "hours", "m": "minutes"}[match[2]]
        cutoff = datetime.now(UTC) - timedelta(**{unit: int(match[1])})
        targets = stores.dead_letters.older_than(cutoff)
    removed = sum(stores.dead_letters.remove(letter_id) for letter_id in targets)
    console.print(f"purged {removed} dead letter(s)", highlight=False)
