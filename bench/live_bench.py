"""Live benchmark: webhook events at a steady rate through the receiver, workers and fake Okta.

    python bench/live_bench.py                                  # 500 events/s, 20 s, 2,000 people
    python bench/live_bench.py --okta-limit 100000              # Okta's budget out of the way
    python bench/live_bench.py --people 100 --rate 50 --seconds 3    # smoke (well under 30 s)

The fake Okta starts in step with everyone (Okta's default limits unless --okta-limit), then the
real `hopsync webhook` process (receiver, and the live flusher in its child process) and `hopsync
worker`'s processes start. Before each event the person's title in the fake ChartHop becomes "Title
<n>" (n: the event's number; see TitleTable), then a signed ChartHop-shaped event is POSTed to the
receiver. Events are open-loop (sent at their scheduled times whatever the answers) from a separate
load-generator process (this script with --generator, at nice -10 when permitted: it stands for
ChartHop, a sender on another machine, and its clock must not stall with the system under test).

Figures: accepted share (2xx / sent); accept latency from the moment a POST is sent to its
answer read (from the scheduled time too, beside it); distinct people; person syncs (outcomes
recorded in the live runs: each is one `sync_person` execution, whether or not it wrote; the
Okta user writes are counted beside them); event-to-Okta-write latency: for event n of person p,
from its send to the first write of p's Okta user carrying a title "Title m" with m >= n (m > n:
a later event of p superseded it, and the write carrying the newer value serves both). A write
that landed before its event was even sent (a sync under way read the new title) counts as 0 s.
One person is synced before the clock starts (see warm_up). Diagnostics: --no-workers (receiver
and flusher alone), --worker-nice, --pid-file (attach py-spy), --rows (every event and write).

Prints a table, then one JSON object with every figure as its last line (--json: only that).
Redis database 13 on 127.0.0.1:6379 by default (flushed first). A tool, not a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mmap
import os
import random
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import redis
from aiohttp import web
from aiohttp.typedefs import Handler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from producers.live_queue import PERSON, Target
from shared import constants
from shared.okta import DEFAULT_LIMITS
from shared.records import Person
from sim.charthop import FakeChartHop
from sim.charthop.events import event_body, event_headers, make_event
from sim.harness import WEBHOOK_SECRET, Simulation, WorkerFleet, free_port, start_simulation

ROOT = Path(__file__).resolve().parents[1]
USER_PATH = re.compile(r"^/api/v1/users/([^/]+)/?$")
TITLE = re.compile(r"^Title (\d+)$")
EVENT_CODE = "person.update"
CLIENT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Write:
    """One successful profile write the fake Okta applied: when (monotonic s), whose, what title."""

    at: float
    user_id: str
    title: str | None


class WriteRecorder:
    """An Okta middleware that notes the monotonic time and title of every user profile write."""

    def __init__(self) -> None:
        self.writes: list[Write] = []

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Serve the request, then note it when it was a successful POST/PUT of a user."""
        response = await handler(request)
        match = USER_PATH.match(request.path)
        if match and request.method in ("POST", "PUT") and response.status == 200:
            at = time.monotonic()
            try:
                profile = json.loads(await request.read()).get("profile") or {}
            except (ValueError, AttributeError):
                profile = {}
            title = profile.get("title")
            self.writes.append(Write(at, match[1], title if isinstance(title, str) else None))
        return response


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


# --- the load generator (its own process) ----------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One event, built before the clock starts: the person's slot, its body and headers."""

    slot: int
    body: bytes
    headers: dict[str, str]


def plan_events(plan: dict[str, Any]) -> list[Planned]:
    """Every event of the run, people drawn at random (seeded), bodies signed in advance."""
    rng = random.Random(plan["seed"])
    people: list[str] = plan["people"]
    events = []
    for index in range(round(plan["rate"] * plan["seconds"])):
        slot = rng.randrange(len(people))
        payload = {"title": f"Title {index}"}
        body = event_body(make_event(EVENT_CODE, people[slot], ["title"], payload=payload))
        events.append(Planned(slot, body, event_headers(plan["secret"], body)))
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
    interval = 1.0 / plan["rate"]
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
            scheduled = started + index * interval
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
        "loop_lag_p99_ms": _ms(percentile(lags, 0.99)),
        "loop_lag_max_ms": _ms(max(lags, default=None)),
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


# --- processes: receiver, workers, generator --------------------------------------------------


def start_receiver(
    env: dict[str, str], port: int, log_path: Path, command: str | None = None
) -> subprocess.Popen[bytes]:
    """The real `hopsync webhook` (receiver and live flusher) on 127.0.0.1:port.

    ``command`` replaces `python -m producers.cli webhook` (a patched receiver, to try a fix);
    ``--host 127.0.0.1 --port N`` are appended to it.
    """
    base = shlex.split(command) if command else [sys.executable, "-m", "producers.cli", "webhook"]
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [*base, "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env, "HOPSYNC_METRICS_PORT": str(free_port())},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    """SIGTERM, then SIGKILL past the timeout."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout_s)


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30) -> float:
    """Poll ``url`` until it answers 200; returns the seconds it took."""
    started = time.monotonic()
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the webhook receiver exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"{url} did not answer within {timeout_s} s")
        time.sleep(0.1)


def wait_workers(client: redis.Redis, processes: int, timeout_s: float = 30) -> float:
    """Wait until every worker process has fetched from the broker (its heartbeat is in Redis)."""
    key = f"{constants.DRAMATIQ_NAMESPACE}:__heartbeats__"
    started = time.monotonic()
    while client.zcard(key) < processes:
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"{processes} worker processes did not start within {timeout_s} s")
        time.sleep(0.1)
    return time.monotonic() - started


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds the processes used so far (children not waited for excluded)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    """The direct children of a process."""
    found = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "pid="], capture_output=True, text=True, check=False
    )
    return [int(p) for p in found.stdout.split()]


def renice(fleet: WorkerFleet, nice: int) -> int:
    """Give the worker processes (main and children) niceness ``nice``; returns what was set."""
    if nice == 0 or fleet.process is None:
        return 0
    for pid in [fleet.process.pid, *children(fleet.process.pid)]:
        try:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        except OSError:
            return 0  # not permitted: the workers keep the default priority
    return nice


def redis_cpu(client: redis.Redis) -> float:
    """Redis's own user + system CPU seconds."""
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


# --- draining and reading the runs ------------------------------------------------------------


def live_runs(client: redis.Redis) -> list[str]:
    """The ids of every live run in Redis."""
    ids = (
        _text(raw)
        for raw in client.zrange(constants.RUNS_INDEX, 0, -1)
        if isinstance(raw, bytes | str)
    )
    return [run_id for run_id in ids if run_id.startswith("live-")]


def backlog(client: redis.Redis) -> tuple[int, int, int]:
    """(entries pending or in flight, messages enqueued into live runs, outcomes recorded)."""
    entries = client.zcard(constants.LIVE_PENDING) + client.zcard(constants.LIVE_INFLIGHT)
    enqueued = recorded = 0
    for run_id in live_runs(client):
        enqueued += int(client.hget(constants.run_key(run_id), "enqueued") or 0)
        recorded += int(client.hlen(constants.run_outcomes_key(run_id)))
    return int(entries), enqueued, recorded


def drain(client: redis.Redis, timeout_s: float) -> bool:
    """Wait until no entry is pending or in flight and every enqueued sync has its outcome."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        entries, enqueued, recorded = backlog(client)
        if entries == 0 and recorded >= enqueued:
            return True
        time.sleep(0.2)
    return False


def warm_up(client: redis.Redis, person: str, timeout_s: float = 60) -> float:
    """Sync one person through the live queue (due now) so the live run and its groups exist.

    Without it the first burst of a new live run waits for one worker's groups look-up (see
    workers/sync.py run_group_ids); --no-warmup shows that. Returns the seconds it took.
    """
    started = time.monotonic()
    client.zadd(constants.LIVE_PENDING, {Target(PERSON, person).member: time.time()})
    while True:
        entries, enqueued, recorded = backlog(client)
        if entries == 0 and enqueued and recorded >= enqueued:
            return time.monotonic() - started
        if time.monotonic() - started > timeout_s:
            raise TimeoutError(f"the warm-up sync did not finish within {timeout_s} s")
        time.sleep(0.05)


def sync_outcomes(client: redis.Redis) -> Counter[str]:
    """Outcomes of the live runs by status."""
    statuses: Counter[str] = Counter()
    for run_id in live_runs(client):
        for raw in client.hvals(constants.run_outcomes_key(run_id)):
            statuses[str(json.loads(raw).get("status"))] += 1
    return statuses


# --- figures ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil, at least the first
    return ordered[min(len(ordered), int(rank)) - 1]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def _s(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def title_number(title: str | None) -> int | None:
    """n of "Title <n>", else None."""
    match = TITLE.match(title or "")
    return int(match[1]) if match else None


def event_to_write(
    rows: Sequence[Sequence[Any]], writes: Sequence[Write], person_of: dict[str, str]
) -> dict[str, Any]:
    """Per accepted event: the first write of its person carrying its title or a newer one."""
    by_person: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for write in writes:
        number = title_number(write.title)
        person = person_of.get(write.user_id)
        if number is not None and person is not None:
            by_person[person].append((write.at, number))
    for found in by_person.values():
        found.sort()
    latencies: list[float] = []
    exact = superseded = never = early = 0
    for person, number, _scheduled, _changed, sent, _answered, status in rows:
        if not 200 <= status < 300:
            continue
        serving = next(((at, m) for at, m in by_person.get(person, []) if m >= number), None)
        if serving is None:
            never += 1
            continue
        at, written = serving
        exact += written == number
        superseded += written > number
        early += at < sent
        latencies.append(max(0.0, at - sent))
    return {
        "events_written_own_title": exact,
        "events_written_by_a_later_title": superseded,
        "events_never_written": never,
        "writes_before_event_sent": early,
        "event_to_write_p50_s": _s(percentile(latencies, 0.50)),
        "event_to_write_p95_s": _s(percentile(latencies, 0.95)),
        "event_to_write_p99_s": _s(percentile(latencies, 0.99)),
        "event_to_write_max_s": _s(max(latencies, default=None)),
    }


def out_of_order_writes(writes: Sequence[Write], person_of: dict[str, str]) -> int:
    """Writes of a title older than one already written for the same person (a stale overwrite)."""
    newest: dict[str, int] = {}
    stale = 0
    for write in sorted(writes, key=lambda w: w.at):
        number = title_number(write.title)
        person = person_of.get(write.user_id)
        if number is None or person is None:
            continue
        if number < newest.get(person, -1):
            stale += 1
        newest[person] = max(number, newest.get(person, -1))
    return stale


def people_out_of_step(rows: Sequence[Sequence[Any]], final: dict[str, int]) -> int:
    """People whose Okta title at the end is older than their last accepted event's title."""
    last: dict[str, int] = {}
    for person, number, *_times, status in rows:
        if 200 <= status < 300:
            last[person] = max(number, last.get(person, -1))
    return sum(1 for person, number in last.items() if final.get(person, -1) < number)


def bucket_pressure(counters: Any, limits: dict[str, int], share: float) -> dict[str, float]:
    """Per bucket: the most requests in one window over the budget hopsync may use (share)."""
    pressure = {}
    for bucket, windows in counters.window_counts.items():
        if windows:
            budget = limits.get(bucket, limits.get("other", 600)) * share
            pressure[bucket] = round(max(windows.values()) / budget, 3)
    return dict(sorted(pressure.items(), key=lambda item: -item[1]))


# --- the run ----------------------------------------------------------------------------------


@dataclass
class Usage:
    """CPU seconds of each part of the system since the load began."""

    receiver: float
    workers: float
    simulators: float
    redis: float


def measure_usage(
    client: redis.Redis, receiver: int, fleet: WorkerFleet | None, before: Usage | None = None
) -> Usage:
    """CPU seconds used so far (minus ``before``)."""
    workers = children(fleet.process.pid) if fleet is not None and fleet.process else []
    now = Usage(
        receiver=cpu_seconds([receiver, *children(receiver)]),  # with its flusher process
        workers=cpu_seconds(workers),
        simulators=time.process_time(),
        redis=redis_cpu(client),
    )
    if before is None:
        return now
    return Usage(
        receiver=round(now.receiver - before.receiver, 2),
        workers=round(now.workers - before.workers, 2),
        simulators=round(now.simulators - before.simulators, 2),
        redis=round(now.redis - before.redis, 2),
    )


class Generator:
    """The load-generator process: started early, so that its imports and event building
    overlap the set-up; told to go once everything is ready."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--generator"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(plan) + "\n")
        self.process.stdin.flush()

    def run(self) -> dict[str, Any]:
        """Wait until the events are built, send them, and return the result."""
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            self.process.wait()
            raise RuntimeError(f"the load generator failed:\n{self._stderr()}")
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


def okta_settings(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, int]]:
    """The fake Okta's settings and per-bucket limits (Okta's defaults unless --okta-limit)."""
    limits = dict(DEFAULT_LIMITS)
    if args.okta_limit:
        limits = dict.fromkeys(limits, args.okta_limit)
    return {"window_s": args.okta_window, "limits": limits}, limits


@dataclass
class World:
    """Everything one run starts: simulators, receiver, workers, generator and what they share."""

    sim: Simulation
    recorder: WriteRecorder
    titles: TitleTable
    people: list[str]
    person_of: dict[str, str]
    receiver: subprocess.Popen[bytes]
    base_url: str
    fleet: WorkerFleet | None
    generator: Generator

    def final_titles(self) -> dict[str, int]:
        """Person id -> the title number their Okta user holds now (-1: not a bench title)."""
        found = {}
        for user in self.sim.okta.users():
            person = self.person_of.get(user.id)
            if person is not None:
                number = title_number(user.profile.get("title"))
                found[person] = -1 if number is None else number
        return found

    def stop(self) -> None:
        """Stop every process and server (the receiver and the workers at the same time)."""
        self.generator.stop()
        if self.receiver.poll() is None:
            self.receiver.send_signal(signal.SIGTERM)
        if self.fleet is not None:
            self.fleet.stop()
        stop_process(self.receiver)
        self.titles.close()
        self.sim.close()


def start_world(args: argparse.Namespace, workdir: Path) -> World:
    """Start the simulation (Okta in step for everyone), the receiver, workers and generator."""
    recorder = WriteRecorder()
    settings, _ = okta_settings(args)
    config: dict[str, Any] = {"worker": {"processes": args.processes, "threads": args.threads}}
    if args.coalesce is not None:
        config["settings"] = {"live_coalesce_seconds": args.coalesce}
    sim = start_simulation(
        workdir,
        args.redis_url,
        people=args.people,
        existing=1.0,
        drifted=0.0,
        missing_groups=0,
        config=config,
        okta_settings=settings,
        okta_middlewares=[recorder.middleware],
    )
    rules = sim.rules()
    user_ids = {user.login.casefold(): user.id for user in sim.okta.users()}
    person_of: dict[str, str] = {}
    for person in sim.charthop.people.values():
        login = rules.match_value(person)
        if login is not None and str(login).casefold() in user_ids:
            person_of[user_ids[str(login).casefold()]] = person["id"]
    people = sorted(person_of.values())
    titles = TitleTable(workdir / "titles.bin", len(people), create=True)
    titles.overlay(sim.charthop, people)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    receiver = start_receiver(sim.env, port, workdir / "webhook.log", args.receiver_command)
    fleet = None
    if not args.no_workers:
        log_path = workdir / "workers.log"
        fleet = WorkerFleet(
            sim.env, processes=args.processes, threads=args.threads, log_path=log_path
        ).start()
    plan = {
        "receiver": f"{base_url}/webhooks/charthop",
        "titles": str(workdir / "titles.bin"),
        "secret": WEBHOOK_SECRET,
        "rate": args.rate,
        "seconds": args.seconds,
        "people": people,
        "seed": args.seed,
        "connections": args.connections,
        "nice": args.generator_nice,
    }
    generator = Generator(plan)
    return World(sim, recorder, titles, people, person_of, receiver, base_url, fleet, generator)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the whole benchmark and return its figures."""
    started = time.monotonic()
    client = redis.Redis.from_url(args.redis_url)
    client.flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="hopsync-live-bench-"))
    world = start_world(args, workdir)
    extra: dict[str, Any] = {}
    try:
        extra["receiver_boot_s"] = round(wait_ready(f"{world.base_url}/readyz", world.receiver), 2)
        if world.fleet is not None:
            extra["workers_boot_s"] = round(wait_workers(client, args.processes), 2)
            extra["worker_nice"] = renice(world.fleet, args.worker_nice)
            if not args.no_warmup:
                extra["warmup_s"] = round(warm_up(client, world.people[0]), 2)
        _, enqueued_before, recorded_before = backlog(client)
        outcomes_before = sync_outcomes(client)
        world.sim.okta.reset_counters()
        del world.recorder.writes[:]
        load_before = os.getloadavg()[0]
        usage_before = measure_usage(client, world.receiver.pid, world.fleet)
        if args.pid_file:
            Path(args.pid_file).write_text(str(world.receiver.pid))
        extra["setup_s"] = round(time.monotonic() - started, 2)
        generated = world.generator.run()
        load_done = time.monotonic()
        extra["cpu_s_during_load"] = vars(
            measure_usage(client, world.receiver.pid, world.fleet, usage_before)
        )
        extra["drained"] = world.fleet is not None and drain(client, args.drain_timeout)
        extra["drain_s"] = round(time.monotonic() - load_done, 2)
        extra["cpu_s_load_and_drain"] = vars(
            measure_usage(client, world.receiver.pid, world.fleet, usage_before)
        )
        counters = world.sim.okta.counters()
        writes = list(world.recorder.writes)
        final = world.final_titles()
        entries, enqueued, recorded = backlog(client)
        extra.update(
            left_entries=entries,
            syncs_enqueued=enqueued - enqueued_before,
            person_syncs=recorded - recorded_before,
            sync_outcomes=dict(sync_outcomes(client) - outcomes_before),
            live_runs=len(live_runs(client)),
            load_average_before=round(load_before, 2),
            load_average_after=round(os.getloadavg()[0], 2),
        )
    finally:
        teardown = time.monotonic()
        world.stop()
    extra["teardown_s"] = round(time.monotonic() - teardown, 2)
    extra["workdir"] = str(workdir)
    if args.rows:
        dump = {"rows": generated["rows"], "writes": [vars(w) for w in writes]}
        Path(args.rows).write_text(json.dumps({**dump, "person_of": world.person_of}))
    rules = world.sim.rules()
    extra.update(
        eligible_people=len(world.people),
        coalesce_s=rules.config.settings.live_coalesce_seconds,
        rate_limit_share=rules.config.okta.rate_limit_share,
    )
    return figures(
        args,
        generated=generated,
        writes=writes,
        person_of=world.person_of,
        final=final,
        counters=counters,
        extra=extra,
    )


def figures(
    args: argparse.Namespace,
    *,
    generated: dict[str, Any],
    writes: list[Write],
    person_of: dict[str, str],
    final: dict[str, int],
    counters: Any,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Every figure of a run: the four headline figures and their targets first."""
    _, limits = okta_settings(args)
    rows: list[list[Any]] = generated["rows"]
    sent = len(rows)
    accepted = [row for row in rows if 200 <= row[6] < 300]
    accept = [row[5] - row[4] for row in accepted]
    span = (rows[-1][4] - rows[0][4]) if sent > 1 else 0.0
    pressure = bucket_pressure(counters, limits, extra["rate_limit_share"])
    latency = event_to_write(rows, writes, person_of)
    share = round(len(accepted) / sent, 4) if sent else None
    accept_p99 = _ms(percentile(accept, 0.99))
    distinct = len({row[0] for row in accepted})
    syncs = extra.pop("person_syncs", 0)
    p95 = latency["event_to_write_p95_s"]
    return {
        "accepted_share": share,
        "accept_p50_ms": _ms(percentile(accept, 0.50)),
        "accept_p99_ms": accept_p99,
        "distinct_people": distinct,
        "person_syncs": syncs,
        "event_to_write_p95_s": p95,
        "targets_met": {
            "accepted_share=1": share == 1.0,
            "accept_p99<=50ms": accept_p99 is not None and accept_p99 <= 50,
            "syncs<=distinct_people": syncs <= distinct,
            "event_to_write_p95<=3s": p95 is not None and p95 <= 3,
        },
        "people": args.people,
        "eligible_people": extra.pop("eligible_people"),
        "rate": args.rate,
        "seconds": args.seconds,
        "processes": args.processes,
        "threads": args.threads,
        "coalesce_s": extra.pop("coalesce_s"),
        "events_sent": sent,
        "events_accepted": len(accepted),
        "statuses": dict(Counter(str(row[6]) for row in rows)),
        "achieved_rate": round((sent - 1) / span, 1) if span else None,
        "accept_max_ms": _ms(max(accept, default=None)),
        "accept_from_schedule_p99_ms": _ms(percentile([r[5] - r[2] for r in accepted], 0.99)),
        "send_slip_p99_ms": _ms(percentile([row[4] - row[2] for row in rows], 0.99)),
        "generator_loop_lag_p99_ms": generated["loop_lag_p99_ms"],
        "generator_loop_lag_max_ms": generated["loop_lag_max_ms"],
        "generator_cpu_s": generated["cpu_s"],
        "generator_nice": generated["nice"],
        "sync_outcomes": extra.pop("sync_outcomes", {}),
        "okta_user_writes": len(writes),
        **latency,
        "stale_overwrites": out_of_order_writes(writes, person_of),
        "people_out_of_step_at_end": people_out_of_step(rows, final),
        "okta_calls": sum(counters.calls.values()),
        "okta_limit_per_window": args.okta_limit or "Okta defaults",
        "okta_window_s": args.okta_window,
        "okta_busiest_window_over_budget": pressure,
        "okta_limits_bind": any(value >= 0.9 for value in pressure.values())
        or bool(counters.rate_limited),
        "okta_rate_limited": dict(counters.rate_limited),
        "okta_max_in_flight": counters.max_in_flight,
        **extra,
    }


def print_table(found: dict[str, Any]) -> None:
    """The figures, one per line."""
    for key, value in found.items():
        print(f"{key:>34}  {json.dumps(value) if isinstance(value, dict) else value}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=500.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="flushed first")
    parser.add_argument(
        "--coalesce", type=float, default=None, help="settings.live_coalesce_seconds (default 1)"
    )
    parser.add_argument(
        "--okta-limit", type=int, default=0, help="every bucket's requests/window (0: Okta's)"
    )
    parser.add_argument("--okta-window", type=float, default=60.0, help="fake Okta window (s)")
    parser.add_argument("--drain-timeout", type=float, default=120.0, help="seconds")
    parser.add_argument("--connections", type=int, default=200, help="generator's pool size")
    parser.add_argument(
        "--generator-nice",
        type=int,
        default=-10,
        help="the load generator's niceness (below 0 needs root; 0: same as the rest)",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="diagnostic: the worker processes' niceness (10: the receiver runs first)",
    )
    parser.add_argument(
        "--receiver-command",
        help="diagnostic: run this instead of `python -m producers.cli webhook` (to try a fix)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-warmup", action="store_true", help="skip the one-person warm-up sync")
    parser.add_argument("--pid-file", help="write the receiver's pid here (to attach py-spy)")
    parser.add_argument("--rows", help="write every event row and Okta write here (JSON)")
    parser.add_argument(
        "--no-workers",
        action="store_true",
        help="diagnostic: no worker processes (the receiver and flusher alone; nothing written)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    parser.add_argument("--generator", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark (or, with --generator, the load generator)."""
    args = parse_args(argv)
    if args.generator:
        generator_main()
        return
    found = run(args)
    if not args.json:
        print_table(found)
    print(json.dumps(found))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


if __name__ == "__main__":
    main()
