"""`hopsync console add-user`: argon2id accounts; bad input and Redis down exit cleanly."""

from __future__ import annotations

from pathlib import Path

import redis
import yaml
from click.testing import CliRunner

from harness.world import DEFAULT_CONFIG
from producers.cli import main
from producers.webconsole.accounts import AccountStore


def config_file(tmp_path: Path) -> str:
    path = tmp_path / "hopsync.yaml"
    path.write_text(yaml.safe_dump(DEFAULT_CONFIG), encoding="utf-8")
    return str(path)


def add_user(tmp_path: Path, redis_url: str, *args: str, password: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["console", "add-user", "--config", config_file(tmp_path), *args, "--password-stdin"],
        input=password + "\n",
        env={"REDIS_URL": redis_url},
    )
    return result.exit_code, result.output


def test_an_account_is_created_with_an_argon2id_hash_that_verifies(
    tmp_path: Path, redis_url: str, client: redis.Redis
) -> None:
    code, output = add_user(
        tmp_path, redis_url, "ada", "--role", "admin", password="a long password"
    )
    assert code == 0, output
    assert "account ada (admin) created" in output
    account = AccountStore(client).get("ada")
    assert account is not None and account.role == "admin"
    assert account.password_hash.startswith("$argon2id$")
    assert "a long password" not in account.password_hash
    assert AccountStore(client).verify("ada", "a long password") == account
    assert AccountStore(client).verify("ada", "a wrong password") is None


def test_a_short_password_or_a_taken_name_is_a_usage_error_that_changes_nothing(
    tmp_path: Path, redis_url: str, client: redis.Redis
) -> None:
    code, output = add_user(tmp_path, redis_url, "ada", "--role", "viewer", password="short")
    assert code == 2 and "at least 10 characters" in output
    assert AccountStore(client).get("ada") is None
    assert add_user(tmp_path, redis_url, "ada", "--role", "viewer", password="x" * 12)[0] == 0
    code, output = add_user(tmp_path, redis_url, "ada", "--role", "admin", password="y" * 12)
    assert code == 2 and "already exists" in output
    assert AccountStore(client).get("ada").role == "viewer"  # type: ignore[union-attr]
    code, _ = add_user(
        tmp_path, redis_url, "ada", "--role", "admin", "--replace", password="y" * 12
    )
    assert code == 0 and AccountStore(client).get("ada").role == "admin"  # type: ignore[union-attr]


def test_with_redis_down_add_user_says_so_in_one_line_and_exits_4(tmp_path: Path) -> None:
    code, output = add_user(
        tmp_path, "redis://127.0.0.1:1/0", "ada", "--role", "admin", password="a long password"
    )
    assert code == 4, output
    assert "Traceback" not in output


def test_the_console_refuses_to_start_on_a_hopsync_redis_url_it_would_not_read(
    tmp_path: Path,
) -> None:
    env = {
        "REDIS_URL": "redis://127.0.0.1:6399/0",  # nothing listens there
        "HOPSYNC_REDIS_URL": "redis://127.0.0.1:6379/0",  # a guess at the name: not read
        "OKTA_API_TOKEN": "okta-token",
        "CHARTHOP_API_TOKEN": "charthop-token",
    }
    result = CliRunner().invoke(main, ["console", "--config", config_file(tmp_path)], env=env)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "HOPSYNC_REDIS_URL is not read: hopsync uses REDIS_URL; set REDIS_URL instead"
    ]


def test_the_console_exits_4_in_one_line_when_redis_is_unreachable(tmp_path: Path) -> None:
    env = {
        "REDIS_URL": "redis://127.0.0.1:6399/0",  # nothing listens there
        "OKTA_API_TOKEN": "okta-token",
        "CHARTHOP_API_TOKEN": "charthop-token",
    }
    result = CliRunner().invoke(main, ["console", "--config", config_file(tmp_path)], env=env)
    assert result.exit_code == 4, result.output
    assert "Redis at redis://127.0.0.1:6399/0 cannot be reached" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) <= 80
