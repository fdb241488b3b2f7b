"""The fake ChartHop over HTTP: auth, paging, fields, filters, counters and fault knobs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import aiohttp

from sim.charthop import DEFAULT_TOKEN, FakeChartHop, create_app
from tests.shared.charthop.serving import served

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


async def _get(
    fake: FakeChartHop, path: str, params: Mapping[str, str] | None = None, **headers: str
) -> tuple[int, Any, Mapping[str, str]]:
    async with (
        served(create_app(fake)) as url,
        aiohttp.ClientSession() as session,
        session.get(url + path, params=params, headers=headers or AUTH) as response,
    ):
        return response.status, await response.json(), response.headers


def _call(fake: FakeChartHop, path: str, params: Mapping[str, str] | None = None, **h: str) -> Any:
    return asyncio.run(_get(fake, path, params, **h))


def test_requests_without_the_bearer_token_are_refused() -> None:
    fake = FakeChartHop.generated(3)
    status, body, _ = _call(fake, "/v2/org/acme/person", Authorization="Bearer wrong")
    assert status == 401 and "bearer token" in body["message"]
    assert fake.calls[("list", 401)] == 1


def test_an_unknown_org_is_not_found() -> None:
    status, body, _ = _call(FakeChartHop.generated(3), "/v2/org/other/person/count")
    assert (status, body["message"]) == (404, "no org 'other'")


def test_a_listing_pages_with_limit_and_an_opaque_next_cursor() -> None:
    fake = FakeChartHop.generated(25)
    status, first, _ = _call(fake, "/v2/org/acme/person", {"limit": "10"})
    assert status == 200 and len(first["data"]) == 10
    _, second, _ = _call(fake, "/v2/org/acme/person", {"limit": "10", "from": first["next"]})
    _, third, _ = _call(fake, "/v2/org/acme/person", {"limit": "10", "from": second["next"]})
    assert "next" not in third and len(third["data"]) == 5
    ids = [p["id"] for page in (first, second, third) for p in page["data"]]
    assert ids == list(fake.people)


def test_fields_make_rows_flat_with_only_those_fields_and_the_id() -> None:
    fake = FakeChartHop.generated(5, blank_location_share=0)
    _, body, _ = _call(fake, "/v2/org/acme/person", {"fields": "name.first,location.address"})
    for row in body["data"]:
        stored = fake.people[row["id"]]
        assert row == {
            "id": stored["id"],
            "name.first": stored["name"]["first"],
            "location.address.city": stored["location"]["address"]["city"],
            "location.address.state": stored["location"]["address"]["state"],
            "location.address.country": stored["location"]["address"]["country"],
        }


def test_include_all_lists_departed_people_too() -> None:
    fake = FakeChartHop.generated(10, departed=2)
    _, active, _ = _call(fake, "/v2/org/acme/person/count")
    _, everyone, _ = _call(fake, "/v2/org/acme/person/count", {"includeAll": "true"})
    assert (active, everyone) == ({"count": 10}, {"count": 12})


def test_a_query_filter_hook_replaces_the_simple_filter() -> None:
    fake = FakeChartHop.generated(30)
    seen: list[str] = []

    def hook(q: str, person: Mapping[str, Any]) -> bool:
        seen.append(q)
        return bool(person["directReports"])

    fake.query_filter = hook
    _, body, _ = _call(fake, "/v2/org/acme/person", {"q": "is:manager", "limit": "100"})
    managers = [p["id"] for p in fake.people.values() if p["directReports"]]
    assert [p["id"] for p in body["data"]] == managers
    assert set(seen) == {"is:manager"}


def test_bad_limits_cursors_and_queries_are_answered_400_with_the_reason() -> None:
    fake = FakeChartHop.generated(3)
    for params, reason in (
        ({"limit": "0"}, "limit '0' must be"),
        ({"from": "bogus"}, "was not given by this server"),
        ({"q": "nonsense"}, "is not path:value"),
    ):
        status, body, _ = _call(fake, "/v2/org/acme/person", params)
        assert status == 400 and reason in body["message"]


def test_one_person_is_found_by_id_even_after_departing() -> None:
    fake = FakeChartHop.generated(8, departed=1)
    (gone_id,) = fake.departed
    status, body, _ = _call(fake, f"/v2/org/acme/person/{gone_id}")
    assert status == 200 and body == fake.departed[gone_id]
    status, _, _ = _call(fake, "/v2/org/acme/person/ffffffffffffffffffffffff")
    assert status == 404


def test_fault_knobs_answer_the_next_requests_then_clear() -> None:
    fake = FakeChartHop.generated(3)
    fake.building_next, fake.throttle_next, fake.fail_next = 1, 1, 1
    fake.retry_after = "2"
    statuses = []
    for _ in range(4):
        status, _, headers = _call(fake, "/v2/org/acme/person/count")
        statuses.append(status)
        if status == 429:
            assert headers["Retry-After"] == "2"
    assert statuses == [202, 429, 503, 200]
    assert fake.requests == 4


def test_latency_delays_every_answer() -> None:
    fake = FakeChartHop.generated(3)
    fake.latency_s = 0.2
    started = time.perf_counter()
    _call(fake, "/v2/org/acme/person/count")
    assert time.perf_counter() - started >= 0.2
