"""Operations end to end: dead letters after an outage, replay once fixed, run history."""

from __future__ import annotations

import json
import time

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from click.testing import CliRunner

from producers.cli import main
from producers.console import wait_for_summary
from shared.runs import RunStore
from sim.harness import Simulation
from tests.e2e.conftest import World, okta_state, resync

pytestmark = pytest.mark.slow
OUTAGE_BODY = {
    "errorCode": "E0000009",
    "errorSummary": "Internal Server Error",
    "errorLink": "E0000009",
    "errorId": "oaeOutage",
    "errorCauses": [],
}


def cli(sim: Simulation, *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=sim.env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_person_dead_lettered_by_an_outage_is_applied_by_a_replay(world: World) -> None:
    outage = {"on": True, "login": ""}

    @web.middleware
    async def broken_create(request: web.Request, handler: Handler) -> web.StreamResponse:
        creating = request.method == "POST" and request.path == "/api/v1/users"
        if outage["on"] and creating and outage["login"].encode() in await request.read():
            headers = {
                "X-Rate-Limit-Limit": "600",
                "X-Rate-Limit-Remaining": "599",
                "X-Rate-Limit-Reset": str(int(time.time()) + 60),
            }
            return web.json_response(OUTAGE_BODY, status=500, headers=headers)
        return await handler(request)

    sim = world(
        people=120,
        existing=0.0,
        okta_middlewares=[broken_create],
        config={"okta": {"max_retries": 1}, "worker": {"max_retries": 1}},
    )
    rules = sim.rules()
    victim = next(
        key
        for key, p in sorted(sim.charthop.people.items())
        if rules.match_value(p) and not rules.starts_in_future(p)
    )
    outage["login"] = sim.charthop.people[victim]["contact"]["workEmail"]
    first = resync(sim)
    assert first.counts["failed"] == 1
    listed = json.loads(cli(sim, "dlq", "list", "--json"))
    assert [row["person"] for row in listed] == [victim]
    shown = json.loads(cli(sim, "dlq", "show", listed[0]["id"]))
    assert "OktaServerError" in shown["error"]

    outage["on"] = False  # the outage is fixed
    assert "replayed 1 letter(s) as run replay-" in cli(sim, "dlq", "replay", "--all")
    from redis import Redis

    runs = RunStore(Redis.from_url(sim.redis_url))
    replay = runs.recent(1)[0]
    summary = wait_for_summary(runs, replay.run_id, timeout_s=60)
    assert summary.kind == "replay" and summary.counts["created"] == 1
    assert outage["login"].casefold() in okta_state(sim)
    assert json.loads(cli(sim, "dlq", "list", "--json")) == []
    assert "not in the dead-letter queue" in cli(sim, "dlq", "replay", listed[0]["id"])

    history = json.loads(cli(sim, "runs", "--json"))
    assert [row["kind"] for row in history] == ["replay", "resync"]
    shown_run = json.loads(cli(sim, "runs", "show", first.run_id, "--json"))
    assert shown_run["counts"]["failed"] == 1


def test_purge_drops_old_dead_letters_only(world: World) -> None:
    sim = world(people=20, existing=1.0, drifted=0.0)
    from datetime import UTC, datetime, timedelta

    from redis import Redis

    from shared.deadletters import DeadLetter, DeadLetterStore

    store = DeadLetterStore(Redis.from_url(sim.redis_url))
    now = datetime.now(UTC)
    for letter_id, age in (("old", 9), ("new", 1)):
        store.add(
            DeadLetter(
                id=letter_id,
                actor="aggregate_run",
                queue="runs",
                error="x",
                failed_at=now - timedelta(days=age),
                message={"args": ["r"]},
            )
        )
    assert "purged 1" in cli(sim, "dlq", "purge", "--older-than", "7d")
    assert [letter.id for letter in store.entries()] == ["new"]
