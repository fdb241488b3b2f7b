"""Waiting for a run: why it waits, no worker noticed, Redis away ridden out then given up on."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from rich.console import Console

from harness.world import Simulation, free_port, start_simulation
from producers.cli import main
from producers.ops import terminal as waiting
from shared import constants
from shared.core.models import PersonOutcome, RunMeta, RunSummary
from shared.core.summary import build_summary
from shared.errors import BrokerUnavailableError
from shared.infra.presence import Presence
from shared.infra.runs import RunStore


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path, redis_url, people=30, drifted=0.5)
    yield simulation
    simulation.close()


def test_wait_with_no_worker_exits_4_saying_so(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiting, "NO_WORKER_S", 1.0)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["resync", "--wait"], env=sim.env)
    assert result.exit_code == 4, result.output
    assert time.monotonic() - started < 15
    line = " ".join(part.strip() for part in result.stderr.strip().splitlines())  # one message
    assert "no worker is running" in line and "start `hopsync worker`" in line
    assert "Traceback" not in result.output


def test_a_dry_run_with_no_worker_exits_4_and_starts_nothing(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiting, "NO_WORKER_S", 1.0)
    result = CliRunner().invoke(main, ["resync", "--dry-run"], env=sim.env)
    assert result.exit_code == 4, result.output
    assert "no worker is running" in result.stderr and "nothing was started" in result.stderr
    assert json.loads(CliRunner().invoke(main, ["runs", "--json"], env=sim.env).stdout) == []


def test_runs_says_how_many_workers_are_alive(sim: Simulation, client: redis.Redis) -> None:
    assert "workers: none alive" in CliRunner().invoke(main, ["runs"], env=sim.env).stdout
    Presence(client).beat("host:1")
    Presence(client).beat("host:2")
    assert "workers: 2 process(es) alive" in CliRunner().invoke(main, ["runs"], env=sim.env).stdout


def finish_later(store: RunStore, run_id: str, after_s: float) -> threading.Thread:
    """Store the run's summary after a while, as the aggregator would."""

    def finish() -> None:
        time.sleep(after_s)
        store.save_summary(build_summary(store.meta(run_id), [], datetime.now().astimezone()))

    thread = threading.Thread(target=finish, daemon=True)
    thread.start()
    return thread


def test_without_a_terminal_a_line_every_few_seconds_says_why_it_waits(
    client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiting, "LINE_EVERY_S", 0.3)
    store = RunStore(client)
    run = store.create("resync")
    store.seal(run.run_id, 10)
    Presence(client).beat("host:1")
    until = time.time() + 30
    client.set(constants.okta_wait_key("user-update"), repr(until), ex=30)
    out = io.StringIO()
    finish_later(store, run.run_id, 1.5)
    summary = waiting.wait_for_summary(
        store, run.run_id, console=Console(file=out, width=80), poll_s=0.05
    )
    assert isinstance(summary, RunSummary)
    lines = out.getvalue().splitlines()
    clock = datetime.fromtimestamp(until).strftime("%H:%M:%S")
    expected = (
        f"run {run.run_id}: 0/10 done; waiting for Okta's rate limit (user writes) until {clock}"
    )
    assert len(lines) >= 2 and set(lines) == {expected}


def test_redis_away_past_the_grace_ends_the_wait_naming_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(waiting, "REDIS_GRACE_S", 1.0)
    store = RunStore(redis.Redis(port=free_port(), socket_connect_timeout=0.2))
    started = time.monotonic()
    with pytest.raises(BrokerUnavailableError, match="Redis has not answered for"):
        waiting.wait_for_summary(store, "resync-x", console=Console(file=io.StringIO()), poll_s=0.1)
    assert time.monotonic() - started < 10


def test_a_held_summary_names_each_limit_once_on_a_line_of_its_own() -> None:
    reason = (
        "would remove 17 of 17 members from group 'Engineering'; "
        "settings.safety.max_group_removals allows 5 (20%)"
    )
    meta = RunMeta(
        run_id="resync-1",
        kind="resync",
        status="held",
        created_at=datetime(2026, 12, 2, 14, 0, tzinfo=UTC),
        note=reason,
        held_by=[reason],
    )
    out = Console(file=io.StringIO(), width=80)
    waiting.print_summary_text(out, build_summary(meta, [], datetime.now(UTC)))
    text = " ".join(out.file.getvalue().split())  # type: ignore[attr-defined]
    assert text.count("would remove 17 of 17 members") == 1
    assert "- it would remove 17 of 17 members from group 'Engineering';" in text


def test_once_every_outcome_is_in_the_wait_ends_as_soon_as_the_summary_is_stored(
    client: redis.Redis,
) -> None:
    store = RunStore(client)
    run = store.create("resync")
    store.seal(run.run_id, 2)
    store.record(
        run.run_id,
        [PersonOutcome(key="a", status="updated"), PersonOutcome(key="b", status="unchanged")],
    )
    Presence(client).beat("host:1")
    finish_later(store, run.run_id, 0.5)
    started = time.monotonic()
    waiting.wait_for_summary(store, run.run_id, console=Console(file=io.StringIO()), poll_s=5.0)
    assert time.monotonic() - started < 1.0  # not a 5 s poll later


def test_a_run_whose_summary_is_late_is_looked_at_quickly_only_for_a_few_seconds() -> None:
    watch = waiting._Watch("resync-x", done=2, expected=2)
    assert waiting._finishing(watch)
    assert watch.all_in_since is not None
    watch.all_in_since -= waiting.FINISHING_FOR_S
    assert not waiting._finishing(watch)
    assert not waiting._finishing(waiting._Watch("resync-y", done=1, expected=2))
