"""The ChartHop client retries what is worth it, then fails clearly, and never leaks the token."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from structlog.testing import capture_logs

from shared.charthop import ChartHopClient, ChartHopSettings
from shared.errors import ChartHopError, TransportError
from sim.charthop import FakeChartHop
from tests.shared.charthop.serving import fake_harness, harness

SECRET = "s3cr3t-charthop-token-value"


def _fake(size: int = 12) -> FakeChartHop:
    return FakeChartHop.generated(size, seed=3, token=SECRET)


def test_a_building_snapshot_is_waited_for_then_read() -> None:
    fake = _fake()
    fake.building_next = 2

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET, building_pause_s=1.5) as box:
            assert await box.client.count_people() == 12
            assert len(box.sleeps) == 2
            assert all(pause >= 1.5 for pause in box.sleeps)
            assert box.client.counters.by_status[202] == 2
            assert box.client.counters.retries == 2

    asyncio.run(scenario())


def test_throttling_honours_retry_after_then_succeeds() -> None:
    fake = _fake()
    fake.throttle_next, fake.retry_after = 2, "3"

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET) as box:
            people = [p async for p in box.client.list_people()]
            assert len(people) == 12
            assert box.sleeps == [3.0, 3.0]
            assert fake.calls[("list", 429)] == 2

    asyncio.run(scenario())


def test_throttling_without_retry_after_backs_off_exponentially_within_the_cap() -> None:
    fake = _fake()
    fake.throttle_next = 3

    async def scenario() -> None:
        async with fake_harness(
            fake, token=SECRET, backoff_base_s=1, backoff_max_s=3, max_retries=4
        ) as box:
            assert await box.client.count_people() == 12
            first, second, third = box.sleeps
            assert 0.5 <= first <= 1 and 1 <= second <= 2 and 1.5 <= third <= 3

    asyncio.run(scenario())


def test_server_errors_are_retried_then_the_answer_is_used() -> None:
    fake = _fake()
    fake.fail_next, fake.fail_status = 3, 502

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET) as box:
            person_id = next(iter(fake.people))
            assert await box.client.get_person(person_id) == fake.people[person_id]
            assert box.client.counters.by_kind_status[("get", 502)] == 3
            assert box.client.counters.by_kind_status[("get", 200)] == 1

    asyncio.run(scenario())


def test_exhausted_retries_raise_a_charthop_error_saying_what_and_how_often() -> None:
    fake = _fake()
    fake.fail_next = 100

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET, max_retries=2) as box:
            with pytest.raises(ChartHopError) as caught:
                await box.client.count_people()
            assert caught.value.status == 503
            assert "/v2/org/acme/person/count" in str(caught.value)
            assert "still answered 503" in str(caught.value)
            assert "after 3 tries" in str(caught.value)
            assert fake.calls[("count", 503)] == 3

    asyncio.run(scenario())


def test_a_snapshot_that_never_finishes_building_names_the_snapshot() -> None:
    fake = _fake()
    fake.building_next = 100

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET, max_retries=1) as box:
            with pytest.raises(ChartHopError, match="snapshot currently building"):
                await box.client.count_people()

    asyncio.run(scenario())


def test_an_unreachable_charthop_raises_a_transport_error_after_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = ChartHopSettings(
        base_url=f"http://127.0.0.1:{port}", org="acme", token=SecretStr(SECRET), max_retries=2
    )
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            client = ChartHopClient(settings, session, sleep=sleep)
            with pytest.raises(TransportError, match="got no answer after 3 tries") as caught:
                await client.count_people()
            assert f"127.0.0.1:{port}" in str(caught.value)
            assert client.counters.by_status[0] == 3
            assert len(sleeps) == 2

    asyncio.run(scenario())


def test_a_wrong_token_fails_at_once_with_a_hint_and_without_the_token() -> None:
    fake = _fake()

    async def scenario() -> None:
        async with fake_harness(fake, token="not-" + SECRET) as box:
            with pytest.raises(ChartHopError, match="check the ChartHop API token") as caught:
                await box.client.count_people()
            assert caught.value.status == 401
            assert SECRET not in str(caught.value)
            assert box.sleeps == []

    asyncio.run(scenario())


def _echoing_app() -> web.Application:
    """Answers every request with a 400 that quotes the Authorization header back."""

    async def echo(request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        return web.json_response({"message": f"bad request with {auth}"}, status=400)

    app = web.Application()
    app.router.add_get("/{tail:.*}", echo)
    return app


def test_the_token_never_shows_in_reprs_errors_or_logs() -> None:
    fake = _fake()
    fake.fail_next = 2

    async def scenario() -> None:
        async with fake_harness(fake, token=SECRET) as box:
            with capture_logs() as logs:
                await box.client.count_people()
            assert len(logs) == 2
            assert SECRET not in repr(logs)
            assert SECRET not in repr(box.client) + repr(box.client.settings)
            assert SECRET not in str(box.client.settings.model_dump())
        async with harness(_echoing_app(), token=SECRET) as box:
            with pytest.raises(ChartHopError) as caught:
                await box.client.count_people()
            assert "bad request with Bearer ***" in str(caught.value)
            assert SECRET not in str(caught.value) + repr(caught.value)

    asyncio.run(scenario())


def _app_answering(body: Any) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response(body)

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    return app


def test_a_page_without_data_is_reported_as_a_malformed_answer() -> None:
    async def scenario() -> None:
        async with harness(_app_answering({"people": []}), token=SECRET) as box:
            with pytest.raises(ChartHopError, match="not with a page of people") as caught:
                [p async for p in box.client.list_people()]
            assert "data" in str(caught.value)

    asyncio.run(scenario())


def test_a_cursor_that_repeats_stops_the_listing_instead_of_looping() -> None:
    body = {"data": [{"id": "a"}], "next": "same"}

    async def scenario() -> None:
        async with harness(_app_answering(body), token=SECRET) as box:
            with pytest.raises(ChartHopError, match="same paging cursor twice"):
                [p async for p in box.client.list_people()]

    asyncio.run(scenario())


def test_a_bare_number_is_accepted_as_a_count() -> None:
    async def scenario() -> None:
        async with harness(_app_answering(42), token=SECRET) as box:
            assert await box.client.count_people() == 42

    asyncio.run(scenario())
