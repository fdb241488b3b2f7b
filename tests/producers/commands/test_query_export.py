"""`hopsync query` and `hopsync export` against the simulators."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from producers.cli import main
from shared.carrot import compile_filter
from sim.harness import Simulation, start_simulation


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path, redis_url, people=1000, existing=1.0, drifted=0.0)
    yield simulation
    simulation.close()


def invoke(sim: Simulation, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=sim.env)
    return result.exit_code, result.stdout, result.stderr


def test_query_lists_exactly_who_the_filter_selects_with_the_fields_it_reads(
    sim: Simulation,
) -> None:
    code, out, _ = invoke(
        sim, "query", "department:engineering is:manager", "--json", "--limit", "1000"
    )
    assert code == 0
    answer = json.loads(out)
    rules, query = sim.rules(), compile_filter("department:engineering is:manager")
    expected = {p["id"] for p in sim.charthop.people.values() if query.matches(rules.prepare(p))}
    assert {row["id"] for row in answer["people"]} == expected
    assert answer["matched"] == len(expected) > 0
    assert {"department", "directReports"} <= set(answer["people"][0])


def test_query_applies_the_remote_default_like_the_sync(sim: Simulation) -> None:
    code, out, _ = invoke(sim, "query", "location.name:remote", "--json", "--limit", "1000")
    assert code == 0
    selected = {row["id"] for row in json.loads(out)["people"]}
    blank = {p["id"] for p in sim.charthop.people.values() if "location" not in p}
    assert blank and blank <= selected  # blank locations read as Remote, as in a sync


def test_a_bad_filter_prints_the_caret_and_exits_2(sim: Simulation) -> None:
    code, _, err = invoke(sim, "query", "department:&& title:vp")
    assert code == 2
    assert "expected a value after ':' at column 12" in err
    assert "\n             ^" in err


def test_export_to_csv_equals_the_fake_oktas_users(sim: Simulation, tmp_path: Path) -> None:
    out = tmp_path / "okta-users.csv"
    code, stdout, _ = invoke(sim, "export", "--out", str(out))
    assert code == 0
    assert f"exported {len(sim.okta.users())} Okta user(s)" in stdout
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    users = sim.okta.users()
    assert len(rows) == len(users) >= 950
    assert {(r["id"], r["login"], r["status"]) for r in rows} == {
        (u.id, u.profile["login"], u.status) for u in users
    }
    assert list(rows[0])[:6] == ["id", "status", "login", "email", "firstName", "lastName"]
    assert "title" in rows[0]


def test_export_to_json_streams_a_valid_array(sim: Simulation, tmp_path: Path) -> None:
    out = tmp_path / "okta-users.json"
    code, _, _ = invoke(sim, "export", "--out", str(out), "--format", "json")
    assert code == 0
    exported = json.loads(out.read_text())
    assert sorted(u["id"] for u in exported) == sorted(u.id for u in sim.okta.users())
    text = out.read_text()
    for secret in sim.env.values():
        if "token" in secret or "secret" in secret:
            assert secret not in text
