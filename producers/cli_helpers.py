"""What every command module shares: the two consoles, --config, loading it, printing a summary.

The command modules (producers/cli.py, producers/approval.py, producers/ops/*) import these from
here, and producers/cli.py imports the command modules to add them: so the helpers live apart
from the CLI's group, and nothing imports the CLI back.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from config.loader import LoadedConfig, load_config
from producers.exits import remember_redis_url
from shared.errors import ConfigError
from shared.logging import configure_logging
from shared.models import RunSummary

if TYPE_CHECKING:
    from producers.console import SummaryView

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
    path: str | None, *, require_secrets: bool = True, log_level: str = "WARNING"
) -> LoadedConfig:
    """Load the configuration, or print every problem and exit 2.

    Logging is set up at ``log_level`` unless $HOPSYNC_LOG says otherwise: services log at INFO,
    one-shot commands only warnings, so that their output is what the user asked for.
    """
    try:
        loaded = load_config(path, require_secrets=require_secrets)
    except ConfigError as error:
        errors.print(str(error), markup=False, highlight=False)
        sys.exit(2)
    configure_logging(loaded.secrets.values(), default_level=log_level)
    remember_redis_url(loaded.secrets.redis_url)  # to name it if Redis cannot be reached
    return loaded


def print_summary(
    summary: RunSummary, as_json: bool, limit: int | None = 50, view: SummaryView | None = None
) -> None:
    """Print a summary for the terminal (its first ``limit`` changes, or as ``view`` says), or
    the whole of it as JSON."""
    if as_json:
        click.echo(summary.model_dump_json(indent=2))
        return
    from producers.console import print_summary_text

    print_summary_text(console, summary, limit=limit, view=view)
