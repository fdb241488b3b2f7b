"""Through real workers: an outage dead-letters a person; a replay once it is fixed applies them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.typedefs import Handler

from harness.world import Simulation, WorkerFleet, start_simulation
from shared.core.models import RunSummary
from tests.contract.validator import ContractRecorder
from tests.producers.ops.support import expect, ok

pytestmark = pytest.mark.slow

OUTAGE_BODY = {
    "errorCode": "E0000009",
    "errorSummary": "Internal Server Error",
    "errorLink": "E0000009",
    "errorId": "oaeOpsOutage",
    "errorCauses": [],
}


class Outage:
    """A fake Okta fault: creating one login answers 500, with rate-limit headers, until fixed."""

    def __init__(self) -> None:
        self.login = ""
        self.on = True

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        creating = request.method == "POST" and request.path == "/api/v1/users"
        if self.on and creating and self.login and self.login.encode() in await request.read():
            headers = {
                "X-Rate-Limit-Limit": "600",
                "X-Rate-Limit-Remaining": "599",
                "X-Rate-Limit-Reset": str(int(time.time()) + 60),
            }
            return web.json_response(OUTAGE_BODY, status=500, headers=headers)
        return await handler(request)


@pytest.fixture
def outage() -> Outage:
    return Outage()


@pytest.fixture
def sim(tmp_path: Path, redis_url: str, outage: Outage) -> Iterator[Simulation]:
    """40 people, nobody in Okta yet, contract-checked, with one worker process running."""
    recorder = ContractRecorder()
    simulation = start_simulation(
        tmp_path,
        redis_url,
        people=40,
        existing=0.0,
        okta_middlewares=[recorder.middleware, outage.middleware],
        config={"okta": {"max_retries": 1}, "worker": {"max_retries": 1}},
    )
    fleet = WorkerFleet(simulation.env, processes=1, threads=4, log_path=tmp_path / "workers.log")
    fleet.start()
    yield simulation
    stop_gracefully(fleet)
    simulation.close()
    recorder.assert_clean()


def stop_gracefully(fleet: WorkerFleet) -> None:
    """Stop the fleet with one SIGTERM to Dramatiq's main process, then let the fleet clean up.

    WorkerFleet.stop signals the whole process group, so each worker gets a second SIGTERM from
    Dramatiq's main process and takes Dramatiq's "kill" path, which hangs on the worker's threads
    until the 20 s SIGKILL; one signal to the main process shuts down in about 3 s.
    """
    if fleet.process is not None and fleet.process.poll() is None:
        os.kill(fleet.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            fleet.process.wait(15)
    fleet.stop()


def test_a_replay_after_the_outage_is_fixed_creates_the_person_and_empties_the_queue(
    sim: Simulation, outage: Outage
) -> None:
    rules = sim.rules()
    victim = next(
        person
        for _, person in sorted(sim.charthop.people.items())
        if rules.match_value(person) and not rules.starts_in_future(person)
    )
    outage.login = victim["contact"]["workEmail"]
    # A run in which someone failed exits 1, and its summary says so first.
    first = RunSummary.model_validate_json(expect(sim.env, 1, "resync", "--wait", "--json"))
    assert (first.status, first.counts["failed"]) == ("completed", 1)
    assert expect(sim.env, 1, "runs", "show", first.run_id).startswith("COMPLETED with 1 failed")
    [letter] = json.loads(ok(sim.env, "dlq", "list", "--json"))
    assert letter["person_id"] == victim["id"] and letter["run_id"] == first.run_id
    assert "OktaServerError" in letter["error"]

    # A replay in which the person fails again exits 1 too; the letter is back in the queue.
    again = json.loads(expect(sim.env, 1, "dlq", "replay", "--all", "--wait", "--json"))
    assert again["summary"]["counts"]["failed"] == 1
    [letter] = json.loads(ok(sim.env, "dlq", "list", "--json"))

    outage.on = False
    report = json.loads(ok(sim.env, "dlq", "replay", "--all", "--wait", "--json"))
    replay = RunSummary.model_validate(report["summary"])
    assert (replay.kind, replay.run_id, replay.counts["created"]) == ("replay", report["run_id"], 1)
    assert outage.login.casefold() in {user.login.casefold() for user in sim.okta.users()}
    assert json.loads(ok(sim.env, "dlq", "list", "--json")) == []

    assert "not in the dead-letter queue" in ok(sim.env, "dlq", "replay", letter["id"])
    assert "nothing to replay" in ok(sim.env, "dlq", "replay", "--all")
    history = json.loads(ok(sim.env, "runs", "--json"))
    assert [(row["kind"], row["status"]) for row in history] == [
        ("replay", "completed"),
        ("replay", "completed"),
        ("resync", "completed"),
    ]
    shown = RunSummary.model_validate_json(ok(sim.env, "runs", "show", replay.run_id, "--json"))
    assert shown == replay
