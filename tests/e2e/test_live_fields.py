"""Live sync under a configuration version that reads an unknown field: nothing is written, the
run fails naming the field, and its people are synced by a replay once the configuration is fixed
(real worker processes, the real flusher, the CLI)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import redis
import yaml
from click.testing import CliRunner, Result

from config.loader import load_config
from harness.world import Simulation
from producers.cli import main
from producers.live.flusher import FlushReport, LiveOptions
from producers.live.runner import open_flusher
from shared import constants
from shared.core.models import RunSummary
from shared.infra.deadletters import DeadLetterStore
from shared.infra.runs import RunStore
from tests.e2e.conftest import World, resync

OPTIONS = LiveOptions(period_s=1.0, grace_s=0.2, lease_s=5.0, interval_s=0.05)


def hopsync(sim: Simulation, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=sim.env)


def write_variant(sim: Simulation, tmp_path: Path, name: str, query: str) -> str:
    groups = [dict(group) for group in sim.config["groups"]]
    groups[0] = {"name": "Engineering", "query": query}
    path = tmp_path / name
    path.write_text(yaml.safe_dump({**sim.config, "groups": groups}, sort_keys=False))
    return str(path)


def flush_one_period(sim: Simulation) -> FlushReport:
    """Tick until the pending entries are flushed, then until their period's run is sealed."""

    async def run() -> FlushReport:
        loaded = load_config(str(sim.config_path), environ=sim.env)
        async with open_flusher(loaded, options=OPTIONS) as flusher:
            first = await flusher.tick()
            for _ in range(100):
                await asyncio.sleep(0.05)
                if (await flusher.tick()).sealed:
                    return first
        raise AssertionError("the live run was never sealed")

    return asyncio.run(run())


def summary_of(runs: RunStore, run_id: str, timeout_s: float = 60) -> RunSummary:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = runs.summary(run_id)
        if found is not None:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no summary for {run_id}")


def test_a_live_run_reading_an_unknown_field_writes_nothing_and_a_replay_syncs_it_once_fixed(
    world: World, tmp_path: Path
) -> None:
    sim = world(people=20, existing=1.0, drifted=0.0, missing_groups=0)
    resync(sim)  # version 1, everyone in step
    person = next(iter(sim.charthop.people.values()))
    person["title"] = "Chief Typo Officer"
    login = person["contact"]["workEmail"]
    typo = write_variant(sim, tmp_path, "typo.yaml", "departmnt:engineering")
    refused = hopsync(sim, "config", "apply", typo)
    assert refused.exit_code == 2, refused.output  # apply checks the fields...
    forced = hopsync(sim, "config", "apply", typo, "--offline")
    assert forced.exit_code == 0, forced.output  # ...unless told not to: version 2 is active
    client = redis.Redis.from_url(sim.redis_url)
    client.zadd(constants.LIVE_PENDING, {f"person:{person['id']}": time.time() - 1})

    report = flush_one_period(sim)

    assert report.enqueued == 0 and report.dead_lettered == 1 and report.run_id is not None
    runs = RunStore(client)
    summary = summary_of(runs, report.run_id)  # the workers' aggregator completes it
    assert summary.status == "failed" and summary.okta_writes == 0
    assert summary.counts["failed"] == 1 and summary.config_version == 2
    assert "groups[0].query: unknown field 'departmnt' (did you mean 'department'?)" in (
        summary.reason
    )
    assert runs.meta(report.run_id).status == "failed"
    shown = hopsync(sim, "runs", "show", report.run_id)
    assert shown.exit_code == 1 and f"FAILED: live {report.run_id}" in shown.output
    user = next(u for u in sim.okta.users() if u.profile["login"] == login)
    assert user.profile["title"] != "Chief Typo Officer"  # nothing written
    letters = DeadLetterStore(client)
    assert letters.count() == 1

    still = hopsync(sim, "dlq", "replay", "--all")
    assert still.exit_code == 2 and "replay not started" in still.output
    assert letters.count() == 1  # kept until the configuration is fixed

    fixed = write_variant(sim, tmp_path, "fixed.yaml", "department:engineering")
    assert hopsync(sim, "config", "apply", fixed).exit_code == 0
    replayed = hopsync(sim, "dlq", "replay", "--all", "--wait", "--json")
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["run_id"].startswith("replay-")
    user = next(u for u in sim.okta.users() if u.profile["login"] == login)
    assert user.profile["title"] == "Chief Typo Officer"
    assert letters.count() == 0
    client.close()
