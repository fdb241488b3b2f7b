"""A CLI holding the operator commands (and resync), and how the tests call it."""

from __future__ import annotations

from collections.abc import Mapping

import click
from click.testing import CliRunner, Result

from producers.cli import main
from producers.ops import dlq, export, query, runs


@click.group()
def hopsync() -> None:
    """The operator commands as `hopsync` serves them, built here so tests need no wiring."""


for command in (dlq, export, query, runs, main.commands["resync"]):
    hopsync.add_command(command)


def invoke(env: Mapping[str, str], *args: str) -> Result:
    """Run `hopsync ARGS` with an environment; exceptions other than exits propagate."""
    return CliRunner(env=dict(env)).invoke(hopsync, list(args), catch_exceptions=False)


def ok(env: Mapping[str, str], *args: str) -> str:
    """Run `hopsync ARGS`, require exit 0, and return its standard output."""
    result = invoke(env, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def expect(env: Mapping[str, str], code: int, *args: str) -> str:
    """Run `hopsync ARGS`, require exit ``code``, and return its standard output."""
    result = invoke(env, *args)
    assert result.exit_code == code, (result.exit_code, result.output)
    return result.stdout
