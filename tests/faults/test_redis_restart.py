"""Redis killed (kill -9) and restarted mid-run and mid-webhook-burst: nothing acknowledged is lost.

Redis runs as the test's own process with the append-only file fsynced before every reply, so
everything it acknowledged survives the kill. The workers, the flusher and the webhook receiver
must ride out the outage and carry on once Redis is back on the same port.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import dramatiq
import pytest
import redis
from dramatiq.broker import MessageProxy

import shared.infra.dramatiq_coupling
from config.settings import WorkerConfig
from harness.world import WEBHOOK_SECRET, free_port
from producers.live.flusher import FlushReport
from producers.live.queue import LiveQueue
from producers.live.runner import open_flusher
from producers.webhook import WEBHOOK_PATH
from shared import constants
from shared.core.models import RunMeta, RunSummary
from shared.errors import TransportError
from shared.infra.broker import build_broker
from shared.infra.deadletters import DeadLetterStore
from sim.charthop import send_event
from tests.faults.conftest import Arena, Build, assert_ended_as_undisturbed
from tests.faults.redis_server import RedisServer
from tests.producers.live.support import inflight, loaded_config, pending, sync_bodies

pytestmark = pytest.mark.slow
PEOPLE = 1000
STOP_PEOPLE = 500
OUTAGE_S = 1.5  # Redis down this long (kill -9, then a new server on the same port and AOF)
SUMMARY_TIMEOUT_S = 45
WEBHOOK_PEOPLE = 800
SENDERS = 4  # events in flight at once
SEND_PAUSE_S = 0.05  # each sender's pause between two events
APPLY_TIMEOUT_S = 30
ACKED_BEFORE = ACKED_AFTER = 60  # events acknowledged before the kill, and after Redis is back


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The test's own Redis, which the test restarts (overrides the shared server's URL)."""
    return redis_server.url


@pytest.fixture
def receivers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], WebhookProcess]]:
    """Start `hopsync webhook` processes; each is stopped at teardown."""
    started: list[WebhookProcess] = []

    def start(env: dict[str, str]) -> WebhookProcess:
        started.append(WebhookProcess(env, tmp_path / f"webhook{len(started)}.log"))
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


def test_a_redis_restart_mid_run_loses_no_one_and_creates_no_one_twice(
    arena: Build, redis_server: RedisServer
) -> None:
    world = arena(people=PEOPLE, existing=0.5, drifted=0.5)
    before = {user.login.casefold() for user in world.sim.okta.users()}
    workers = world.wait_for_workers(2)
    # The run is started by `hopsync resync --wait`, which must ride the restart out too.
    waiter = subprocess.Popen(
        [sys.executable, "-m", "producers.cli", "resync", "--wait", "--json", "--timeout", "120"],
        env={**os.environ, **world.sim.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    run = newest_run(world, timeout_s=60)
    done_at_kill = world.wait_for_progress(run.run_id, PEOPLE // 5)
    killed_at = time.monotonic()
    down_s = redis_server.restart(OUTAGE_S)
    back_at = time.monotonic()
    world.wait_for_progress(run.run_id, world.runs.progress(run.run_id)[0] + 1, timeout_s=20)
    resumed_s = time.monotonic() - back_at
    try:
        summary = world.wait(run.run_id, timeout_s=SUMMARY_TIMEOUT_S)
    except TimeoutError:
        recorded, expected = world.runs.progress(run.run_id)
        backlog = dramatiq_keys(world.runs.client)
        pytest.fail(f"no summary: {recorded} of {expected} outcomes; Dramatiq's keys {backlog}")
    recovered_s = time.monotonic() - killed_at

    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, err
    assert RunSummary.model_validate_json(out) == summary
    assert "Traceback" not in err
    assert done_at_kill < PEOPLE, "the restart landed after the run had finished"
    assert sum(summary.counts.values()) == world.runs.meta(run.run_id).expected == PEOPLE
    assert len({o.key for o in world.runs.outcomes(run.run_id)}) == PEOPLE
    failed = [(o.key, o.reason) for o in summary.changes if o.status == "failed"]
    assert failed == []
    assert DeadLetterStore(world.runs.client).count() == 0
    assert_ended_as_undisturbed(world.sim, summary, before)
    # The same worker processes carried on: nothing had to restart them.
    assert set(workers) <= set(world.worker_pids())
    print(
        f"\nRedis killed after {done_at_kill} of {PEOPLE} outcomes and down {down_s:.1f} s;"
        f" outcomes again {resumed_s:.1f} s after it was back; summary {recovered_s:.1f} s"
        f" after the kill, run {summary.duration_s:.1f} s in all"
    )


@pytest.mark.parametrize("whole_group", [False, True], ids=["main process", "whole group"])
def test_sigterm_with_redis_down_ends_the_fleet_within_15_s_and_loses_no_message(
    arena: Build, redis_server: RedisServer, whole_group: bool
) -> None:
    world = arena(people=STOP_PEOPLE, existing=0.5, drifted=0.5)
    before = {user.login.casefold() for user in world.sim.okta.users()}
    workers = world.wait_for_workers(2)
    run = world.start_run()
    world.wait_for_progress(run.run_id, STOP_PEOPLE // 5)
    redis_server.kill()
    time.sleep(1)  # the workers meet the outage: consumers restarting, writes waiting for Redis
    stop_s = world.stop_fleet(whole_group=whole_group)
    print(f"\nfleet stopped {stop_s:.1f} s after SIGTERM with Redis down", end="")
    assert stop_s <= 15
    assert [pid for pid in workers if os.path.exists(f"/proc/{pid}")] == []
    redis_server.start()
    world.replace_fleet()
    summary = world.wait(run.run_id, timeout_s=SUMMARY_TIMEOUT_S + 30)
    assert sum(summary.counts.values()) == STOP_PEOPLE
    assert [o.key for o in summary.changes if o.status == "failed"] == []
    assert DeadLetterStore(world.runs.client).count() == 0
    assert_ended_as_undisturbed(world.sim, summary, before)


def newest_run(world: Arena, timeout_s: float) -> RunMeta:
    """The run a `hopsync resync` process started, once it is sealed with its count."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        recent = world.runs.recent(1)
        if recent and world.runs.progress(recent[0].run_id)[1] is not None:
            return recent[0]
        time.sleep(0.05)
    raise AssertionError(f"no sealed run after {timeout_s} s")


def test_a_redis_restart_mid_webhook_burst_loses_no_acknowledged_event(
    arena: Build,
    redis_server: RedisServer,
    receivers: Callable[[dict[str, str]], WebhookProcess],
) -> None:
    world = arena(
        people=WEBHOOK_PEOPLE,
        existing=1.0,
        drifted=0.0,
        missing_groups=0,
        config={"settings": {"live_coalesce_seconds": 0.2}},
    )
    rules, in_okta = world.sim.rules(), world.sim.okta.users_by_login()
    people = []
    for person_id, person in sorted(world.sim.charthop.people.items()):
        login = rules.match_value(person)
        if login is not None and login in in_okta:
            people.append((person_id, login))
    receiver = receivers(world.sim.env)
    receiver.wait_ready()
    workers = world.wait_for_workers(2)
    burst = Burst(world, receiver.url + WEBHOOK_PATH, people).start()
    try:
        burst.wait_for(acknowledged=ACKED_BEFORE)
        killed_at = time.monotonic()
        down_s = redis_server.restart(OUTAGE_S)
        back_at = time.monotonic()
        burst.wait_for(acknowledged=ACKED_AFTER, since=back_at)
    finally:
        burst.stop()
    sent = burst.sent
    acknowledged = [s for s in sent if s.acknowledged]
    refused = [s for s in sent if not s.acknowledged]

    # The receiver answered every event, 2xx once stored or 503 while Redis was away; never 500.
    assert [s for s in sent if s.status is None] == []
    assert Counter(s.status for s in refused).keys() <= {503}
    assert refused, "no event met the outage"
    client = redis.Redis.from_url(redis_server.url)
    seen = [constants.webhook_seen_key(s.event["id"]) for s in acknowledged]
    assert client.exists(*seen) == len(seen), "answered 2xx but not in Redis after the restart"
    client.close()
    lost = wait_applied(world, acknowledged, timeout_s=APPLY_TIMEOUT_S)
    applied_s = time.monotonic() - killed_at
    assert [(s.person_id, s.status) for s in lost] == []

    # ChartHop retries a refused event; the retry is stored and applied like any other.
    async def resend() -> None:
        async with aiohttp.ClientSession() as session:
            for s in refused:
                s.resent = await post(burst.url, s.event, session)

    asyncio.run(resend())
    assert {s.resent for s in refused} <= {200, 202}
    assert wait_applied(world, refused, timeout_s=APPLY_TIMEOUT_S) == []

    assert receiver.process.poll() is None, "the receiver died"
    assert receiver.get("/healthz") == 200 and receiver.get("/readyz") == 200
    assert set(workers) <= set(world.worker_pids())
    statuses = Counter(s.status for s in sent)
    first_ack_after = min(s.answered_at for s in acknowledged if s.sent_at > killed_at)
    print(
        f"\n{len(sent)} events sent: {len(acknowledged)} acknowledged, {len(refused)} refused"
        f" {dict(statuses)}, {len(lost)} lost; Redis down {down_s:.1f} s; first event"
        f" acknowledged {first_ack_after - back_at:.1f} s after Redis was back; every"
        f" acknowledged change in Okta {applied_s:.1f} s after the kill"
    )


def test_a_retry_that_meets_redis_down_is_enqueued_once_it_is_back(
    redis_server: RedisServer,
) -> None:
    # A client without retries, so that the first enqueue of the retry fails at once.
    client = redis.Redis.from_url(redis_server.url)
    broker = build_broker(client=client, settings=WorkerConfig(max_retries=3))
    probe = dramatiq.actor(actor_name="probe", queue_name="probe", broker=broker)(nothing)
    message = MessageProxy(probe.message())
    restarted = restart_later(redis_server, OUTAGE_S)
    retried = threading.Thread(
        target=lambda: broker.emit_after(
            "process_message", message, exception=redis.ConnectionError("Redis went away")
        )
    )
    retried.start()
    time.sleep(OUTAGE_S / 2)
    # Dramatiq's Retries would have given up by now, and the message would be acked: lost.
    assert retried.is_alive(), "the retry was given up while Redis was down"
    retried.join(30)
    restarted.join(30)
    assert not retried.is_alive() and not message.failed
    stored: list[bytes] = client.hvals(f"{constants.DRAMATIQ_NAMESPACE}:probe.DQ.msgs")  # type: ignore[assignment]
    assert [dramatiq.Message.decode(raw).options["retries"] for raw in stored] == [1]
    client.close()


def test_a_flusher_tick_cut_by_a_redis_restart_still_enqueues_what_it_claimed(
    redis_server: RedisServer,
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.zadd(constants.LIVE_PENDING, {"job:j1": time.time() - 1})
    restarted: list[threading.Thread] = []

    async def resolve(job_id: str) -> str:
        # Called after the claim and before its messages are enqueued: Redis goes down here.
        restarted.append(restart_later(redis_server, OUTAGE_S))
        return "p1"

    async def tick() -> FlushReport:
        async with open_flusher(loaded_config(redis_server.url)) as flusher:
            flusher.resolve_job = resolve
            flusher.fields = None  # no ChartHop here: the restart is what this test is about
            return await flusher.tick()

    report = asyncio.run(tick())
    restarted[0].join(30)
    assert report.claimed == report.enqueued == 1
    assert [body.item.person_id for body in sync_bodies(client)] == ["p1"]
    assert inflight(client) == {} and pending(client) == {}
    client.close()


def test_messages_stranded_by_a_fetch_whose_answer_was_lost_are_requeued(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared.infra.dramatiq_coupling, "RECONCILE_EVERY_S", 0.2)
    broker = build_broker(url=redis_server.url)
    probe = dramatiq.actor(actor_name="probe", queue_name="probe", broker=broker)(nothing)
    sent = {probe.send().options["redis_message_id"] for _ in range(3)}
    consumer = broker.consume("probe", prefetch=3, timeout=50)
    # Redis moved them to this worker's unacked set, but its answer never arrived: the client
    # retried the fetch, which found the queue empty.
    broker._dispatch("fetch")("probe", 3)  # type: ignore[no-untyped-call]
    received: set[str] = set()
    deadline = time.monotonic() + 10
    while received != sent and time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            received.add(message.options["redis_message_id"])
            consumer.ack(message)
    assert received == sent
    broker.client.close()


def test_a_bulk_enqueue_cut_by_a_redis_restart_loads_its_script_again(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    broker = build_broker(url=redis_server.url)
    probe = dramatiq.actor(actor_name="probe", queue_name="probe", broker=broker)(nothing)
    load_scripts = redis.client.Pipeline.load_scripts
    restarted: list[threading.Thread] = []

    def load_then_lose_redis(pipe: redis.client.Pipeline) -> None:
        load_scripts(pipe)  # type: ignore[no-untyped-call]  # the restart then empties the cache
        if not restarted:
            restarted.append(restart_later(redis_server, OUTAGE_S))

    monkeypatch.setattr(redis.client.Pipeline, "load_scripts", load_then_lose_redis)
    assert broker.enqueue_many([probe.message() for _ in range(3)]) == 3
    restarted[0].join(30)
    assert broker.client.llen(f"{constants.DRAMATIQ_NAMESPACE}:probe") == 3
    broker.client.close()


def test_a_claim_retried_after_its_answer_was_lost_returns_what_it_claimed(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    now = time.time()
    client.zadd(constants.LIVE_PENDING, {"person:p1": now - 1, "person:p2": now - 1})
    monkeypatch.setattr(secrets, "token_hex", lambda n: "same-call")  # every claim: one token
    queue = LiveQueue(client)
    first = queue.claim(now, 60, limit=10)
    retried = queue.claim(now, 60, limit=10)  # the same call again, as the client retries it
    assert sorted(retried.members) == sorted(first.members) == ["person:p1", "person:p2"]
    assert queue.release(retried, retried.members) == 2
    assert inflight(client) == {} and pending(client) == {}
    client.close()


@dataclass
class Sent:
    """One webhook event: the ChartHop change it announces and the receiver's answer."""

    person_id: str
    login: str
    title: str
    event: dict[str, Any]
    sent_at: float
    status: int | None = None  # None: no HTTP answer at all
    answered_at: float = 0.0
    resent: int | None = None  # the answer to the sender's retry of a refused event

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Burst:
    """Concurrent senders POSTing events, each about a person just changed in ChartHop."""

    def __init__(self, world: Arena, url: str, people: list[tuple[str, str]]) -> None:
        self.world = world
        self.url = url
        self.people = iter(people)
        self.sent: list[Sent] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def start(self) -> Burst:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the webhook senders did not stop"

    def answered(self, since: float = 0.0) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.status is not None and s.sent_at >= since]

    def wait_for(self, acknowledged: int, since: float = 0.0, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while sum(s.acknowledged for s in self.answered(since)) < acknowledged:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError(f"fewer than {acknowledged} events acknowledged in time")
            time.sleep(0.05)

    async def _run(self) -> None:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(self._sender(session) for _ in range(SENDERS)))

    async def _sender(self, session: aiohttp.ClientSession) -> None:
        charthop = self.world.sim.charthop
        while not self.stopping.is_set():
            with self.lock:
                person = next(self.people, None)
            if person is None:
                return
            person_id, login = person
            title = f"Title after event {person_id}"
            charthop.update_person(person_id, {"title": title})
            event = charthop.event("change.update.data", person_id, ["title"])
            sent = Sent(person_id, login, title, event, time.monotonic())
            with self.lock:
                self.sent.append(sent)
            sent.status = await post(self.url, event, session)
            sent.answered_at = time.monotonic()
            await asyncio.sleep(SEND_PAUSE_S)


async def post(url: str, event: dict[str, Any], session: aiohttp.ClientSession) -> int | None:
    """The receiver's HTTP status for one event, None when it gave no answer."""
    try:
        return await send_event(url, event, secret=WEBHOOK_SECRET, session=session, timeout_s=10)
    except TransportError:
        return None


class WebhookProcess:
    """`hopsync webhook` (receiver and live flusher) as a process of its own."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        command = [sys.executable, "-m", "producers.cli", "webhook"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command,
            env={
                **os.environ,
                **env,
                "HOPSYNC_LOG": "INFO",
                "HOPSYNC_METRICS_PORT": str(free_port()),
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code

    def wait_ready(self, timeout_s: float = 20) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the receiver exited:\n{self.log_tail()}"
            with contextlib.suppress(OSError):
                if self.get("/readyz") == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"the receiver is not ready after {timeout_s} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()


def dramatiq_keys(client: redis.Redis) -> dict[str, int]:
    """Size of each of Dramatiq's queues, message hashes and unacked sets (for a failure)."""
    sizes: dict[str, int] = {}
    for raw in client.scan_iter(match=f"{constants.DRAMATIQ_NAMESPACE}:*"):
        key, kind = text(raw), text(client.type(raw))
        size = {"list": client.llen, "hash": client.hlen, "set": client.scard, "zset": client.zcard}
        sizes[key.split(":", 1)[1]] = int(size[kind](key)) if kind in size else -1
    return sizes


def text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def nothing() -> None:
    """The probe actor of the broker tests."""


def okta_title(world: Arena, login: str) -> Any:
    return world.sim.okta.user(login).profile.get("title")


def wait_applied(world: Arena, events: list[Sent], timeout_s: float) -> list[Sent]:
    """The events whose change is not in Okta after ``timeout_s`` (empty once all are)."""
    deadline = time.monotonic() + timeout_s
    missing = events
    while True:
        missing = [s for s in missing if okta_title(world, s.login) != s.title]
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.2)


def restart_later(server: RedisServer, outage_s: float) -> threading.Thread:
    """Kill Redis now and start it again after ``outage_s`` from a background thread."""
    server.kill()

    def come_back() -> None:
        time.sleep(outage_s)
        server.start()

    thread = threading.Thread(target=come_back, daemon=True)
    thread.start()
    return thread
