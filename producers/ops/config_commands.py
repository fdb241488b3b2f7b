"""`hopsync config apply|show|history|diff|rollback`: the configuration versions kept in Redis.

Every process plans with the active version (shared.infra.active_config); these commands save a new
one (validated as `hopsync check` validates a file: nothing is saved on any problem, exit 2),
show one as YAML, list them, compare two, and roll back (a new version equal to an old one).
They need only REDIS_URL (and, to apply, the secrets `check` requires, and ChartHop to check
the fields the file reads, unless --offline).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import click
import yaml
from rich.table import Table

from config.loader import LoadedConfig, Secrets
from config.settings import HopsyncConfig
from producers.cli_helpers import console, fields_or_exit, print_finding, validate_or_exit
from producers.exits import remember_redis_url
from producers.ops.output import clip, fail, say, stamp
from shared.errors import ConfigError, ConfigVersionNotFoundError
from shared.infra.active_config import cli_author, store_of
from shared.infra.config_store import ConfigStore, ConfigVersion
from shared.infra.redis_client import COMMAND_RETRIES, connect_redis

VERSION_HELP = "a version number, `active`, or `draft-N` for a dry run's draft"


@contextmanager
def opened_store() -> Iterator[ConfigStore]:
    """The store on $REDIS_URL; exit 2 on a missing version or a bad document.

    Redis not answering propagates: the CLI's group tells it in one line, exit 4.
    """
    secrets = Secrets.from_env(os.environ)
    remember_redis_url(secrets.redis_url)
    client = connect_redis(secrets.redis_url, retries=COMMAND_RETRIES, socket_connect_timeout=5)
    try:
        yield store_of(client, secrets)
    except (ConfigVersionNotFoundError, ConfigError) as error:
        fail(str(error), code=2)
    finally:
        client.close()


def parse_ref(store: ConfigStore, text: str) -> tuple[int, bool]:
    """``7`` -> (7, False); ``draft-3`` -> (3, True); ``active`` -> the active version."""
    cleaned = text.strip().casefold()
    if cleaned == "active":
        return store.active().version, False
    draft = cleaned.startswith("draft-")
    number = cleaned.removeprefix("draft-")
    if not number.isdigit():
        fail(f"{text!r} names no configuration version; use {VERSION_HELP}", code=2)
    return int(number), draft


@click.group("config")
def config() -> None:
    """Configuration versions in Redis: apply a file, show, history, diff, rollback."""


@config.command()
@click.argument("file", metavar="FILE")
@click.option("--comment", default="", help="Why this change (kept with the version).")
@click.option(
    "--if-none",
    is_flag=True,
    help="Save only when Redis holds no version yet (a first deployment); else change nothing.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Check only the file and the environment: the fields it reads are not checked "
    "against ChartHop (as `check --offline`).",
)
def apply(file: str, comment: str, if_none: bool, offline: bool) -> None:
    """Validate FILE as `hopsync check` does, then save it as the new active version.

    The file and the secrets, then every ChartHop field it reads (ChartHop's field list, else
    the people read). Every service follows the new version within seconds; runs already going
    keep theirs.
    """
    loaded = validate_or_exit(file)  # exits 2 listing every problem: nothing saved
    note = comment or f"from {file}"
    with opened_store() as store:
        if if_none and store.active_number() is not None:
            found = store.active()
            say(f"left as is: version {found.version} is active (--if-none saves only the first)")
            return
        previous = store.active() if store.active_number() is not None else None
        if previous is not None and previous.same_as(loaded.config):
            say(f"unchanged: version {previous.version} (active) is already this configuration")
            return
        _check_fields(loaded, offline)  # only once something would be saved
        if if_none:
            _apply_first(store, loaded.config, note)
            return
        saved = store.save(loaded.config, author=cli_author(), source="cli", comment=note)
        say(f"saved version {saved.version}: now active (services follow within seconds)")
        if previous is not None:
            _print_changes(store, previous.version, saved.version)


def _check_fields(loaded: LoadedConfig, offline: bool) -> None:
    """What `check` finds in the file beyond parsing: its warnings (safety limits turned off),
    then, online, that its fields exist in the org."""
    from shared.infra.preflight import offline_findings

    for finding in offline_findings(loaded.config):
        print_finding(finding)
    if offline:
        say("fields not checked against ChartHop (--offline): file and environment only")
        return
    fields_or_exit(loaded, nothing_done="nothing saved")


def _apply_first(store: ConfigStore, config: HopsyncConfig, note: str) -> None:
    found, saved = store.bootstrap(config, author=cli_author(), source="cli", comment=note)
    if saved:
        say(f"saved version {found.version}: now active (the first configuration)")
    else:
        say(f"left as is: version {found.version} is active (--if-none saves only the first)")


def _print_changes(store: ConfigStore, old: int, new: int) -> None:
    changes = store.diff(old, new)
    say(f"changes from version {old}:")
    for change in changes:
        say(f"  {change.describe()}")
    if any(change.path.startswith("worker.") for change in changes):
        say("note: worker.* settings (processes, threads, retries) apply when workers restart")


@config.command()
@click.argument("version", default="active", metavar="[VERSION]")
def show(version: str) -> None:
    """Print a version as YAML (default: the active one); VERSION may be `draft-N`."""
    with opened_store() as store:
        number, draft = parse_ref(store, version)
        found = store.get(number, draft=draft)
        active = store.active_number()
    marker = " (active)" if not found.draft and found.version == active else ""
    say(f"# configuration {found.label}{marker}: {_provenance(found)}")
    click.echo(yaml.safe_dump(found.document, sort_keys=False, allow_unicode=True), nl=False)


@config.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
def history(limit: int, as_json: bool) -> None:
    """The saved versions, newest first, with who saved them, how, when and why."""
    with opened_store() as store:
        versions = store.history(limit)
        active = store.active_number()
    if as_json:
        rows = [v.model_dump(mode="json", exclude={"document"}) for v in versions]
        click.echo(json.dumps([{**row, "active": row["version"] == active} for row in rows]))
        return
    if not versions:
        say("no configuration saved yet: `hopsync config apply FILE` saves one")
        return
    console.print(_history_table(versions, active))


def _history_table(versions: list[ConfigVersion], active: int | None) -> Table:
    table = Table()
    for name in ("version", "saved (UTC)", "by", "via", "comment"):
        table.add_column(name, no_wrap=name in ("version", "saved (UTC)"))
    for found in versions:
        mark = " *" if found.version == active else ""
        comment = found.comment
        if found.restored_from is not None and str(found.restored_from) not in comment:
            comment = f"{comment} (copy of {found.restored_from})".strip()
        table.add_row(
            f"{found.version}{mark}",
            stamp(found.saved_at),
            found.author,
            found.source,
            clip(comment),
        )
    table.caption = "* active"
    return table


@config.command()
@click.argument("old", metavar="A")
@click.argument("new", metavar="B")
def diff(old: str, new: str) -> None:
    """What changes from version A to version B, one setting per line (A, B: see `show`)."""
    with opened_store() as store:
        before, before_draft = parse_ref(store, old)
        after, after_draft = parse_ref(store, new)
        changes = store.diff(before, after, old_draft=before_draft, new_draft=after_draft)
    if not changes:
        say(f"no differences between {old} and {new}")
        return
    for change in changes:
        say(change.describe())


@config.command()
@click.argument("version", type=int, metavar="VERSION")
@click.option("--comment", default="", help="Why (kept with the new version).")
def rollback(version: int, comment: str) -> None:
    """Save a new active version equal to VERSION (history is kept; nothing is deleted)."""
    with opened_store() as store:
        previous = store.active_number()
        saved = store.rollback(version, author=cli_author(), source="cli", comment=comment)
        say(f"saved version {saved.version}, a copy of version {version}: now active")
        if previous is not None:
            _print_changes(store, previous, saved.version)


def _provenance(found: ConfigVersion) -> str:
    text = f"saved {stamp(found.saved_at)} UTC by {found.author} via {found.source}"
    if found.comment:
        text += f" ({found.comment})"
    if found.expires_at is not None:
        text += f"; expires {stamp(found.expires_at)} UTC"
    return text
