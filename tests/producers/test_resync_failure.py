"""A resync that fails at the producer ends at once: its run is failed, with the reason, exit 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.world import Simulation, start_simulation
from producers.cli import main


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path, redis_url, people=20)
    yield simulation
    simulation.close()


def test_a_wrong_okta_token_fails_the_run_with_its_reason_and_exits_1(sim: Simulation) -> None:
    env = {**sim.env, "OKTA_API_TOKEN": "not-the-token"}
    result = CliRunner().invoke(main, ["resync", "--wait"], env=env)
    assert result.exit_code == 1, result.output
    line = " ".join(part.strip() for part in result.stderr.strip().splitlines())  # one message
    assert line.startswith("hopsync: resync failed: Okta GET") and "401" in line
    assert "not-the-token" not in result.output

    [row] = json.loads(CliRunner().invoke(main, ["runs", "--json"], env=sim.env).stdout)
    assert row["status"] == "failed" and "401" in row["note"]
    shown = CliRunner().invoke(main, ["runs", "show", row["run_id"]], env=sim.env)
    assert shown.exit_code == 1
    assert shown.stdout.startswith(f"FAILED: resync {row['run_id']}: nobody")
    assert "OktaAuthError" in shown.stdout
    as_json = CliRunner().invoke(main, ["runs", "show", row["run_id"], "--json"], env=sim.env)
    summary = json.loads(as_json.stdout)
    assert (summary["status"], summary["counts"]["failed"]) == ("failed", 0)
    assert "401" in summary["reason"]
