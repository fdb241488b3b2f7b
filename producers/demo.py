"""`hopsync demo`: the whole pipeline in one process with nothing but the Python packages.

An embedded Redis (fakeredis), a fake ChartHop with a generated org, a fake Okta where part of the
people exist and some are out of date, and in-process Dramatiq workers; a dry run, then a resync.
With ``keep``, the embedded Redis also listens on a local port and everything keeps running until
Ctrl-C, so that the other commands (`hopsync runs`, `runs show`, `query`, `resync`) can be tried
on it from another terminal.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import dramatiq
import fakeredis
from rich.console import Console

from config.loader import load_config
from harness.world import Simulation, start_simulation
from producers.factory import open_producer
from producers.ops.terminal import SummaryView, summary_view, wait_for_summary
from shared.core.models import RunSummary
from shared.infra.broker import HopsyncBroker
from shared.infra.logging import configure_logging
from shared.infra.runs import by_cli
from shared.infra.stores import Stores
from sim import embedded_redis
from workers.runtime import Runtime
from workers.setup import setup_worker

SHOWN_OF_EACH = 3  # people shown per outcome: a sample of every kind of change


def run_demo(
    *,
    people: int = 300,
    seed: int = 7,
    console: Console | None = None,
    quiet: bool = False,
    keep: bool = False,
) -> tuple[RunSummary, RunSummary]:
    """Run the demo; returns the dry run's summary and the real resync's.

    With ``keep``, blocks after the resync until interrupted, with the stack still serving.
    """
    out = console or Console()
    server = fakeredis.FakeServer()
    with (
        tempfile.TemporaryDirectory(prefix="hopsync-demo-") as workdir,
        _listening(server, keep) as redis_url,
    ):
        simulation = start_simulation(Path(workdir), redis_url, people=people, seed=seed)
        try:
            return _run(simulation, server, out, quiet=quiet, keep=keep)
        finally:
            simulation.close()


@contextmanager
def _listening(server: fakeredis.FakeServer, keep: bool) -> Iterator[str]:
    """The embedded Redis's URL; with ``keep`` it also listens on a free local port."""
    if not keep:
        yield "redis://embedded"
        return
    with embedded_redis.serving(server) as url:  # TCP clients see the demo's data
        yield url


def _run(
    simulation: Simulation, server: fakeredis.FakeServer, out: Console, *, quiet: bool, keep: bool
) -> tuple[RunSummary, RunSummary]:
    with mock.patch.dict("os.environ", simulation.env):
        loaded = load_config(str(simulation.config_path))
    configure_logging(loaded.secrets.values(), json=False, level="WARNING")
    client = fakeredis.FakeRedis(server=server)
    broker, runtime = setup_worker(
        loaded, client=client, async_redis=lambda: fakeredis.FakeAsyncRedis(server=server)
    )
    worker = dramatiq.Worker(broker, worker_threads=8, worker_timeout=100)
    worker.start()
    try:
        report = simulation.seed_report
        if not quiet:
            out.print(
                f"[bold]hopsync demo[/]: {len(simulation.charthop.people)} people in the fake "
                f"ChartHop; {report.existing} already in the fake Okta, "
                f"{report.drifted} of them out of date."
            )
        dry = _resync(runtime, broker, server, dry_run=True)
        writes_after_dry = simulation.okta.counters().writes
        real = _resync(runtime, broker, server, dry_run=False)
        if not quiet:
            rest = SummaryView().rest if keep else None  # `runs show` works only on a kept stack
            view = SummaryView(limit=None, per_outcome=SHOWN_OF_EACH, rest=rest, legend=False)
            out.print(summary_view(dry, view))
            out.print(f"Okta writes during the dry run: {writes_after_dry}\n")
            out.print(summary_view(real, replace(view, legend=True)))
            writes = simulation.okta.counters().writes - writes_after_dry
            out.print(f"Okta writes during the resync: {writes}\n")
        if keep:
            _keep_serving(simulation, real, out)
        elif not quiet:
            out.print(
                "Next: `hopsync demo --keep` does the same, then keeps its embedded Redis, fake "
                "ChartHop, fake Okta and workers running, and prints the commands to explore "
                "them (runs, runs show, query, resync).",
                highlight=False,
            )
        return dry, real
    finally:
        worker.stop()
        broker.close()


def _keep_serving(simulation: Simulation, real: RunSummary, out: Console) -> None:
    """Write the environment to a file, say how to use it, and serve until interrupted."""
    env_file = simulation.config_path.parent / "env.sh"
    environment = {**simulation.env, "PATH": f"{Path(sys.executable).parent}:$PATH"}
    env_file.write_text(
        "".join(
            f"export {name}={shlex.quote(value) if name != 'PATH' else value}\n"
            for name, value in environment.items()
        ),
        encoding="utf-8",
    )
    out.print(demo_commands(env_file, real.run_id), highlight=False, markup=False)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    out.print("demo stopped; its embedded Redis, simulators and workers are gone", highlight=False)


def demo_commands(env_file: Path, run_id: str) -> str:
    """What to try on a kept demo stack, from another terminal."""
    return "\n".join(
        [
            "The demo's stack keeps running (Ctrl-C here stops it). In another terminal:",
            f"  source {env_file}",
            "  hopsync runs",
            f"  hopsync runs show {run_id} --outcome deferred",
            '  hopsync query "department:engineering"',
            "  hopsync resync --dry-run --wait",
            "  hopsync dlq list",
        ]
    )


def _resync(
    runtime: Runtime, broker: HopsyncBroker, server: fakeredis.FakeServer, *, dry_run: bool
) -> RunSummary:
    stores = Stores(runtime.client, runtime.runs, runtime.dead_letters, broker)

    async def start() -> str:
        limiter_redis = fakeredis.FakeAsyncRedis(server=server)
        async with open_producer(
            runtime.loaded, stores, started_by=by_cli(), limiter_redis=limiter_redis
        ) as producer:
            run = await producer.resync(dry_run=dry_run, note="demo")
            return run.run_id

    run_id = asyncio.run(start())
    return wait_for_summary(runtime.runs, run_id, timeout_s=300)
