"""`hopsync export` of 1,000 users from the fake Okta, as CSV and as JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.world import Simulation, start_simulation
from producers.ops.export_files import NAMED
from tests.contract.validator import ContractRecorder
from tests.producers.ops.support import invoke, ok

USERS = 1000
DEPROVISIONED = 7


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    """1,000 users: the org's people, plus extras with a custom attribute, some deprovisioned.

    Every request the export makes, and every answer, is checked against Okta's API spec.
    """
    recorder = ContractRecorder()
    simulation = start_simulation(
        tmp_path / "world",
        redis_url,
        people=1000,
        existing=1.0,
        drifted=0.0,
        okta_middlewares=[recorder.middleware],
    )
    okta = simulation.okta
    okta.declare_attribute("costCenter")
    extra = USERS - len(okta.users())
    for number in range(extra):
        profile = {
            "login": f"contractor{number}@vendor.example",
            "email": f"contractor{number}@vendor.example",
            "firstName": "Contractor",
            "lastName": str(number),
            "costCenter": f"CC-{number}",
        }
        okta.add_user(profile, status="DEPROVISIONED" if number < DEPROVISIONED else "ACTIVE")
    assert len(okta.users()) == USERS
    yield simulation
    simulation.close()
    recorder.assert_clean()


def fake_users(sim: Simulation) -> set[tuple[str, str, str]]:
    return {(user.id, user.login, user.status) for user in sim.okta.users()}


def test_a_csv_export_holds_every_user_with_stable_columns(sim: Simulation, tmp_path: Path) -> None:
    out = tmp_path / "okta-users.csv"
    assert f"exported {USERS} Okta user(s)" in ok(sim.env, "export", "--out", str(out))
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {(row["id"], row["login"], row["status"]) for row in rows} == fake_users(sim)
    assert len(rows) == USERS
    header = list(rows[0])
    extras = sorted({key for user in sim.okta.users() for key in user.profile} - set(NAMED))
    assert header == [*NAMED, *extras]
    assert "costCenter" in extras and "title" in extras
    assert sum(row["status"] == "DEPROVISIONED" for row in rows) == DEPROVISIONED


def test_a_json_export_is_one_array_equal_to_the_fake_oktas_users(
    sim: Simulation, tmp_path: Path
) -> None:
    out = tmp_path / "okta-users.json"
    ok(sim.env, "export", "--out", str(out))  # the format follows the .json suffix
    exported = json.loads(out.read_text())
    assert {(row["id"], row["login"], row["status"]) for row in exported} == fake_users(sim)
    assert len(exported) == USERS
    by_id = {user.id: user for user in sim.okta.users()}
    for row in exported[:50]:
        assert {k: v for k, v in row.items() if k not in ("id", "status") and v is not None} == (
            by_id[row["id"]].profile
        )
    assert list(exported[0])[: len(NAMED)] == list(NAMED)
    assert sim.env["OKTA_API_TOKEN"] not in out.read_text()


def test_deprovisioned_users_can_be_left_out(sim: Simulation, tmp_path: Path) -> None:
    out = tmp_path / "active.csv"
    ok(sim.env, "export", "--out", str(out), "--format", "csv", "--no-deprovisioned")
    with out.open(newline="") as handle:
        statuses = [row["status"] for row in csv.DictReader(handle)]
    assert len(statuses) == USERS - DEPROVISIONED and "DEPROVISIONED" not in statuses


def test_a_refused_token_fails_the_export_and_keeps_the_last_file(
    sim: Simulation, tmp_path: Path
) -> None:
    out = tmp_path / "okta-users.csv"
    out.write_text("the last good export\n")
    wrong = "not-the-token-41f7"
    result = invoke({**sim.env, "OKTA_API_TOKEN": wrong}, "export", "--out", str(out))
    assert result.exit_code == 1
    assert "export failed" in result.stderr and "was left as it was" in result.stderr
    assert wrong not in result.output
    assert out.read_text() == "the last good export\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["okta-users.csv", "world"]


def test_a_missing_folder_is_a_usage_error(sim: Simulation, tmp_path: Path) -> None:
    result = invoke(sim.env, "export", "--out", str(tmp_path / "nowhere" / "users.csv"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
