"""`hopsync export`: every Okta user to CSV or JSON, page by page, with progress on stderr.

Okta leaves DEPROVISIONED users out of a plain listing, so they are listed after the others with
a status search (``--no-deprovisioned`` skips them). A user seen twice (deprovisioned during the
export) is written once. Nothing is logged; the API token never leaves the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from config.loader import LoadedConfig
from producers.cli_helpers import active_or_exit, config_option, errors
from producers.ops.export_files import open_export, user_row
from producers.ops.output import fail, say
from shared.errors import HopsyncError
from shared.infra.clients import api_clients
from shared.okta import OktaClient, OktaUser

DEPROVISIONED = 'status eq "DEPROVISIONED"'


@click.command()
@config_option
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced only once the export is complete).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "json"]),
    default=None,
    help="File format [default: json for a .json file, else csv].",
)
@click.option(
    "--deprovisioned/--no-deprovisioned",
    default=True,
    show_default=True,
    help="Include DEPROVISIONED users.",
)
def export(
    config_path: str | None, out_path: Path, file_format: str | None, deprovisioned: bool
) -> None:
    """Write every Okta user: id, status, login, email, names, then every profile attribute."""
    loaded = active_or_exit(config_path)
    chosen = file_format or ("json" if out_path.suffix.lower() == ".json" else "csv")
    if not out_path.parent.is_dir():
        fail(f"cannot write {out_path}: the folder {out_path.parent} does not exist", 2)
    try:
        count = asyncio.run(export_users(loaded, out_path, chosen, deprovisioned=deprovisioned))
    except (HopsyncError, OSError) as error:
        fail(f"export failed: {error}; {out_path} was left as it was")
    say(f"exported {count} Okta user(s) to {out_path} ({chosen})")


async def export_users(
    loaded: LoadedConfig, out: Path, file_format: str, *, deprovisioned: bool = True
) -> int:
    """Write every user to ``out``, a page at a time; returns how many were written."""
    target = open_export(out, file_format)
    try:
        with progress_bar() as progress:
            task = progress.add_task("exporting Okta users", total=None)
            async with api_clients(loaded) as clients:
                async for page in user_pages(clients.okta, deprovisioned=deprovisioned):
                    target.write_page([user_row(user) for user in page])
                    progress.update(task, completed=target.count)
        target.finish()
    except BaseException:
        target.abort()
        raise
    return target.count


async def user_pages(okta: OktaClient, *, deprovisioned: bool) -> AsyncIterator[list[OktaUser]]:
    """Pages of every user, then of the deprovisioned ones; each user once."""
    seen: set[str] = set()
    searches: list[str | None] = [None, DEPROVISIONED] if deprovisioned else [None]
    for search in searches:
        async for page in okta.list_user_pages(search):
            fresh = [user for user in page if user.id not in seen]
            seen.update(user.id for user in fresh)
            if fresh:
                yield fresh


def progress_bar() -> Progress:
    """A progress display on stderr (off when stderr is not a terminal)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} users"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )
