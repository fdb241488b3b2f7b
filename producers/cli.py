"""The `hopsync` command line: check, resync, worker, demo and the simulators.

Exit codes: 0 success, 1 a run or call failed, 2 bad configuration or usage.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

import click
import redis

from config.loader import LoadedConfig
from producers.cli_helpers import config_option, console, errors, load_or_exit, print_summary
from producers.ops.dlq import dlq
from producers.ops.export import export
from producers.ops.query import query
from producers.ops.runs import runs
from shared.broker import build_broker
from shared.errors import HopsyncError
from shared.metrics import metrics_port
from shared.models import RunMeta
from shared.rules import Rules
from shared.runs import RunStore
from workers.launch import worker_command, worker_env


@click.group()
@click.version_option(package_name="hopsync")
def main() -> None:
    """hopsync keeps Okta profiles and group memberships in step with ChartHop."""


@main.command()
@config_option
def check(config_path: str | None) -> None:
    """Validate the configuration and the environment's secrets; exit 2 listing every problem."""
    loaded = load_or_exit(config_path)
    config = loaded.config
    settings = config.settings
    console.print(f"{loaded.path}: OK", highlight=False)
    console.print(
        f"  ChartHop org {config.charthop.org} at {config.charthop.base_url}", highlight=False
    )
    console.print(
        f"  Okta {config.okta.url} (share {config.okta.rate_limit_share:.0%}, "
        f"{config.okta.max_in_flight} in flight)",
        highlight=False,
    )
    console.print(
        f"  match Okta {config.match.okta_attribute} = ChartHop {config.match.charthop}",
        highlight=False,
    )
    console.print(
        f"  {len(config.profile_fields)} profile field(s): {', '.join(config.profile_fields)}",
        highlight=False,
    )
    console.print(
        f"  {len(config.groups)} managed group(s): "
        f"{', '.join(group.name for group in config.groups)}",
        highlight=False,
    )
    flags = (
        "live_sync",
        "resync_daily",
        "create_profiles",
        "remote_location_default",
        "sync_new_hires",
    )
    console.print(
        "  settings: " + ", ".join(f"{flag}={getattr(settings, flag)}" for flag in flags),
        highlight=False,
    )


@main.command()
@config_option
@click.option("--dry-run", is_flag=True, help="List every change; write nothing to Okta.")
@click.option("--wait", is_flag=True, help="Show progress, then the summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--timeout", default=3600.0, show_default=True, help="Seconds --wait waits.")
def resync(
    config_path: str | None, dry_run: bool, wait: bool, as_json: bool, timeout: float
) -> None:
    """Resync everyone now (what the daily schedule runs)."""
    loaded = load_or_exit(config_path)
    client = redis.Redis.from_url(loaded.secrets.redis_url)
    runs = RunStore(client, loaded.config.runs_ttl_days)
    try:
        run = asyncio.run(start_resync(loaded, client, runs, dry_run=dry_run))
    except HopsyncError as error:
        errors.print(f"resync failed: {error}", markup=False, highlight=False)
        sys.exit(1)
    if not wait:
        print_run_started(run, as_json)
        return
    from producers.console import wait_for_summary

    summary = wait_for_summary(runs, run.run_id, timeout_s=timeout)
    print_summary(summary, as_json)


async def start_resync(
    loaded: LoadedConfig, client: redis.Redis, runs: RunStore, *, dry_run: bool
) -> RunMeta:
    """Open the API clients, run the resync producer, close them."""
    from producers.resync import Producer
    from workers.runtime import open_clients

    broker = build_broker(client=client, settings=loaded.config.worker)
    clients = await open_clients(loaded)
    try:
        producer = Producer(
            Rules.build(loaded.config), runs, broker, clients.okta, clients.charthop
        )
        return await producer.resync(dry_run=dry_run)
    finally:
        await clients.close()


def print_run_started(run: RunMeta, as_json: bool) -> None:
    """Say which run started and how to follow it."""
    if as_json:
        click.echo(run.model_dump_json())
        return
    dry = " (dry run)" if run.dry_run else ""
    console.print(
        f"run {run.run_id} started{dry}: {run.expected} people; "
        f"follow it with `hopsync runs show {run.run_id}`",
        highlight=False,
    )


@main.command()
@config_option
@click.option(
    "--processes", type=int, default=None, help="Worker processes (config: worker.processes)."
)
@click.option(
    "--threads", type=int, default=None, help="Threads per process (config: worker.threads)."
)
def worker(config_path: str | None, processes: int | None, threads: int | None) -> None:
    """Start the Dramatiq workers that apply sync messages to Okta."""
    loaded = load_or_exit(config_path)
    # Dramatiq's Prometheus middleware serves every worker process's metrics on one port.
    env = {**os.environ, "HOPSYNC_CONFIG": loaded.path, "dramatiq_prom_port": str(metrics_port())}
    command = worker_command(
        processes or loaded.config.worker.processes, threads or loaded.config.worker.threads
    )
    # exec, not a child: signals reach Dramatiq directly, so a stop shuts it down cleanly.
    os.execvpe(command[0], command, worker_env(env))


@main.command()
@config_option
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option("--port", default=8080, show_default=True)
def webhook(config_path: str | None, host: str, port: int) -> None:
    """Receive ChartHop webhooks (POST /webhooks/charthop) and run the live flusher."""
    from producers.webhook import serve

    loaded = load_or_exit(config_path)
    serve_metrics()
    serve(loaded, host, port)


@main.command()
@config_option
def scheduler(config_path: str | None) -> None:
    """Run the daily resync and the new-hire starts (one scheduler acts at a time)."""
    from producers.scheduler import run_scheduler

    loaded = load_or_exit(config_path)
    serve_metrics()
    run_scheduler(loaded)


def serve_metrics() -> None:
    """Serve this process's Prometheus metrics on $HOPSYNC_METRICS_PORT (default 9108)."""
    from prometheus_client import start_http_server

    start_http_server(metrics_port())


@main.command()
@click.option("--people", default=300, show_default=True, help="Size of the generated org.")
@click.option("--seed", default=7, show_default=True, help="Seed of the generated org.")
@click.option("--json", "as_json", is_flag=True, help="Print both summaries as JSON.")
def demo(people: int, seed: int, as_json: bool) -> None:
    """Run a dry run, then a real resync, against simulated ChartHop and Okta; no setup needed."""
    from producers.demo import run_demo

    dry, real = run_demo(people=people, seed=seed, console=console, quiet=as_json)
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


for command in (runs, dlq, export, query):
    main.add_command(command)


if __name__ == "__main__":
    main()
