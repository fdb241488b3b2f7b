"""The ChartHop client reads the org's field list; a token without access gets a 403."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from shared.charthop import ChartHopClient
from shared.errors import ChartHopError
from shared.infra.org_fields import read_known_fields
from sim.charthop import FakeChartHop
from sim.charthop.fields import BUILTIN_FIELDS
from tests.shared.charthop.serving import fake_harness


def _fake() -> FakeChartHop:
    people = FakeChartHop.generated(30, seed=3, today=date(2026, 11, 28)).people.values()
    return FakeChartHop([{**person, "costCenter": "CC-7"} for person in people])


def test_the_field_list_has_the_built_in_fields_and_the_custom_ones() -> None:
    async def scenario() -> None:
        async with fake_harness(_fake()) as box:
            names = await box.client.list_fields()
            assert names[: len(BUILTIN_FIELDS)] == [code for code, _, _ in BUILTIN_FIELDS]
            assert names[len(BUILTIN_FIELDS) :] == ["costCenter"]
            assert await box.client.list_fields("custom") == ["costCenter"]

    asyncio.run(scenario())


def test_a_token_without_access_to_the_field_list_gets_a_403() -> None:
    fake = _fake()
    fake.fields_forbidden = True

    async def scenario() -> None:
        async with fake_harness(fake) as box:
            with pytest.raises(ChartHopError) as caught:
                await box.client.list_fields()
            assert caught.value.status == 403

    asyncio.run(scenario())


def test_known_fields_come_from_the_list_else_from_the_people_read() -> None:
    fake = _fake()

    async def read(client: ChartHopClient) -> tuple[str, bool, int | None]:
        known, people = await read_known_fields(client)
        return known.source, known.knows("costCenter"), None if people is None else len(people)

    async def scenario() -> None:
        async with fake_harness(fake) as box:
            source, knows, people = await read(box.client)
            assert source.startswith("ChartHop's field list (")
            assert knows and people is None
            fake.fields_forbidden = True
            source, knows, people = await read(box.client)
            assert source == (
                "the fields present in the 30 people read; ChartHop's field list answered 403"
            )
            assert knows and people == 30

    asyncio.run(scenario())
