"""The exit-code contract: in every command's --help; Redis down is one line and exit 4."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harness.world import free_port
from producers.cli import main
from producers.exits import EXIT_CODES_HELP
from shared.infra.logging import hide_password

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "hopsync.example.yaml"
SECRETS = {
    "OKTA_API_TOKEN": "okta-token-1",
    "CHARTHOP_API_TOKEN": "charthop-token-1",
    "HOPSYNC_WEBHOOK_SECRET": "webhook-secret-1",
}


def every_command(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """The path of every command and group below ``group``."""
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", [(), *every_command(main)], ids=" ".join)
def test_every_commands_help_lists_the_exit_codes(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    for line in EXIT_CODES_HELP.splitlines()[1:]:
        assert line.strip() in result.output, (path, line)


@pytest.fixture
def unreachable(tmp_path: Path) -> dict[str, str]:
    """An environment whose REDIS_URL (with a password) names a port nobody listens on."""
    config = tmp_path / "hopsync.yaml"
    shutil.copy(EXAMPLE, config)
    url = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"
    return {**SECRETS, "HOPSYNC_CONFIG": str(config), "REDIS_URL": url}


@pytest.mark.parametrize(
    "args",
    [
        ("runs",),
        ("runs", "show", "resync-20261202T000000-abcdef"),
        ("runs", "approve", "resync-20261202T000000-abcdef"),
        ("dlq", "list"),
        ("dlq", "replay", "--all"),
        ("resync",),
        ("resync", "--wait"),
    ],
    ids=" ".join,
)
def test_redis_unreachable_is_one_message_at_80_columns_naming_it_without_the_password(
    unreachable: dict[str, str], args: tuple[str, ...]
) -> None:
    result = CliRunner().invoke(main, list(args), env={**unreachable, "COLUMNS": "80"})
    assert result.exit_code == 4, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("hopsync: Redis at redis://:***@127.0.0.1:"), result.stderr
    assert all(line.startswith("  ") for line in lines[1:]), result.stderr  # one message
    assert max(len(line) for line in lines) <= 80, result.stderr
    assert "check that Redis is running" in " ".join(line.strip() for line in lines)
    assert "s3cret-pass" not in result.output
    assert "Traceback" not in result.output


def test_a_url_without_a_password_is_shown_as_it_is() -> None:
    assert hide_password("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert hide_password("redis://app:pw@r.example:6380/2") == "redis://app:***@r.example:6380/2"


def test_check_exits_0_for_a_valid_configuration_and_2_for_a_broken_one(tmp_path: Path) -> None:
    config = tmp_path / "hopsync.yaml"
    shutil.copy(EXAMPLE, config)
    good = CliRunner().invoke(main, ["check", "--offline", "--config", str(config)], env=SECRETS)
    if good.exit_code == 2 and "no such option" in good.output.lower():  # before `check --offline`
        good = CliRunner().invoke(main, ["check", "--config", str(config)], env=SECRETS)
    assert good.exit_code == 0, good.output
    config.write_text(config.read_text().replace("rate_limit_share: 0.5", "rate_limit_share: 7"))
    bad = CliRunner().invoke(main, ["check", "--config", str(config)], env=SECRETS)
    assert bad.exit_code == 2, bad.output
    assert "rate_limit_share" in bad.output
