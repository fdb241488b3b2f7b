"""`hopsync query "<filter>"`: who in ChartHop a Carrot filter selects, as a sync would see them.

People are prepared by the configured rules first (a blank location reads as Remote when that
default is on) and the filter runs on the rules' clock, so the preview selects exactly who a group
with that query would get. Everyone is read and counted; ``--limit`` only caps the rows listed.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import click
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from config.loader import LoadedConfig
from producers.cli_helpers import active_or_exit, config_option, console
from producers.ops.output import compact_table, fail, print_wide, say
from shared.carrot import Compiled, compile_filter, render
from shared.core.rules import Rules
from shared.errors import CarrotError, CarrotSyntaxError, HopsyncError
from shared.infra.clients import api_clients
from shared.records import get_path

BASE_COLUMNS = ("id", "name", "contact.workEmail")
HEADINGS = {"contact.workEmail": "work email"}


@dataclass
class Selection:
    """The people a filter selected: the rows kept for listing and the totals."""

    columns: list[str]
    rows: list[dict[str, str | None]] = field(default_factory=list)
    matched: int = 0
    scanned: int = 0


@click.command()
@config_option
@click.argument("carrot_filter", metavar="FILTER")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="People to list (0: all); all are counted.",
)
@click.option("--wide", is_flag=True, help="One unwrapped line per person, a column per field.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def query(
    config_path: str | None, carrot_filter: str, limit: int, wide: bool, as_json: bool
) -> None:
    """Preview who a Carrot filter selects in ChartHop, with the fields it reads."""
    loaded = active_or_exit(config_path)
    rules = Rules.build(loaded.config)
    compiled = compile_or_exit(carrot_filter, rules)
    try:
        selection = asyncio.run(select(loaded, rules, compiled, limit=limit))
    except CarrotError as error:
        fail(f"filter: {error}", 2)
    except HopsyncError as error:
        fail(f"query failed: {error}")
    if as_json:
        click.echo(json.dumps(selection_json(carrot_filter, compiled, selection), indent=2))
        return
    if wide:
        print_wide(selection_table(carrot_filter, selection))
    else:
        console.print(selection_view(carrot_filter, selection))
    listed = len(selection.rows)
    more = f" (listing {listed}; --limit 0 lists all)" if listed < selection.matched else ""
    say(f"{selection.matched} of {selection.scanned} people match{more}")


def compile_or_exit(text: str, rules: Rules) -> Compiled:
    """The filter compiled on the rules' clock; a bad one prints where it fails and exits 2."""
    try:
        return compile_filter(text, clock=rules.clock)
    except CarrotSyntaxError as error:
        fail(error.render("filter"), 2)
    except CarrotError as error:
        fail(f"filter: {error}", 2)


async def select(
    loaded: LoadedConfig, rules: Rules, compiled: Compiled, *, limit: int
) -> Selection:
    """Read everyone from ChartHop page by page; count the matches, keep the first ``limit``."""
    selection = Selection(columns=[*BASE_COLUMNS, *sorted(compiled.fields - set(BASE_COLUMNS))])
    async with api_clients(loaded) as clients:
        async for page in clients.charthop.list_people_pages():
            selection.scanned += len(page)
            for person in page:
                prepared = rules.prepare(person)
                if not _matches(compiled, prepared):
                    continue
                selection.matched += 1
                if limit <= 0 or len(selection.rows) < limit:
                    selection.rows.append(row(prepared, selection.columns))
    return selection


def _matches(compiled: Compiled, person: dict[str, Any]) -> bool:
    try:
        return compiled.matches(person)
    except CarrotError as error:
        who = person.get("id")
        raise CarrotError(f"evaluating it for person {who!r} failed: {error}") from error


def row(person: dict[str, Any], columns: list[str]) -> dict[str, str | None]:
    """A prepared person's cells: the display name, then each column's rendered value."""
    cells = {column: render(get_path(person, column)) for column in columns}
    cells["name"] = Rules.person_name(person)
    return cells


def selection_view(text: str, selection: Selection) -> Group:
    """The listed people for 80 columns: name and work email, then the id and the fields the
    filter reads, indented below; ids and emails are never cut (they are copied from here)."""
    fields = [column for column in selection.columns if column not in BASE_COLUMNS]
    parts: list[RenderableType] = [Text(f"people matching {text}")]
    for cells in selection.rows:
        email = cells["contact.workEmail"]
        parts.append(Text(f"{cells['name'] or '-'}" + (f" <{email}>" if email else "")))
        details = [f"id {cells['id'] or '-'}"]
        details += [
            f"{field}: {cells[field] if cells[field] is not None else '-'}" for field in fields
        ]
        parts.append(Padding(Text("; ".join(details)), (0, 0, 0, 2)))
    return Group(*parts)


def _cell(value: str | None) -> str:
    return "-" if value is None else value


def selection_table(text: str, selection: Selection) -> Table:
    """The listed people as a table with a column per field, titled with the filter (--wide)."""
    table = compact_table()
    table.title = f"people matching {text}"
    table.title_justify = "left"
    for column in selection.columns:
        table.add_column(HEADINGS.get(column, column), no_wrap=True)
    for cells in selection.rows:
        table.add_row(*(cells[column] or "" for column in selection.columns))
    return table


def selection_json(text: str, compiled: Compiled, selection: Selection) -> dict[str, Any]:
    """The selection as JSON: the filter, the fields it reads, the totals and the listed people."""
    return {
        "filter": text,
        "fields": sorted(compiled.fields),
        "scanned": selection.scanned,
        "matched": selection.matched,
        "people": selection.rows,
    }
