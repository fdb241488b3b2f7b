"""`hopsync config apply|show|history|diff|rollback`, and services given a file that differs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

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
    assert (
        hopsync(env, "config", "apply", write(tmp_path, "a.yaml"), "--comment", "v1").exit_code == 0
    )
    result = hopsync(env, "config", "apply", write(tmp_path, "b.yaml", "department:sales"))
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
    hopsync(env, "config", "apply", path)
    result = hopsync(env, "config", "apply", path)
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
    hopsync(env, "config", "apply", write(tmp_path, "good.yaml"))
    result = hopsync(env, "config", "apply", write(tmp_path, "bad.yaml", **broken))
    assert result.exit_code == 2
    assert "problem(s)" in result.stderr
    assert [number for number, _, _ in versions(env)] == [1]


def test_a_file_missing_a_secret_it_needs_saves_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    without = {k: v for k, v in env.items() if k != "OKTA_API_TOKEN"}
    result = hopsync(without, "config", "apply", write(tmp_path, "a.yaml"))
    assert result.exit_code == 2 and "OKTA_API_TOKEN" in result.stderr
    assert versions(env) == []


def test_if_none_saves_only_the_first_version(env: dict[str, str], tmp_path: Path) -> None:
    first = hopsync(env, "config", "apply", write(tmp_path, "a.yaml"), "--if-none")
    assert "saved version 1" in first.stdout
    again = hopsync(env, "config", "apply", write(tmp_path, "b.yaml", "x:y"), "--if-none")
    assert again.exit_code == 0 and "left as is: version 1" in again.stdout
    assert [number for number, _, _ in versions(env)] == [1]


def test_show_prints_a_version_as_yaml_that_loads_as_the_same_configuration(
    env: dict[str, str], tmp_path: Path
) -> None:
    hopsync(env, "config", "apply", write(tmp_path, "a.yaml"))
    hopsync(env, "config", "apply", write(tmp_path, "b.yaml", "department:sales"))
    shown = hopsync(env, "config", "show", "1").stdout
    assert shown.startswith("# configuration version 1: saved ")
    assert yaml.safe_load(shown)["groups"][0]["query"] == "department:engineering"
    assert "(active)" in hopsync(env, "config", "show").stdout.splitlines()[0]


def test_rollback_makes_a_new_active_version_equal_to_the_old_one(
    env: dict[str, str], tmp_path: Path
) -> None:
    hopsync(env, "config", "apply", write(tmp_path, "a.yaml"))
    hopsync(env, "config", "apply", write(tmp_path, "b.yaml", "department:sales"))
    result = hopsync(env, "config", "rollback", "1")
    assert result.exit_code == 0 and "saved version 3, a copy of version 1" in result.stdout
    assert hopsync(env, "config", "diff", "1", "3").stdout.startswith("no differences")
    assert versions(env)[0][:2] == (3, True)


def test_an_unknown_version_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    hopsync(env, "config", "apply", write(tmp_path, "a.yaml"))
    for args in (["show", "9"], ["diff", "1", "9"], ["rollback", "9"], ["show", "nine"]):
        result = hopsync(env, "config", *args)
        assert result.exit_code == 2, args
    assert "hopsync config history" in hopsync(env, "config", "show", "9").stderr


def test_a_service_given_a_file_that_differs_from_the_active_version_exits_2(
    env: dict[str, str], tmp_path: Path
) -> None:
    hopsync(env, "config", "apply", write(tmp_path, "a.yaml"))
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
