"""The live benchmark's load generator: its own process, standing for ChartHop on another machine.

`Generator` starts this file as a process early (its imports and event building overlap the
set-up) and tells it to go once everything is ready; `TitleTable` is the memory both processes
share, so that the fake ChartHop serves each person's newest title without a request per event.
"""

from __future__ import annotations

import asyncio
import json
import mmap
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from live_figures import ms, percentile

from shared.records import Person
from sim.charthop import FakeChartHop
from sim.charthop.events import event_body, event_headers, make_event

ROOT = Path(__file__).resolve().parents[1]
EVENT_CODE = "person.update"
CLIENT_TIMEOUT_S = 10.0


class TitleTable:
    """Each person's current title number, in a file both processes map (-1: unchanged).

    The generator sets a person's number right before sending the event, a plain memory store;
    the fake ChartHop serves the person with title "Title <n>" from then on (``overlay``). A
    change through HTTP per event would cost the generator and the simulators a request each.
    """

    def __init__(self, path: Path, size: int, *, create: bool = False) -> None:
        if create:
            path.write_bytes(b"\xff" * (4 * max(size, 1)))
        self._file = open(path, "r+b")  # noqa: SIM115 (kept open with the map)
        self._map = mmap.mmap(self._file.fileno(), 0)
        self.numbers = memoryview(self._map).cast("i")

    def overlay(self, charthop: FakeChartHop, people: Sequence[str]) -> None:
        """Make ``charthop.find`` (what GET /person/{id} answers) carry the current titles."""
        index = {person_id: i for i, person_id in enumerate(people)}
        stored = charthop.find

        def find(person_id: str) -> Person | None:
            person = stored(person_id)
            slot = index.get(person_id)
            number = self.numbers[slot] if person is not None and slot is not None else -1
            return {**person, "title": f"Title {number}"} if person and number >= 0 else person

        charthop.find = find  # type: ignore[method-assign]

    def close(self) -> None:
        """Unmap and close the file."""
        self.numbers.release()
        self._map.close()
        self._file.close()


@dataclass(frozen=True)
class Planned:
    """One event, built before the clock starts: the person's slot, its body and headers."""

    slot: int
    body: bytes
    headers: dict[str, str]
    at: float = 0.0  # seconds after the start when it is sent


def plan_events(plan: dict[str, Any]) -> list[Planned]:
    """Every event of the run, bodies signed in advance: ``plan["schedule"]`` ([slot, seconds
    after the start] in time order) when given, else people drawn at random (seeded) at
    ``rate`` events per second."""
    rng = random.Random(plan["seed"])
    people: list[str] = plan["people"]
    schedule: list[list[Any]] | None = plan.get("schedule")
    if schedule is None:
        count = round(plan["rate"] * plan["seconds"])
        schedule = [[rng.randrange(len(people)), n / plan["rate"]] for n in range(count)]
    events = []
    for index, (slot, at) in enumerate(schedule):
        payload = {"title": f"Title {index}"}
        body = event_body(make_event(EVENT_CODE, people[slot], ["title"], payload=payload))
        events.append(Planned(slot, body, event_headers(plan["secret"], body), float(at)))
    return events


async def loop_lag(stop: asyncio.Event, lags: list[float], period_s: float = 0.01) -> None:
    """How late the generator's own event loop wakes up (its answers are read that late too)."""
    while not stop.is_set():
        due = time.monotonic() + period_s
        await asyncio.sleep(period_s)
        lags.append(time.monotonic() - due)


async def generate(plan: dict[str, Any], events: Sequence[Planned]) -> dict[str, Any]:
    """Send the events at ``rate``/s open-loop; one row per event.

    A row is [person, n, scheduled, changed, sent, answered, status], times in monotonic seconds
    (CLOCK_MONOTONIC is system-wide, so the parent compares them with its Okta write times).
    Status 0: the POST failed without an answer. Each person's title is changed in the schedule
    loop itself, right before its task is started, so a person's changes land in event order.
    """
    people: list[str] = plan["people"]
    rows: list[list[Any]] = [[] for _ in events]
    table = TitleTable(Path(plan["titles"]), len(people))
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=plan["connections"])
    url = plan["receiver"]
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(index: int, scheduled: float, changed: float) -> None:
            event = events[index]
            sent = time.monotonic()
            status = 0
            try:
                async with session.post(
                    url, data=event.body, headers=event.headers, timeout=timeout
                ) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            rows[index] = [people[event.slot], index, scheduled, changed, sent, time.monotonic()]
            rows[index].append(status)

        stop, lags = asyncio.Event(), list[float]()
        probe = asyncio.create_task(loop_lag(stop, lags))
        tasks: list[asyncio.Task[None]] = []
        cpu_started = time.process_time()
        started = time.monotonic() + 0.05
        for index, event in enumerate(events):
            scheduled = started + event.at
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            table.numbers[event.slot] = index
            tasks.append(asyncio.create_task(one(index, scheduled, time.monotonic())))
        await asyncio.gather(*tasks)
        stop.set()
        await probe
    table.close()
    return {
        "started": started,
        "rows": rows,
        "cpu_s": round(time.process_time() - cpu_started, 2),
        "loop_lag_p99_ms": ms(percentile(lags, 0.99)),
        "loop_lag_max_ms": ms(max(lags, default=None)),
    }


def generator_main() -> None:
    """Read the plan (a JSON line) on stdin, build the events, say "ready", run on "go".

    The generator stands for ChartHop, a sender on another machine: with ``nice`` below 0 it
    runs ahead of the system under test on these shared cores, so that its clock stays true.
    """
    plan = json.loads(sys.stdin.readline())
    nice = 0
    try:
        os.setpriority(os.PRIO_PROCESS, 0, plan["nice"])
        nice = plan["nice"]
    except OSError:
        pass  # not permitted (not root): it runs at the default priority, and says so
    events = plan_events(plan)
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    print(json.dumps({**asyncio.run(generate(plan, events)), "nice": nice}))


class Generator:
    """The load-generator process: started early, so that its imports and event building
    overlap the set-up; told to go once everything is ready."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(plan) + "\n")
        self.process.stdin.flush()

    def run(self, start_at: float | None = None) -> dict[str, Any]:
        """Wait until the events are built (and until the epoch time ``start_at``), send them,
        and return the result."""
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            self.process.wait()
            raise RuntimeError(f"the load generator failed:\n{self._stderr()}")
        if start_at is not None:
            time.sleep(max(0.0, start_at - time.time()))
        out, err = self.process.communicate("go\n")
        if self.process.returncode != 0:
            raise RuntimeError(f"the load generator failed:\n{err[-3000:]}")
        result: dict[str, Any] = json.loads(out)
        return result

    def stop(self) -> None:
        """Kill it if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _stderr(self) -> str:
        return self.process.stderr.read()[-3000:] if self.process.stderr else ""


if __name__ == "__main__":
    generator_main()
