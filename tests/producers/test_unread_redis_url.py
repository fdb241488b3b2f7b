"""A HOPSYNC_REDIS_URL set to another Redis than REDIS_URL is refused by every command that
connects to Redis: one line, exit 2, nothing done (hopsync reads REDIS_URL only)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
import yaml
from click.testing import CliRunner

from producers.cli import main
from shared.infra.config_store import ConfigStore

EXAMPLE = Path(__file__).parents[2] / "config" / "hopsync.example.yaml"
REFUSAL = "HOPSYNC_REDIS_URL is not read: hopsync uses REDIS_URL; set REDIS_URL instead"


@pytest.fixture
def env(redis_url: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "HOPSYNC_REDIS_URL": "redis://127.0.0.1:6399/0",  # a guess at the name: not read
        "OKTA_API_TOKEN": "okta-secret-token",
        "CHARTHOP_API_TOKEN": "charthop-secret-token",
        "HOPSYNC_WEBHOOK_SECRET": "webhook-secret",
    }


@pytest.fixture
def config_file(tmp_path: Path) -> str:
    path = tmp_path / "hopsync.yaml"
    path.write_text(yaml.safe_dump(yaml.safe_load(EXAMPLE.read_text())), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "args",
    [
        ["runs"],
        ["runs", "show", "resync-x"],
        ["runs", "approve", "resync-x"],
        ["dlq", "list"],
        ["dlq", "replay", "--all"],
        ["config", "history"],
        ["config", "show"],
        ["config", "apply", "{file}", "--offline"],
        ["export", "--out", "{file}.csv"],
        ["query", "someone"],
        ["resync", "--config", "{file}"],
        ["console", "add-user", "ada", "--role", "admin", "--password-stdin"],
    ],
    ids=" ".join,
)
def test_a_command_refuses_a_hopsync_redis_url_in_one_line_and_does_nothing(
    args: list[str], env: dict[str, str], config_file: str, client: redis.Redis
) -> None:
    argv = [arg.replace("{file}", config_file) for arg in args]
    result = CliRunner().invoke(main, argv, env=env, input="a long password\n")
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [REFUSAL]
    assert ConfigStore(client).active_number() is None  # nothing saved, not even a version 1
    assert client.dbsize() == 0


def test_a_hopsync_redis_url_equal_to_redis_url_is_no_problem(
    env: dict[str, str], client: redis.Redis, redis_url: str
) -> None:
    same = {**env, "HOPSYNC_REDIS_URL": redis_url}
    result = CliRunner().invoke(main, ["config", "history"], env=same)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "service",
    [
        ["worker", "--processes", "1", "--threads", "1"],
        ["webhook", "--port", "0"],
        ["scheduler"],
        ["console", "--port", "0"],
    ],
    ids=" ".join,
)
def test_a_service_refuses_a_hopsync_redis_url_at_start_before_serving_anything(
    service: list[str], env: dict[str, str], config_file: str, client: redis.Redis
) -> None:
    argv = [sys.executable, "-m", "producers.cli", *service, "--config", config_file]
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOPSYNC_")}
    process = subprocess.Popen(
        argv,
        env={**inherited, **env, "HOPSYNC_METRICS_PORT": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a service that did start is stopped with all it spawned
    )
    try:
        _, stderr = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"`hopsync {' '.join(service)}` started instead of refusing")
    assert process.returncode == 2, stderr
    assert stderr.splitlines() == [REFUSAL]
    assert client.dbsize() == 0
