"""The ChartHop client lists, reads and counts people against the fake ChartHop."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from shared.charthop import ChartHopClient
from sim.charthop import FakeChartHop
from tests.shared.charthop.serving import fake_harness

TODAY = date(2026, 11, 28)


def _fake(size: int = 40, **options: Any) -> FakeChartHop:
    return FakeChartHop.generated(size, seed=7, today=TODAY, **options)


async def _all(client: ChartHopClient, **options: Any) -> list[dict[str, Any]]:
    return [person async for person in client.list_people(**options)]


def test_listing_follows_the_cursor_across_many_pages() -> None:
    fake = _fake(1050)

    async def scenario() -> None:
        async with fake_harness(fake, page_size=200) as box:
            people = await _all(box.client)
            assert [p["id"] for p in people] == list(fake.people)
            assert people == list(fake.people.values())
            assert box.client.counters.pages == 6
            assert box.client.counters.people == 1050
            assert box.client.counters.by_kind_status[("list", 200)] == 6
            assert fake.calls[("list", 200)] == 6

    asyncio.run(scenario())


def test_pages_come_as_lists_of_at_most_the_page_size() -> None:
    fake = _fake(450)

    async def scenario() -> None:
        async with fake_harness(fake, page_size=200) as box:
            sizes = [len(page) async for page in box.client.list_people_pages()]
            assert sizes == [200, 200, 50]

    asyncio.run(scenario())


def test_a_limit_caps_the_people_returned_and_the_last_page_asked_for() -> None:
    fake = _fake(500)

    async def scenario() -> None:
        async with fake_harness(fake, page_size=200) as box:
            people = await _all(box.client, limit=250)
            assert [p["id"] for p in people] == list(fake.people)[:250]
            assert fake.calls[("list", 200)] == 2
            assert await _all(box.client, limit=0) == []
            assert fake.calls[("list", 200)] == 2

    asyncio.run(scenario())


def test_rows_asked_with_fields_come_back_flat_and_are_returned_nested() -> None:
    fake = _fake(30)
    fields = ["name.first", "contact.workEmail", "manager", "location.address.city"]

    async def scenario() -> None:
        async with fake_harness(fake, page_size=7) as box:
            people = await _all(box.client, fields=fields)
            assert len(people) == 30
            for person in people:
                stored = fake.people[person["id"]]
                assert not any("." in key for key in person)
                assert person["name"] == {"first": stored["name"]["first"]}
                assert person.get("manager") == stored.get("manager")
                assert person.get("location") == (
                    {"address": {"city": stored["location"]["address"]["city"]}}
                    if "location" in stored
                    else None
                )
                assert set(person) <= {"id", "name", "contact", "manager", "location"}

    asyncio.run(scenario())


def test_include_all_adds_departed_people_with_their_end_date() -> None:
    fake = _fake(60, departed=5)

    async def scenario() -> None:
        async with fake_harness(fake) as box:
            active = await _all(box.client)
            everyone = await _all(box.client, include_all=True)
            assert len(active) == 60
            assert len(everyone) == 65
            gone = [p for p in everyone if "endDateOrg" in p]
            assert {p["id"] for p in gone} == set(fake.departed)
            assert await box.client.count_people(include_all=True) == 65

    asyncio.run(scenario())


def test_a_query_is_sent_to_charthop_and_narrows_listing_and_count() -> None:
    fake = _fake(300)
    engineers = [p for p in fake.people.values() if p["department"]["name"] == "Engineering"]

    async def scenario() -> None:
        async with fake_harness(fake) as box:
            people = await _all(box.client, q="department.name=engineering")
            assert [p["id"] for p in people] == [p["id"] for p in engineers]
            assert await box.client.count_people("department.name=engineering") == len(engineers)
            assert await box.client.count_people() == 300

    asyncio.run(scenario())


def test_one_person_is_read_nested_and_an_unknown_id_gives_none() -> None:
    fake = _fake(10)
    person_id = next(iter(fake.people))

    async def scenario() -> None:
        async with fake_harness(fake) as box:
            assert await box.client.get_person(person_id) == fake.people[person_id]
            assert await box.client.get_person("0" * 24) is None
            slim = await box.client.get_person(person_id, fields=["contact.workEmail"])
            email = fake.people[person_id]["contact"]["workEmail"]
            assert slim == {"id": person_id, "contact": {"workEmail": email}}
            assert box.client.counters.by_kind_status[("get", 404)] == 1

    asyncio.run(scenario())


def test_an_org_id_works_in_place_of_the_slug() -> None:
    fake = _fake(5)

    async def scenario() -> None:
        async with fake_harness(fake, org=fake.org_id) as box:
            assert await box.client.count_people() == 5

    asyncio.run(scenario())
