"""The `hopsync` command line: check, resync, worker, demo and the simulators.

Exit codes (producers.exits): 0 done, nothing failed; 1 some people failed or the run failed;
2 configuration or usage error; 3 the run is held by safety limits; 4 hopsync could not do its
job (Redis unreachable, no live worker, timed out).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable

import click
import structlog

from config.loader import LoadedConfig
from producers.cli_helpers import (
    F,
    active_or_exit,
    config_option,
    console,
    errors,
    print_finding,
    print_summary,
    validate_or_exit,
)
from producers.exits import (
    EXIT_CODES_HELP,
    FAILED,
    HELD,
    UNAVAILABLE,
    HopsyncGroup,
    infrastructure_line,
    stop,
    summary_exit_code,
    wrapped_lines,
)
from producers.ops.config_commands import config
from producers.ops.dlq import dlq
from producers.ops.export import export
from producers.ops.query import query
from producers.ops.runs import runs
from producers.webconsole.command import console as web_console
from shared.core.models import RunMeta
from shared.errors import ConfigError, HopsyncError
from shared.gc_pause import freeze_startup
from shared.infra.active_config import cli_author, service_author
from shared.infra.config_store import config_label
from shared.infra.logging import FORMAT_ENV, hide_password, json_from_env
from shared.infra.metrics import DEFAULT_PORTS, METRICS_PORT_ENV, serve_metrics
from shared.infra.presence import Presence
from shared.infra.runs import by_cli
from shared.infra.stores import Stores
from shared.infra.worker_launch import fleet_metrics_env, worker_command, worker_env


def metrics_port_option(service: str) -> Callable[[F], F]:
    """The --metrics-port option of a service, defaulting to the service kind's own port."""
    default = DEFAULT_PORTS[service]
    return click.option(
        "--metrics-port",
        type=click.IntRange(0, 65535),
        default=default,
        envvar=METRICS_PORT_ENV,
        show_default=True,
        help=f"Port of the Prometheus metrics (0: off; also ${METRICS_PORT_ENV}). "
        "A port in use is a warning; the service runs on without metrics.",
    )


@click.group(cls=HopsyncGroup, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="hopsync")
def main() -> None:
    """hopsync keeps Okta profiles and group memberships in step with ChartHop."""


@main.command()
@config_option
@click.option(
    "--offline", is_flag=True, help="Check only the file and the environment (no network)."
)
def check(config_path: str | None, offline: bool) -> None:
    """Prove the setup: the file and environment, then Redis, Okta and ChartHop.

    Each problem is one line naming its path and what to do; exit 2 if there is any.
    Warnings do not change the exit code.
    """
    loaded = validate_or_exit(config_path, env_as_findings=True)
    describe_config(loaded)
    from shared.infra.preflight import (
        Report,
        env_findings,
        offline_findings,
        run_checks,
        summary_line,
    )

    report = Report(offline_findings(loaded.config)) if offline else asyncio.run(run_checks(loaded))
    report.findings[:0] = env_findings(os.environ)
    for finding in report.findings:  # each folded at the terminal's width, caret kept aligned
        print_finding(finding)
    scope = "file and environment only (--offline)" if offline else "file, environment, services"
    click.echo(f"checked {scope}: {summary_line(report.findings)}")
    if report.problems:
        sys.exit(2)


def describe_config(loaded: LoadedConfig) -> None:
    """What the configuration says, in a few lines (folded at the terminal's width, continuation
    lines indented under their item)."""
    config = loaded.config
    settings = config.settings
    flags = (
        "live_sync",
        "resync_daily",
        "create_profiles",
        "remote_location_default",
        "sync_new_hires",
    )
    lines = [
        f"{loaded.path}: the file and the environment are valid",
        f"  ChartHop org {config.charthop.org} at {config.charthop.base_url}",
        f"  Okta {config.okta.url} (share {config.okta.rate_limit_share:.0%}, "
        f"{config.okta.max_in_flight} in flight)",
        f"  match Okta {config.match.okta_attribute} = ChartHop {config.match.charthop}",
        f"  {len(config.profile_fields)} profile field(s): {', '.join(config.profile_fields)}",
        f"  {len(config.groups)} managed group(s): "
        f"{', '.join(group.name for group in config.groups)}",
        "  settings: " + ", ".join(f"{flag}={getattr(settings, flag)}" for flag in flags),
    ]
    for line in lines:
        folded = textwrap.fill(
            line, width=console.width, subsequent_indent="    ", break_long_words=False
        )
        console.print(folded, highlight=False, markup=False, soft_wrap=True)


@main.command()
@click.option(
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help="Must be the active configuration version; with --dry-run, any file to preview "
    "(kept as a draft version that the workers plan with).",
)
@click.option("--dry-run", is_flag=True, help="List every change; write nothing to Okta.")
@click.option("--wait", is_flag=True, help="Show progress, then the summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds --wait waits.")
def resync(
    config_path: str | None, dry_run: bool, wait: bool, as_json: bool, timeout: float
) -> None:
    """Resync everyone now (what the daily schedule runs), with the active configuration."""
    from producers.ops.terminal import wait_for_summary, wait_for_worker

    started = time.monotonic()
    loaded = active_or_exit(config_path, author=cli_author(), preview=dry_run)
    stores = Stores.for_command(loaded)
    if dry_run:  # a dry run's report is all it is for, and only workers write it
        wait_for_worker(stores.client, errors)
    try:
        run = asyncio.run(start_resync(loaded, stores, dry_run=dry_run))
    except ConfigError as error:  # the configuration reads fields the org does not have
        errors.print(wrapped_lines(f"resync not started: {error}"), markup=False, highlight=False)
        sys.exit(2)
    except HopsyncError as error:
        # The producer has marked the run failed, with this reason (see Producer.resync).
        stop(f"resync failed: {error}", UNAVAILABLE if infrastructure_line(error) else FAILED)
    held = stores.runs.summary(run.run_id) if run.status == "held" else None
    if held is not None:
        print_summary(held, as_json)
        if not as_json:
            print_decision_hint(run.run_id)
        sys.exit(HELD)
    if not wait:
        print_run_started(run, as_json)
        if not Presence(stores.client).alive():
            errors.print(
                "no worker is running: the run's messages wait in Redis until `hopsync worker` "
                "starts",
                markup=False,
                highlight=False,
            )
        return
    summary = wait_for_summary(stores.runs, run.run_id, timeout_s=timeout, since=started)
    print_summary(summary, as_json)
    if not as_json:
        print_config_used(run, config_path)
    sys.exit(summary_exit_code(summary))


def print_config_used(run: RunMeta, config_path: str | None) -> None:
    """Which configuration the run planned with; for a draft, how to apply it."""
    label = config_label(run.config_version, run.config_draft)
    then = f"; `hopsync config apply {config_path}` saves it" if run.config_draft else ""
    console.print(f"configuration: {label}{then}", highlight=False, soft_wrap=True)


async def start_resync(loaded: LoadedConfig, stores: Stores, *, dry_run: bool) -> RunMeta:
    """Open the API clients, run the resync producer, close them."""
    from producers.factory import open_producer

    async with open_producer(loaded, stores, started_by=by_cli()) as producer:
        return await producer.resync(dry_run=dry_run)


def print_decision_hint(run_id: str) -> None:
    """How to decide a held run."""
    # The commands on lines of their own: whole at 80 columns, and copied as they are.
    console.print(
        f"nothing was written; decide with one of:\n  hopsync runs approve {run_id}\n"
        f"  hopsync runs discard {run_id}",
        highlight=False,
        soft_wrap=True,
    )


def print_run_started(run: RunMeta, as_json: bool) -> None:
    """Say which run started and how to follow it."""
    if as_json:
        click.echo(run.model_dump_json())
        return
    dry = " (dry run)" if run.dry_run else ""
    console.print(
        f"run {run.run_id} started{dry} with configuration "
        f"{config_label(run.config_version, run.config_draft)}: {run.expected} people; "
        f"follow it with `hopsync runs show {run.run_id}`",
        highlight=False,
        soft_wrap=True,
    )
    for warning in run.warnings:
        console.print(f"  warning: {warning}", highlight=False, markup=False)


@main.command()
@config_option
@click.option(
    "--processes", type=int, default=None, help="Worker processes (config: worker.processes)."
)
@click.option(
    "--threads", type=int, default=None, help="Threads per process (config: worker.threads)."
)
@metrics_port_option("worker")
def worker(
    config_path: str | None, processes: int | None, threads: int | None, metrics_port: int
) -> None:
    """Start the Dramatiq workers that apply sync messages to Okta."""
    loaded = active_or_exit(config_path, author=service_author("worker"), log_level="INFO")
    processes = processes or loaded.config.worker.processes
    threads = threads or loaded.config.worker.threads
    # The processes read the active version from Redis (saved above if there was none).
    env = {
        **os.environ,
        # Decided here, where stderr may be a terminal; the workers' stderr is a pipe.
        FORMAT_ENV: "json" if json_from_env() else "console",
        **fleet_metrics_env(metrics_port),  # one port and one directory for the whole fleet
    }
    log_start("worker", loaded, processes=processes, threads=threads, metrics_port=metrics_port)
    command = worker_command(processes, threads)
    # exec, not a child: signals reach Dramatiq directly, so a stop shuts it down cleanly.
    os.execvpe(command[0], command, worker_env(env))


@main.command()
@config_option
@click.option(
    "--host",
    default="0.0.0.0",
    show_default=True,
    help="Address to listen on: 0.0.0.0 for every interface, 127.0.0.1 for this machine only.",
)
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@metrics_port_option("webhook")
def webhook(config_path: str | None, host: str, port: int, metrics_port: int) -> None:
    """Receive ChartHop webhooks (POST /webhooks/charthop) and run the live flusher."""
    from producers.webhook import serve

    loaded = active_or_exit(config_path, author=service_author("webhook"), log_level="INFO")
    log_start(
        "webhook",
        loaded,
        listen=f"http://{host}:{port}/webhooks/charthop",
        live_sync=loaded.config.settings.live_sync,
        metrics_port=metrics_port,
    )
    serve_metrics("webhook", metrics_port)
    serve(loaded, host, port)


@main.command()
@config_option
@metrics_port_option("scheduler")
def scheduler(config_path: str | None, metrics_port: int) -> None:
    """Run the daily resync and the new-hire starts (one scheduler acts at a time)."""
    from producers.schedule.scheduler import run_scheduler

    loaded = active_or_exit(config_path, author=service_author("scheduler"), log_level="INFO")
    settings = loaded.config.settings
    log_start(
        "scheduler",
        loaded,
        daily_at=f"{settings.daily_at} {settings.timezone}",
        metrics_port=metrics_port,
    )
    serve_metrics("scheduler", metrics_port)
    run_scheduler(loaded)


def log_start(service: str, loaded: LoadedConfig, **where: object) -> None:
    """The one line a service logs as it starts: what, where, which Redis and configuration."""
    structlog.get_logger("hopsync").info(
        f"{service} starting",
        service=service,
        **where,
        redis=hide_password(loaded.secrets.redis_url),
        config=loaded.path,
        config_version=active_config_version(loaded.secrets.redis_url),
        version=package_version(),
    )


def active_config_version(redis_url: str) -> int | str:
    """The configuration version active in Redis, or why it is not known (never an error)."""
    from redis import RedisError

    from shared.infra.config_store import ConfigStore
    from shared.infra.redis_client import connect_redis

    client = connect_redis(redis_url, retries=0, socket_timeout=2, socket_connect_timeout=2)
    try:
        number = ConfigStore(client).active_number()
    except RedisError as error:
        return f"unknown (Redis: {error})"
    finally:
        client.close()
    return number if number is not None else "none saved yet (the file is used)"


def package_version() -> str:
    """hopsync's installed version."""
    from importlib.metadata import version

    return version("hopsync")


@main.command()
@click.option("--people", default=300, show_default=True, help="Size of the generated org.")
@click.option("--seed", default=7, show_default=True, help="Seed of the generated org.")
@click.option(
    "--keep",
    is_flag=True,
    help="Keep the embedded Redis, simulators and workers running afterwards (Ctrl-C stops "
    "them), and print the commands to try on them from another terminal.",
)
@click.option("--json", "as_json", is_flag=True, help="Print both summaries as JSON.")
def demo(people: int, seed: int, keep: bool, as_json: bool) -> None:
    """Run a dry run, then a real resync, against simulated ChartHop and Okta; no setup needed."""
    from producers.demo import run_demo

    dry, real = run_demo(people=people, seed=seed, console=console, quiet=as_json, keep=keep)
    if as_json:
        click.echo(
            json.dumps(
                {"dry_run": dry.model_dump(mode="json"), "resync": real.model_dump(mode="json")},
                indent=2,
            )
        )


@main.group()
def sim() -> None:
    """Run a simulator (fake Okta or fake ChartHop) on a local port."""


@sim.command("okta")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8081, show_default=True)
@click.option("--token", default="sim-okta-token", show_default=True)
@click.option("--window", default=60.0, show_default=True, help="Rate-limit window in seconds.")
def sim_okta(host: str, port: int, token: str, window: float) -> None:
    """Serve the fake Okta."""
    from sim.okta import main as serve

    serve(port=port, host=host, token=token, window_s=window)


@sim.command("charthop")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8082, show_default=True)
@click.option("--people", default=500, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--token", default="sim-charthop-token", show_default=True)
def sim_charthop(host: str, port: int, people: int, seed: int, token: str) -> None:
    """Serve the fake ChartHop with a generated org."""
    from sim.charthop import main as serve

    serve(port=port, size=people, seed=seed, token=token, host=host)


for command in (runs, dlq, export, query, web_console, config):
    main.add_command(command)


def run() -> None:
    """The `hopsync` command: ``main`` with its imported modules frozen out of the collector's
    way first (shared/gc_pause.py); tests call ``main`` itself."""
    freeze_startup()
    main()


if __name__ == "__main__":
    run()
