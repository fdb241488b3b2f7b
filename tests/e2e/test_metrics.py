"""The workers' metrics endpoint counts messages per actor and Okta calls after a run."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest

from tests.e2e.conftest import NO_LIMITS, World, fleets, resync

pytestmark = pytest.mark.slow


def scrape(port: int) -> str:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
                return str(answer.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def value(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{key}="{wanted}"' in line for key, wanted in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_after_a_run_the_metrics_count_messages_okta_calls_and_the_run(world: World) -> None:
    sim = world(people=200, existing=0.5, drifted=0.3, config=NO_LIMITS)
    summary = resync(sim)
    time.sleep(6)  # the budget gauge is read every few seconds
    text = scrape(fleets[-1].metrics_port)
    messages = value(text, "dramatiq_messages_total", actor_name="sync_person")
    # People already in step are decided by the producer: only people with writes cost a message.
    assert summary.counts["unchanged"] > 0
    assert messages == summary.counts["updated"] + summary.counts["created"]
    worker_writes = sim.okta.counters().writes - len(summary.groups_created)  # the producer's
    okta_calls = value(text, "hopsync_okta_calls_total")
    assert okta_calls >= worker_writes > 0
    assert re.search(r'hopsync_okta_calls_total\{bucket="[a-z-]+",status="20[04]"\}', text)
    assert value(text, "hopsync_run_duration_seconds_count", kind="resync") == 1
    assert value(text, "hopsync_run_outcomes_total", status="created") == summary.counts["created"]
