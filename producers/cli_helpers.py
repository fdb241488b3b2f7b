"""What every command module shares: the two consoles, --config, loading it, printing a summary.

The command modules (producers/cli.py, producers/ops/approval.py, producers/ops/*) import these from
here, and producers/cli.py imports the command modules to add them: so the helpers live apart
from the CLI's group, and nothing imports the CLI back.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from config.loader import LoadedConfig, Secrets, load_config
from producers.exits import remember_redis_url, wrapped, wrapped_lines
from shared.core.models import RunSummary
from shared.errors import ConfigError, ConfigVersionNotFoundError
from shared.infra.active_config import cli_author, preview_config, resolve_config
from shared.infra.logging import configure_logging
from shared.infra.redis_client import COMMAND_RETRIES, connect_redis

if TYPE_CHECKING:
    from producers.ops.terminal import SummaryView
    from shared.infra.preflight import Finding

F = TypeVar("F", bound=Callable[..., Any])
console = Console()
errors = Console(stderr=True)


def config_option(function: F) -> F:
    """The --config option every command that reads the configuration takes."""
    option = click.option(
        "--config",
        "config_path",
        default=None,
        metavar="PATH",
        help="Configuration file (default: $HOPSYNC_CONFIG, else hopsync.yaml).",
    )
    return option(function)


def load_or_exit(
    path: str | None,
    *,
    require_secrets: bool = True,
    log_level: str = "WARNING",
    refuse_unread: bool = True,
) -> LoadedConfig:
    """Load the configuration, or print every problem and exit 2.

    Logging is set up at ``log_level`` unless $HOPSYNC_LOG says otherwise: services log at INFO,
    one-shot commands only warnings, so that their output is what the user asked for.
    ``refuse_unread`` off: a HOPSYNC_REDIS_URL set to another Redis is the caller's to report.
    """
    try:
        loaded = load_config(path, require_secrets=require_secrets)
    except ConfigError as error:
        click.echo(wrapped_lines(str(error)), err=True)
        sys.exit(2)
    configure_logging(loaded.secrets.values(), default_level=log_level)
    remember_redis_url(loaded.secrets.redis_url, refuse_unread=refuse_unread)
    return loaded


def validate_or_exit(path: str | None, *, env_as_findings: bool = False) -> LoadedConfig:
    """What `hopsync check` validates (the file and the secrets); prints every problem, exits 2.

    `hopsync config apply` saves nothing that does not pass it: a check `hopsync check` adds on
    the file belongs here (not in the command's body), so that applying a file runs it too.
    ``env_as_findings``: `check` reports a HOPSYNC_REDIS_URL among its findings, not by exiting.
    """
    # Errors only: a check reports each failure as a finding, so a client's retry warnings
    # (ChartHop not answering, say) would tell the same thing again, as a log line.
    return load_or_exit(path, log_level="ERROR", refuse_unread=not env_as_findings)


def fields_or_exit(loaded: LoadedConfig, *, nothing_done: str) -> None:
    """What `hopsync check` checks of a file against the org: ChartHop answers, and every field
    the configuration reads exists (ChartHop's field list, else the people read, named in the
    first line). Prints a line per finding; on any problem says ``nothing_done`` and exits 2."""
    from shared.infra.preflight import field_findings

    findings = asyncio.run(field_findings(loaded))
    for finding in findings:  # as `check` prints them
        print_finding(finding)
    problems = [finding for finding in findings if finding.level == "problem"]
    if not problems:
        return
    unread = any(finding.path.startswith(("env.", "charthop.")) for finding in problems)
    hint = "; --offline skips the ChartHop check" if unread else ""
    click.echo(wrapped(f"{nothing_done}: {len(problems)} problem(s){hint}"), err=True)
    sys.exit(2)


FINDING_INDENT = "    "  # deeper than a caret drawing's two spaces, so the two never mix


def print_finding(finding: Finding) -> None:
    """One finding of `check` or `config apply`, problems on standard error.

    Its line is folded at the terminal's width with indented continuation lines, so it reads
    at 80 columns; a caret drawing under it is printed as it is, aligned. Only the terminal is
    folded: the console shows the same findings' unfolded messages.
    """
    line = wrapped(f"{finding.level}: {finding.line()}", indent=FINDING_INDENT)
    click.echo(line, err=finding.level == "problem")


def active_or_exit(
    path: str | None,
    *,
    author: str | None = None,
    preview: bool = False,
    require_secrets: bool = True,
    log_level: str = "WARNING",
) -> LoadedConfig:
    """The active configuration version in Redis (saving the file as version 1 when none is).

    ``path`` (--config) must be the active version, else exit 2 saying to `config apply` it;
    with ``preview`` (a dry run) a file that differs is kept as a draft version instead.
    Exit 2 on a configuration problem; Redis not answering is exit 4 (producers.exits).
    """
    secrets = Secrets.from_env(os.environ)
    remember_redis_url(secrets.redis_url)  # to name it if Redis cannot be reached
    client = connect_redis(secrets.redis_url, retries=COMMAND_RETRIES, socket_connect_timeout=5)
    try:
        if preview and path is not None:
            loaded = preview_config(client, path, author=author or cli_author())
        else:
            loaded = resolve_config(
                client,
                explicit=path,
                author=author or cli_author(),
                require_secrets=require_secrets,
            )
    except (ConfigError, ConfigVersionNotFoundError) as error:
        click.echo(wrapped_lines(str(error)), err=True)
        sys.exit(2)
    finally:
        client.close()
    configure_logging(loaded.secrets.values(), default_level=log_level)
    return loaded


def print_summary(
    summary: RunSummary, as_json: bool, limit: int | None = 50, view: SummaryView | None = None
) -> None:
    """Print a summary for the terminal (its first ``limit`` changes, or as ``view`` says), or
    the whole of it as JSON."""
    if as_json:
        click.echo(summary.model_dump_json(indent=2))
        return
    from producers.ops.terminal import print_summary_text

    print_summary_text(console, summary, limit=limit, view=view)
