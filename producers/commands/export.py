"""`hopsync export`: every Okta user, streamed page by page to CSV or JSON."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any, TextIO

import click
from rich.progress import Progress, SpinnerColumn, TextColumn

from config.loader import LoadedConfig
from producers.cli import config_option, console, errors, load_or_exit
from producers.commands.context import api_clients
from shared.okta import OktaUser

NAMED = ["id", "status", "login", "email", "firstName", "lastName"]


@click.command()
@config_option
@click.option(
    "--out", "out_path", required=True, type=click.Path(dir_okay=False), help="File to write."
)
@click.option(
    "--format", "file_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def export(config_path: str | None, out_path: str, file_format: str) -> None:
    """Write every Okta user: id, status, login, email, names, and every profile attribute."""
    loaded = load_or_exit(config_path)
    count = asyncio.run(_export(loaded, Path(out_path), file_format))
    console.print(f"exported {count} Okta user(s) to {out_path}", highlight=False)


async def _export(loaded: LoadedConfig, out: Path, file_format: str) -> int:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )
    with progress, out.open("w", encoding="utf-8", newline="") as handle:
        task = progress.add_task("exporting Okta users", total=None)
        async with api_clients(loaded) as clients:
            writer = JsonWriter(handle) if file_format == "json" else CsvWriter(handle, out)
            async for page in clients.okta.list_user_pages():
                writer.page([row(user) for user in page])
                progress.update(task, description=f"exported {writer.count} Okta users")
            writer.close()
            return writer.count


def row(user: OktaUser) -> dict[str, Any]:
    """One user as a flat row: the named columns, then every profile attribute."""
    profile = {key: value for key, value in user.profile.items() if value is not None}
    return {"id": user.id, "status": user.status, **profile}


class JsonWriter:
    """Writes a JSON array one page at a time."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.count = 0
        handle.write("[")

    def page(self, rows: list[dict[str, Any]]) -> None:
        """Append a page of rows."""
        for item in rows:
            self.handle.write(("," if self.count else "") + "\n" + json.dumps(item))
            self.count += 1

    def close(self) -> None:
        """End the array."""
        self.handle.write("\n]\n")


class CsvWriter:
    """Writes CSV page by page; a page with new attributes rewrites the header once at the end.

    Columns are the named ones first, then every other attribute seen, sorted. Rows are spooled
    to the file as they come; since later pages may add attributes, the file is finished by
    rewriting it with the final header (a cheap pass over what is already on disk).
    """

    def __init__(self, handle: TextIO, path: Path) -> None:
        self.handle = handle
        self.path = path
        self.count = 0
        self.extra: set[str] = set()

    def page(self, rows: list[dict[str, Any]]) -> None:
        """Spool a page of rows as JSON lines."""
        for item in rows:
            self.extra.update(key for key in item if key not in NAMED)
            self.handle.write(json.dumps(item) + "\n")
            self.count += 1
        self.handle.flush()

    def close(self) -> None:
        """Turn the spooled lines into CSV with the final columns."""
        self.handle.flush()
        columns = NAMED + sorted(self.extra)
        spooled = self.path.read_text(encoding="utf-8").splitlines()
        self.handle.seek(0)
        self.handle.truncate()
        writer = csv.DictWriter(self.handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for line in spooled:
            writer.writerow({key: _cell(value) for key, value in json.loads(line).items()})


def _cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | dict) else value
