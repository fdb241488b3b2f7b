"""The exit-code contract of every `hopsync` command, and infrastructure failures told in one line.

Scripts and cron jobs around hopsync decide on the exit code alone, so every command keeps it:

- 0: done, and nothing failed;
- 1: some people failed, or the run (or the call) failed;
- 2: a configuration or usage error (nothing was done);
- 3: the run is held by safety limits: nothing was written; approve or discard it;
- 4: hopsync could not do its job: Redis unreachable, no live worker, a wait timed out, Okta or
  ChartHop unreachable.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from typing import Any, Final, NoReturn

import click
import redis

from shared.core.models import RunStatus, RunSummary
from shared.errors import (
    BrokerUnavailableError,
    InfrastructureError,
    NoWorkerError,
    TransportError,
    WaitTimeoutError,
)
from shared.infra.logging import hide_password

DONE: Final = 0
FAILED: Final = 1
USAGE: Final = 2
HELD: Final = 3
UNAVAILABLE: Final = 4

EXIT_CODES_HELP: Final = (
    "\b\nExit codes:\n"
    "  0  done, nothing failed\n"
    "  1  some people failed, or the run failed\n"
    "  2  configuration or usage error\n"
    "  3  the run is held by safety limits: nothing written; approve or discard it\n"
    "  4  hopsync could not do its job: Redis unreachable, no live worker, timed out"
)

_redis_url: str | None = None


UNREAD_REDIS_URL: Final = (
    "HOPSYNC_REDIS_URL is not read: hopsync uses REDIS_URL; set REDIS_URL instead"
)


def remember_redis_url(url: str, *, refuse_unread: bool = True) -> None:
    """Note the Redis URL the command uses, to name it if Redis cannot be reached.

    Every command that connects to Redis (services at their start too) resolves its URL here,
    so this is where a HOPSYNC_REDIS_URL set to another Redis is refused (exit 2): hopsync
    reads REDIS_URL, and the other variables it reads are named HOPSYNC_*, so the name is an
    easy guess that would otherwise send the command to the wrong Redis without a word.
    ``refuse_unread`` off: the caller reports it itself (`hopsync check`, as a finding).
    """
    global _redis_url
    _redis_url = url
    guessed = os.environ.get("HOPSYNC_REDIS_URL")
    if refuse_unread and guessed and guessed != url:
        click.echo(UNREAD_REDIS_URL, err=True)  # unprefixed: one line of 77 columns
        sys.exit(USAGE)


def redis_url() -> str:
    """The Redis URL the command uses (or would use), with any password hidden."""
    return hide_password(_redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")


def exit_code(status: RunStatus, failed_people: int = 0) -> int:
    """The exit code a run's status stands for (a run still going has failed no one yet)."""
    if status == "held":
        return HELD
    if status == "failed" or failed_people:
        return FAILED
    return DONE


def summary_exit_code(summary: RunSummary) -> int:
    """The exit code of a finished run's summary."""
    return exit_code(summary.status, summary.failed_people)


def infrastructure_line(error: BaseException) -> str | None:
    """The one line telling what hopsync could not reach and what to check; None for others."""
    if isinstance(error, redis.exceptions.AuthenticationError):
        return (
            f"Redis at {redis_url()} refused hopsync's password ({error}); "
            "check the password in REDIS_URL"
        )
    if isinstance(error, redis.ConnectionError | redis.TimeoutError):
        return (
            f"Redis at {redis_url()} cannot be reached ({_first_line(error)}); "
            "check that Redis is running and that REDIS_URL names it"
        )
    if isinstance(error, BrokerUnavailableError):
        return f"Redis at {redis_url()} cannot be reached: {_first_line(error)}"
    if isinstance(error, NoWorkerError | WaitTimeoutError | InfrastructureError):
        return _first_line(error)
    if isinstance(error, TransportError):
        return f"{_first_line(error)}; check the network and the service's address in the config"
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def stop(line: str, code: int) -> NoReturn:
    """Print one message on standard error, wrapped to the terminal, and exit with ``code``."""
    click.echo(wrapped(f"hopsync: {line}"), err=True)
    sys.exit(code)


def wrapped(message: str, indent: str = "  ") -> str:
    """``message`` folded at the terminal's width (80 when unknown), later lines indented.

    One message stays one message, whole words kept (a URL is never split), so it reads at
    80 columns and a script still finds it with grep on the first line's start. Only the first
    line is folded: any lines after it (a query and the caret under the character at fault) are
    kept as they are, since folding them would move the caret off its character.
    """
    head, newline, drawing = message.partition("\n")
    width = max(shutil.get_terminal_size((80, 24)).columns, 40)
    folded = textwrap.fill(
        head,
        width=width,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return folded + newline + drawing


def wrapped_lines(text: str) -> str:
    """Each line of a message of several (a file's problems, one per line) folded at the
    terminal's width, its continuation lines two spaces deeper than it; a query line and the
    caret line under it are kept as they are, so the caret stays under its character."""
    lines = text.splitlines()
    out: list[str] = []
    for at, line in enumerate(lines):
        caret = line.strip() == "^" or (at + 1 < len(lines) and lines[at + 1].strip() == "^")
        indent = line[: len(line) - len(line.lstrip())]
        out.append(line if caret or not line.strip() else wrapped(line, indent=indent + "  "))
    return "\n".join(out)


class HopsyncGroup(click.Group):
    """A command group whose commands keep the exit-code contract and document it in --help.

    An infrastructure failure anywhere below it (Redis down, no worker, a wait timed out) is
    reported in one line with exit 4 instead of a traceback.
    """

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, with the exit codes added to its help."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            document_exit_codes(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; infrastructure failures become one line and exit 4."""
        try:
            return super().invoke(ctx)
        except Exception as error:  # re-raised unless it is an infrastructure failure
            line = infrastructure_line(error)
            if line is None:
                raise
            stop(line, UNAVAILABLE)


def document_exit_codes(command: click.Command) -> None:
    """Give a command (and a group's subcommands) the exit codes at the end of its --help."""
    if not command.epilog:
        command.epilog = EXIT_CODES_HELP
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            document_exit_codes(sub)
