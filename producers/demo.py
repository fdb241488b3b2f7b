"""`hopsync demo`: the whole pipeline in one process with nothing but the Python packages.

An embedded Redis (fakeredis), a fake ChartHop with a generated org, a fake Okta where part of the
people exist and some are out of date, and in-process Dramatiq workers; a dry run, then a resync.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from unittest import mock

import dramatiq
import fakeredis
from rich.console import Console

from config.loader import load_config
from producers.console import print_summary_text, wait_for_summary
from producers.factory import open_producer
from shared.broker import HopsyncBroker
from shared.logging import configure_logging
from shared.models import RunSummary
from shared.stores import Stores
from sim.harness import Simulation, start_simulation
from workers.runtime import Runtime
from workers.setup import setup_worker


def run_demo(
    *, people: int = 300, seed: int = 7, console: Console | None = None, quiet: bool = False
) -> tuple[RunSummary, RunSummary]:
    """Run the demo; returns the dry run's summary and the real resync's."""
    out = console or Console()
    server = fakeredis.FakeServer()
    with tempfile.TemporaryDirectory(prefix="hopsync-demo-") as workdir:
        simulation = start_simulation(Path(workdir), "redis://embedded", people=people, seed=seed)
        try:
            return _run(simulation, server, out, quiet)
        finally:
            simulation.close()


def _run(
    simulation: Simulation, server: fakeredis.FakeServer, out: Console, quiet: bool
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
            print_summary_text(out, dry, limit=8)
            out.print(f"Okta writes during the dry run: {writes_after_dry}\n")
            print_summary_text(out, real, limit=8)
            out.print(
                f"Okta writes during the resync: "
                f"{simulation.okta.counters().writes - writes_after_dry}"
            )
        return dry, real
    finally:
        worker.stop()
        broker.close()


def _resync(
    runtime: Runtime, broker: HopsyncBroker, server: fakeredis.FakeServer, *, dry_run: bool
) -> RunSummary:
    stores = Stores(runtime.client, runtime.runs, runtime.dead_letters, broker)

    async def start() -> str:
        limiter_redis = fakeredis.FakeAsyncRedis(server=server)
        async with open_producer(runtime.loaded, stores, limiter_redis=limiter_redis) as producer:
            run = await producer.resync(dry_run=dry_run, note="demo")
            return run.run_id

    run_id = asyncio.run(start())
    return wait_for_summary(runtime.runs, run_id, timeout_s=300)
