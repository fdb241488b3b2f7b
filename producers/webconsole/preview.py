"""A profile field's preview: the values its source gives for a few real ChartHop people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from config.loader import LoadedConfig
from shared.carrot import Compiled, render
from shared.core.rules import Rules
from shared.errors import CarrotError
from shared.infra.clients import api_clients

PEOPLE: Final = 5


@dataclass(frozen=True)
class PreviewRow:
    """One person and the value the source gives them (or why it could not)."""

    name: str
    value: str | None
    problem: str = ""


async def preview(
    loaded: LoadedConfig, rules: Rules, source: Compiled, people: int = PEOPLE
) -> list[PreviewRow]:
    """The source evaluated for the first ``people`` people ChartHop lists."""
    rows: list[PreviewRow] = []
    async with api_clients(loaded) as clients:
        async for page in clients.charthop.list_people_pages():
            for person in page[: people - len(rows)]:
                rows.append(_row(rules, source, person))
            if len(rows) >= people:
                break
    return rows


def _row(rules: Rules, source: Compiled, person: dict[str, object]) -> PreviewRow:
    prepared = rules.prepare(person)
    name = Rules.person_name(prepared) or str(person.get("id"))
    try:
        return PreviewRow(name, render(source.evaluate(prepared)))
    except CarrotError as error:
        return PreviewRow(name, None, str(error))
