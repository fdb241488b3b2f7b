"""`hopsync config apply|show|history|diff|rollback`, and services given a file that differs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from harness.world import Simulation, start_simulation
from producers.cli import main

EXAMPLE = Path(__file__).parents[3] / "config" / "hopsync.example.yaml"


@pytest.fixture
def env(redis_url: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "OKTA_API_TOKEN": "okta-secret-token",
        "CHARTHOP_API_TOKEN": "charthop-secret-token",
        "HOPSYNC_WEBHOOK_SECRET": "webhook-secret",
        "HOPSYNC_AUTHOR": "ana",
    }


def hopsync(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def apply(env: dict[str, str], *args: str) -> Result:
    # --offline: these tests are about versions, with no ChartHop to reach; the check against
    # ChartHop's fields is tested on the simulators below.
    return hopsync(env, "config", "apply", *args, "--offline")


def write(tmp_path: Path, name: str, query: str = "department:engineering", **extra: Any) -> str:
    raw = {**yaml.safe_load(EXAMPLE.read_text()), **extra}
    raw["groups"] = [{"name": "Engineering", "query": query}]
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def versions(env: dict[str, str]) -> list[tuple[int, bool, str]]:
    rows = json.loads(hopsync(env, "config", "history", "--json").stdout)
    return [(row["version"], row["active"], row["comment"]) for row in rows]


def test_apply_saves_a_new_active_version_and_says_what_changed(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert apply(env, write(tmp_path, "a.yaml"), "--comment", "v1").exit_code == 0
    result = apply(env, write(tmp_path, "b.yaml", "department:sales"))
    assert result.exit_code == 0
    assert "saved version 2" in result.stdout
    assert '~ groups[Engineering].query: "department:engineering" -> "department:sales"' in (
        result.stdout
    )
    assert versions(env) == [(2, True, f"from {tmp_path / 'b.yaml'}"), (1, False, "v1")]


def test_applying_the_active_configuration_again_saves_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "a.yaml")
    apply(env, path)
    result = apply(env, path)
    assert result.exit_code == 0 and "unchanged: version 1" in result.stdout
    assert [number for number, _, _ in versions(env)] == [1]


@pytest.mark.parametrize(
    "broken",
    [
        {"query": "department:("},  # a Carrot syntax error
        {"settings": {"daily_at": "25:00"}},  # a bad value
        {"sttings": {}},  # an unknown key
    ],
)
def test_a_broken_file_saves_nothing_and_exits_2(
    env: dict[str, str], tmp_path: Path, broken: dict[str, Any]
) -> None:
    apply(env, write(tmp_path, "good.yaml"))
    result = apply(env, write(tmp_path, "bad.yaml", **broken))
    assert result.exit_code == 2
    assert "problem(s)" in result.stderr
    assert [number for number, _, _ in versions(env)] == [1]


def test_a_file_missing_a_secret_it_needs_saves_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    without = {k: v for k, v in env.items() if k != "OKTA_API_TOKEN"}
    result = apply(without, write(tmp_path, "a.yaml"))
    assert result.exit_code == 2 and "OKTA_API_TOKEN" in result.stderr
    assert versions(env) == []


def test_if_none_saves_only_the_first_version(env: dict[str, str], tmp_path: Path) -> None:
    first = apply(env, write(tmp_path, "a.yaml"), "--if-none")
    assert "saved version 1" in first.stdout
    again = apply(env, write(tmp_path, "b.yaml", "x:y"), "--if-none")
    assert again.exit_code == 0 and "left as is: version 1" in again.stdout
    assert [number for number, _, _ in versions(env)] == [1]


def test_show_prints_a_version_as_yaml_that_loads_as_the_same_configuration(
    env: dict[str, str], tmp_path: Path
) -> None:
    apply(env, write(tmp_path, "a.yaml"))
    apply(env, write(tmp_path, "b.yaml", "department:sales"))
    shown = hopsync(env, "config", "show", "1").stdout
    assert shown.startswith("# configuration version 1: saved ")
    assert yaml.safe_load(shown)["groups"][0]["query"] == "department:engineering"
    assert "(active)" in hopsync(env, "config", "show").stdout.splitlines()[0]


def test_rollback_makes_a_new_active_version_equal_to_the_old_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    apply(env, write(tmp_path, "a.yaml"))
    apply(env, write(tmp_path, "b.yaml", "department:sales"))
    result = hopsync(env, "config", "rollback", "1")
    assert result.exit_code == 0 and "saved version 3, a copy of version 1" in result.stdout
    assert hopsync(env, "config", "diff", "1", "3").stdout.startswith("no differences")
    assert versions(env)[0][:2] == (3, True)


def test_an_unknown_version_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    apply(env, write(tmp_path, "a.yaml"))
    for args in (["show", "9"], ["diff", "1", "9"], ["rollback", "9"], ["show", "nine"]):
        result = hopsync(env, "config", *args)
        assert result.exit_code == 2, args
    assert "hopsync config history" in hopsync(env, "config", "show", "9").stderr


def test_a_service_given_a_file_that_differs_from_the_active_version_exits_2(
    env: dict[str, str], tmp_path: Path
) -> None:
    apply(env, write(tmp_path, "a.yaml"))
    other = write(tmp_path, "b.yaml", "department:sales")
    # (not `worker`: past this check it would exec Dramatiq in place of the test process)
    for command in (["scheduler"], ["webhook"], ["resync"]):
        result = hopsync(env, *command, "--config", other)
        assert result.exit_code == 2, command
        assert f"hopsync config apply {other}" in " ".join(result.stderr.split()), command
    assert [number for number, _, _ in versions(env)] == [1]


def test_without_redis_the_commands_exit_4(env: dict[str, str]) -> None:
    down = {**env, "REDIS_URL": "redis://127.0.0.1:1/0"}
    for args in (["history"], ["show"], ["rollback", "1"]):
        result = hopsync(down, "config", *args)
        assert result.exit_code == 4 and "cannot be reached" in result.stderr, args


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path / "sim", redis_url, people=20, existing=1.0)
    yield simulation
    simulation.close()


def variant(sim: Simulation, tmp_path: Path, name: str, query: str) -> str:
    raw = {**sim.config, "groups": [{"name": "Engineering", "query": query}]}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return str(path)


def sim_apply(sim: Simulation, *args: str) -> Result:
    return CliRunner().invoke(main, ["config", "apply", *args], env=sim.env)


def test_apply_checks_the_fields_against_charthops_field_list_and_says_so(
    sim: Simulation, tmp_path: Path
) -> None:
    result = sim_apply(sim, variant(sim, tmp_path, "good.yaml", "department:engineering"))
    assert result.exit_code == 0, result.output
    assert "fields checked against ChartHop's field list" in " ".join(result.stdout.split())
    assert "saved version 1" in result.stdout


def test_apply_of_a_file_reading_an_unknown_field_saves_nothing_and_exits_2(
    sim: Simulation, tmp_path: Path
) -> None:
    assert sim_apply(sim, variant(sim, tmp_path, "good.yaml", "department:sales")).exit_code == 0
    result = sim_apply(sim, variant(sim, tmp_path, "typo.yaml", "departmnt:engineering"))
    assert result.exit_code == 2, result.output
    assert (
        "problem: groups[0].query: unknown field 'departmnt' (did you mean 'department'?)"
        in result.stderr
    )
    assert "nothing saved: 1 problem(s)" in result.stderr
    assert "--offline" not in result.stderr  # ChartHop answered: the fix is in the file
    assert [number for number, _, _ in versions(sim.env)] == [1]


def test_apply_says_when_the_fields_were_checked_against_the_people_read(
    sim: Simulation, tmp_path: Path
) -> None:
    sim.charthop.fields_forbidden = True
    path = variant(sim, tmp_path, "typo.yaml", "departmnt:engineering")
    result = CliRunner().invoke(main, ["config", "apply", path], env={**sim.env, "COLUMNS": "80"})
    assert result.exit_code == 2, result.output
    assert "the fields present in the 20 people read; ChartHop's field list answered 403" in (
        " ".join(result.stdout.split())  # folded at 80 columns, continuation lines indented
    )
    assert max(len(line) for line in result.output.splitlines()) <= 80, result.output
    assert versions(sim.env) == []


def test_apply_refuses_to_save_when_charthop_cannot_be_read_and_names_offline(
    sim: Simulation, tmp_path: Path
) -> None:
    path = variant(sim, tmp_path, "good.yaml", "department:engineering")
    wrong = {**sim.env, "CHARTHOP_API_TOKEN": "wrong-token"}
    result = CliRunner().invoke(main, ["config", "apply", path], env=wrong)
    assert result.exit_code == 2, result.output
    assert "problem: env.CHARTHOP_API_TOKEN: ChartHop at" in result.stderr
    assert "nothing saved: 1 problem(s); --offline skips the ChartHop check" in result.stderr
    assert versions(sim.env) == []


def test_apply_offline_saves_after_the_file_checks_alone_and_says_so(
    sim: Simulation, tmp_path: Path
) -> None:
    path = variant(sim, tmp_path, "typo.yaml", "departmnt:engineering")
    wrong = {**sim.env, "CHARTHOP_API_TOKEN": "wrong-token"}
    result = CliRunner().invoke(main, ["config", "apply", path, "--offline"], env=wrong)
    assert result.exit_code == 0, result.output
    assert "fields not checked against ChartHop (--offline)" in result.stdout
    assert [number for number, _, _ in versions(sim.env)] == [1]


def test_apply_warns_as_check_does_when_the_file_turns_safety_limits_off(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = apply(env, write(tmp_path, "a.yaml", settings={"safety": None}))
    assert result.exit_code == 0, result.output
    assert "warning: settings.safety: is null: safety limits are off" in result.stdout
    assert "saved version 1" in result.stdout
