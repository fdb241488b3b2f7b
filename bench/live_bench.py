"""Live benchmark: webhook events at a steady rate through the receiver, workers and fake Okta.

    python bench/live_bench.py                                  # 500 events/s, 20 s, 2,000 people
    python bench/live_bench.py --okta-limit 100000              # Okta's budget out of the way
    python bench/live_bench.py --people 100 --rate 50 --seconds 3    # smoke (well under 30 s)

The fake Okta starts in step with everyone (Okta's default limits unless --okta-limit), then the
real `hopsync webhook` process (receiver, and the live flusher in its child process) and `hopsync
worker`'s processes start. Before each event the person's title in the fake ChartHop becomes "Title
<n>" (n: the event's number; see TitleTable), then a signed ChartHop-shaped event is POSTed to the
receiver. Events are open-loop (sent at their scheduled times whatever the answers) from a separate
load-generator process (bench/live_generator.py, at nice -10 when permitted: it stands for
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
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knobs import POSITIVE, whole
from lifecycle import exit_on_sigterm
from live_figures import (
    Write,
    bucket_pressure,
    event_to_write,
    ms,
    out_of_order_writes,
    people_out_of_step,
    percentile,
    title_number,
)
from live_generator import Generator, TitleTable
from live_procs import (
    backlog,
    drain,
    live_runs,
    measure_usage,
    renice,
    start_receiver,
    stop_process,
    sync_outcomes,
    wait_ready,
    wait_workers,
    warm_up,
)
from redis_stats import reachable_redis

from harness.world import WEBHOOK_SECRET, Simulation, WorkerFleet, free_port, start_simulation
from shared.okta import DEFAULT_LIMITS

USER_PATH = re.compile(r"^/api/v1/users/([^/]+)/?$")


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


# --- the run ----------------------------------------------------------------------------------


def okta_settings(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, int]]:
    """The fake Okta's settings and per-bucket limits (Okta's defaults unless --okta-limit)."""
    limits = dict(getattr(args, "okta_limits", None) or DEFAULT_LIMITS)
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
    schedule = getattr(args, "schedule", None)
    if schedule is not None:  # bench/burst_bench.py: [slot, seconds] per event
        plan["schedule"] = schedule(len(people))
    generator = Generator(plan)
    return World(sim, recorder, titles, people, person_of, receiver, base_url, fleet, generator)


def storm_start(args: argparse.Namespace) -> float | None:
    """When to send the first event: ``into_window`` seconds into an Okta window (the fake
    Okta's windows start at whole multiples of their length) at least 1 s from now; None: at
    once."""
    into = getattr(args, "into_window", None)
    if into is None:
        return None
    width = args.okta_window
    soon = time.time() + 1.0
    start = math.floor(soon / width) * width + into
    return start if start >= soon else start + width


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the whole benchmark and return its figures."""
    started = time.monotonic()
    client = reachable_redis(args.redis_url)
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
        generated = world.generator.run(start_at=storm_start(args))
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
    accept_p99 = ms(percentile(accept, 0.99))
    distinct = len({row[0] for row in accepted})
    syncs = extra.pop("person_syncs", 0)
    p95 = latency["event_to_write_p95_s"]
    first_sent = min((row[4] for row in rows), default=None)
    last_write = max((write.at for write in writes), default=None)
    wall = None if first_sent is None or last_write is None else last_write - first_sent
    return {
        "accepted_share": share,
        "accept_p50_ms": ms(percentile(accept, 0.50)),
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
        "accept_max_ms": ms(max(accept, default=None)),
        "accept_from_schedule_p99_ms": ms(percentile([r[5] - r[2] for r in accepted], 0.99)),
        "send_slip_p99_ms": ms(percentile([row[4] - row[2] for row in rows], 0.99)),
        "generator_loop_lag_p99_ms": generated["loop_lag_p99_ms"],
        "generator_loop_lag_max_ms": generated["loop_lag_max_ms"],
        "generator_cpu_s": generated["cpu_s"],
        "generator_nice": generated["nice"],
        "sync_outcomes": extra.pop("sync_outcomes", {}),
        "okta_user_writes": len(writes),
        **latency,
        "stale_overwrites": out_of_order_writes(writes, person_of),
        "people_out_of_step_at_end": people_out_of_step(rows, final),
        "first_event_to_last_write_s": None if wall is None else round(wall, 2),
        "first_event_epoch": None if first_sent is None else first_sent + _epoch_offset(),
        "okta_calls": sum(counters.calls.values()),
        "okta_calls_by_bucket": _by_bucket(counters.calls),
        "okta_limit_per_window": args.okta_limit or "Okta defaults",
        "okta_window_s": args.okta_window,
        "okta_busiest_window_over_budget": pressure,
        "okta_limits_bind": any(value >= 0.9 for value in pressure.values())
        or bool(counters.rate_limited),
        "okta_rate_limited": dict(counters.rate_limited),
        "okta_max_in_flight": counters.max_in_flight,
        **extra,
    }


def _epoch_offset() -> float:
    """Add to a monotonic time (system-wide) to get the epoch time (the fake Okta's windows)."""
    return time.time() - time.monotonic()


def _by_bucket(calls: Any) -> dict[str, int]:
    found: Counter[str] = Counter()
    for (bucket, _method), count in calls.items():
        found[bucket] += count
    return dict(found)


def print_table(found: dict[str, Any]) -> None:
    """The figures, one per line."""
    for key, value in found.items():
        print(f"{key:>34}  {json.dumps(value) if isinstance(value, dict) else value}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=whole(1), default=2000)
    parser.add_argument("--rate", type=POSITIVE, default=500.0, help="events per second")
    parser.add_argument("--seconds", type=POSITIVE, default=20.0)
    parser.add_argument("--processes", type=whole(1), default=2)
    parser.add_argument("--threads", type=whole(1), default=8)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="flushed first")
    parser.add_argument(
        "--coalesce", type=float, default=None, help="settings.live_coalesce_seconds (default 1)"
    )
    parser.add_argument(
        "--okta-limit", type=int, default=0, help="every bucket's requests/window (0: Okta's)"
    )
    parser.add_argument("--okta-window", type=POSITIVE, default=60.0, help="fake Okta window (s)")
    parser.add_argument("--drain-timeout", type=POSITIVE, default=120.0, help="seconds")
    parser.add_argument("--connections", type=whole(1), default=200, help="generator's pool size")
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
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark."""
    exit_on_sigterm()
    args = parse_args(argv)
    found = run(args)
    if not args.json:
        print_table(found)
    print(json.dumps(found))


if __name__ == "__main__":
    main()
