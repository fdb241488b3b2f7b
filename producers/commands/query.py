"""`hopsync query "<filter>"`: who in ChartHop a Carrot filter selects, as the sync sees them."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import click
from rich.table import Table

from config.loader import LoadedConfig
from producers.cli import config_option, console, errors, load_or_exit
from producers.commands.context import api_clients
from shared.carrot import Compiled, compile_filter, render
from shared.errors import CarrotError, CarrotSyntaxError
from shared.records import get_path
from shared.rules import Rules

BASE_COLUMNS = ["id", "name", "contact.workEmail"]


@click.command()
@config_option
@click.argument("carrot_filter")
@click.option("--limit", default=50, show_default=True, help="Rows to show (all are counted).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def query(config_path: str | None, carrot_filter: str, limit: int, as_json: bool) -> None:
    """Preview who a group filter selects (remote-location default applied, as in a sync)."""
    try:
        compiled = compile_filter(carrot_filter)
    except CarrotSyntaxError as error:
        errors.print(error.render("filter"), markup=False, highlight=False)
        sys.exit(2)
    except CarrotError as error:
        errors.print(f"filter: {error}", markup=False, highlight=False)
        sys.exit(2)
    loaded = load_or_exit(config_path)
    matched = asyncio.run(select(loaded, compiled))
    columns = BASE_COLUMNS + sorted(compiled.fields - set(BASE_COLUMNS))
    rows = [{column: cell(person, column) for column in columns} for person in matched]
    if as_json:
        click.echo(json.dumps({"matched": len(rows), "people": rows[:limit]}, indent=2))
        return
    table = Table(*columns, title=f"{len(rows)} people match {carrot_filter}")
    for item in rows[:limit]:
        table.add_row(*(item[column] or "" for column in columns))
    console.print(table)


async def select(loaded: LoadedConfig, compiled: Compiled) -> list[dict[str, Any]]:
    """Everyone the filter selects, prepared as the sync prepares them."""
    rules = Rules.build(loaded.config)
    async with api_clients(loaded) as clients:
        return [
            prepared
            async for person in clients.charthop.list_people()
            if compiled.matches(prepared := rules.prepare(person))
        ]


def cell(person: dict[str, Any], column: str) -> str | None:
    """A column's text for a person."""
    if column == "name":
        return Rules.person_name(person)
    return render(get_path(person, column))
