"""Fault fixtures: a simulated world whose worker fleet and fake Okta the test may break.

Okta's limits are raised tenfold so that a 2,000-person run takes seconds, not minutes; the
fault under test, not the rate limit, should decide how long a run takes.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import redis
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from click.testing import CliRunner

from harness.world import Simulation, WorkerFleet, merge_config, start_simulation
from producers.cli import main
from producers.ops.terminal import wait_for_summary
from shared.core.models import RunMeta, RunSummary
from shared.infra.runs import RunStore
from sim.okta.buckets import BUCKET_LIMITS
from tests.contract.validator import ContractRecorder
from tests.e2e.conftest import NO_LIMITS, assert_in_sync, desired_state, okta_state
from tests.faults.redis_server import RedisServer, redis_server_binary
from tests.processes import children

FAST_LIMITS = {bucket: limit * 10 for bucket, limit in BUCKET_LIMITS.items()}


@dataclass
class Arena:
    """A simulation, its worker fleet (replaceable, as a supervisor would) and its Redis."""

    sim: Simulation
    fleet: WorkerFleet
    log_dir: Path
    fleets: list[WorkerFleet] = field(default_factory=list)  # every fleet started, newest last

    @cached_property
    def runs(self) -> RunStore:
        """The run store on the simulation's Redis."""
        return RunStore(redis.Redis.from_url(self.sim.redis_url))

    def start_run(self, *args: str) -> RunMeta:
        """Start `hopsync resync` without waiting; returns the run's metadata."""
        result = CliRunner().invoke(
            main, ["resync", "--json", *args], env=self.sim.env, catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return RunMeta.model_validate(json.loads(result.stdout))

    def wait(self, run_id: str, timeout_s: float = 120) -> RunSummary:
        """The run's summary once the aggregator has stored it."""
        return wait_for_summary(self.runs, run_id, timeout_s=timeout_s, poll_s=0.1)

    def wait_for_progress(self, run_id: str, done: int, timeout_s: float = 60) -> int:
        """Block until at least ``done`` outcomes are recorded; returns how many there are."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            recorded, _ = self.runs.progress(run_id)
            if recorded >= done:
                return recorded
            time.sleep(0.02)
        raise AssertionError(f"run {run_id} recorded fewer than {done} outcomes in {timeout_s} s")

    def worker_pids(self) -> list[int]:
        """The worker processes: the children of the fleet's dramatiq main process."""
        assert self.fleet.process is not None
        return children(self.fleet.process.pid)

    def wait_for_workers(
        self, count: int, timeout_s: float = 20, exclude: set[int] = frozenset()
    ) -> list[int]:
        """The worker pids once ``count`` of them (other than ``exclude``) run."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pids = [pid for pid in self.worker_pids() if pid not in exclude]
            if len(pids) >= count:
                return pids
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} worker processes after {timeout_s} s")

    def stop_fleet(self, *, whole_group: bool, within_s: float = 30) -> float:
        """SIGTERM the fleet as Docker (main process) or systemd (whole group) does; seconds."""
        process = self.fleet.process
        assert process is not None
        started = time.monotonic()
        if whole_group:
            os.killpg(os.getpgid(process.pid), signal.SIGTERM)
        else:
            process.send_signal(signal.SIGTERM)
        process.wait(within_s)
        return time.monotonic() - started

    def replace_fleet(self) -> WorkerFleet:
        """Start a new fleet, as the container's restart policy does when the old one exits."""
        self.fleet = WorkerFleet(
            self.sim.env,
            processes=2,
            threads=4,
            log_path=self.log_dir / f"workers{len(self.fleets)}.log",
        ).start()
        self.fleets.append(self.fleet)
        return self.fleet

    def logs(self) -> str:
        """Every worker log written so far."""
        return "".join(
            fleet.log_path.read_text(errors="replace")
            for fleet in self.fleets
            if fleet.log_path is not None and fleet.log_path.exists()
        )


def kill(pid: int) -> None:
    """SIGKILL a process: no clean-up, no acks, exactly as the OOM killer does."""
    os.kill(pid, signal.SIGKILL)


Build = Callable[..., Arena]


@pytest.fixture
def arena(tmp_path: Path, redis_url: str) -> Iterator[Build]:
    """Build a contract-checked simulation with a two-process worker fleet."""
    built: list[tuple[Arena, ContractRecorder]] = []

    def build(**options: Any) -> Arena:
        recorder = ContractRecorder()
        middlewares = [recorder.middleware, *options.pop("okta_middlewares", ())]
        okta_settings = {"limits": FAST_LIMITS, **options.pop("okta_settings", {})}
        # Fault runs drift half the org on purpose, to have writes to disturb: no safety limits.
        options["config"] = merge_config(NO_LIMITS, options.get("config") or {})
        sim = start_simulation(
            tmp_path / f"world{len(built)}",
            redis_url,
            okta_middlewares=middlewares,
            okta_settings=okta_settings,
            **options,
        )
        log_dir = tmp_path / f"logs{len(built)}"
        log_dir.mkdir()
        fleet = WorkerFleet(
            sim.env, processes=2, threads=4, log_path=log_dir / "workers0.log"
        ).start()
        created = Arena(sim, fleet, log_dir, [fleet])
        built.append((created, recorder))
        return created

    yield build
    for created, recorder in built:
        for fleet in created.fleets:
            fleet.stop()
        created.sim.close()
        if "runs" in created.__dict__:
            created.runs.client.close()
        recorder.assert_clean()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server of the test's own (AOF fsynced always), which the test may kill and restart.

    It is stopped at teardown whatever happened; a test uses it by overriding ``redis_url``.
    """
    server = RedisServer(tmp_path / "redis", binary=redis_server_binary())
    try:
        yield server.start()
    finally:
        server.stop()


def okta_server_error(error_id: str) -> web.Response:
    """A 500 exactly as Okta sends it: the error body and the X-Rate-Limit-* headers."""
    body = {
        "errorCode": "E0000009",
        "errorSummary": "Internal Server Error",
        "errorLink": "E0000009",
        "errorId": error_id,
        "errorCauses": [],
    }
    headers = {
        "X-Rate-Limit-Limit": "600",
        "X-Rate-Limit-Remaining": "599",
        "X-Rate-Limit-Reset": str(int(time.time()) + 60),
    }
    return web.json_response(body, status=500, headers=headers)


def refuse_writes_to(user_ids: set[str]) -> Middleware:
    """A fake-Okta middleware answering 500 to every write that names one of ``user_ids``."""

    @web.middleware
    async def refuse(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "GET" and any(uid in request.path for uid in user_ids):
            return okta_server_error("oaeFaultVictim")
        return await handler(request)

    return refuse


def assert_ended_as_undisturbed(
    sim: Simulation, summary: RunSummary, logins_before: set[str]
) -> None:
    """Nobody created twice, creations counted exactly, Okta as the rules want it."""
    logins = [user.login.casefold() for user in sim.okta.users()]
    assert [login for login, n in Counter(logins).items() if n > 1] == []
    assert sim.okta.counters().users_created == len(set(logins) - logins_before)
    desired, state = desired_state(sim), okta_state(sim)
    assert_in_sync(sim, set(desired) & set(state))
    deferred = {o.match_value for o in summary.changes if o.status == "deferred"}
    assert set(desired) - set(state) == deferred
