"""The small world most operator-command tests run in: five people, none yet in Okta."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from harness.world import Simulation, start_simulation
from shared.infra.runs import RunStore


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    """Five people in the fake ChartHop, an empty fake Okta (a test module may define its own)."""
    simulation = start_simulation(tmp_path, redis_url, people=5, existing=0.0)
    yield simulation
    simulation.close()


@pytest.fixture
def store(sim: Simulation) -> RunStore:
    """The run store on the simulation's Redis."""
    return RunStore(redis.Redis.from_url(sim.redis_url))
