"""Resync benchmark: wall time, Okta calls and memory of one resync through real worker processes.

    python bench/resync_bench.py --people 10000                 # noop: Okta already in sync
    python bench/resync_bench.py --people 2000 --drifted 0.2 --window 2 --limit 100   # drift
    python bench/resync_bench.py --people 2000 --drifted 0.2 --window 2 --limit 100 --share 0.5
    python bench/resync_bench.py --people 10000 --drifted 0.2 --window 2 --limit 100 --phase 0.5

Prints a table, then one JSON object with every figure as its last line (--json: only that).
Uses Redis database 12 on 127.0.0.1:6379 (flushed first), the simulators, and
`hopsync worker`'s own worker processes. A tool, not a timed test.
"""

from __future__ import annotations

import argparse
import compileall
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knobs import POSITIVE, SHARE, number, whole
from lifecycle import exit_on_sigterm
from redis_stats import reachable_redis, redis_memory

from harness.world import WorkerFleet, start_simulation
from shared.okta import DEFAULT_LIMITS

GROUPS = [
    {"name": f"{name}", "query": query}
    for name, query in [
        ("Engineering", "department:engineering"),
        ("Managers", "is:manager"),
        ("Sales", 'department:sales,"customer success"'),
        ("London", "location.address.city:london"),
        ("Remote", "location.name:remote"),
        ("Directors", "title:director,vp,chief"),
        ("Product", "department:product,design"),
        ("Finance", "department:finance"),
        ("People", "department:people"),
        ("Legal", "department:legal"),
        ("IT", "department:it"),
        ("Marketing", "department:marketing"),
        ("Interns", "employment:intern"),
        ("Contractors", "employment:contract,temporary"),
        ("US", 'location.address.country="US"'),
        ("Canada", 'location.address.country="CA"'),
        ("Germany", 'location.address.country="DE"'),
        ("New York", 'location.address.city:"new york"'),
        ("ICs", "is:ic department:engineering"),
        ("Operations", "department:operations"),
    ]
]
REDIS_URL = "redis://127.0.0.1:6379/12"
WRITE_BUCKETS = ("user-update", "users-list-create", "group-members", "groups")


def peak_rss_mb(parent: int) -> dict[int, float]:
    """VmHWM of each worker process (a child of the Dramatiq main process with threads), in MB.

    The main process also forks the single-threaded Prometheus exposition server: left out.
    """
    found = {}
    for pid in subprocess.run(
        ["ps", "--ppid", str(parent), "-o", "pid="], capture_output=True, text=True, check=False
    ).stdout.split():
        try:
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            )
        except OSError:
            continue
        if int(status["Threads"]) > 2:
            found[int(pid)] = int(status["VmHWM"].split()[0]) / 1024
    return found


def start_profilers(directory: str, fleet: WorkerFleet) -> list[subprocess.Popen[bytes]]:
    """py-spy sampling each worker process (the producer runs under pyinstrument)."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    assert fleet.process is not None
    spies = []
    for pid in peak_rss_mb(fleet.process.pid):
        output = str(Path(directory) / f"worker-{pid}.txt")
        spies.append(
            subprocess.Popen(
                [
                    shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy",
                    "record",
                    "--pid",
                    str(pid),
                    "--format",
                    "raw",
                    "-o",
                    output,
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return spies


def compile_bytecode() -> None:
    """Compile hopsync's modules to bytecode, as `pip install` does for an installed hopsync.

    The timed producer is a fresh `hopsync resync` process. From a source checkout with
    PYTHONDONTWRITEBYTECODE set (as in the benchmark machine's shells), Python would compile every
    hopsync module it imports at each start, about 0.25 s that no installed copy pays.
    """
    root = Path(__file__).resolve().parents[1]
    for package in ("config", "producers", "shared", "workers"):
        compileall.compile_dir(root / package, quiet=1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    compile_bytecode()
    url = args.redis_url
    client = reachable_redis(url)
    client.flushdb()
    limits = dict(DEFAULT_LIMITS)
    if args.limit:
        limits.update(dict.fromkeys(WRITE_BUCKETS, args.limit))
    workdir = Path(tempfile.mkdtemp(prefix="hopsync-bench-"))
    sim = start_simulation(
        workdir,
        url,
        people=args.people,
        existing=1.0,
        drifted=args.drifted,
        missing_groups=0,
        config={
            "groups": GROUPS,
            "okta": {"rate_limit_share": args.share},
            "worker": {"processes": args.processes, "threads": args.threads},
            "settings": {"safety": None},  # a drift bench writes a fifth of the org on purpose
        },
        okta_settings={"window_s": args.window, "limits": limits},
    )
    fleet = WorkerFleet(
        sim.env, processes=args.processes, threads=args.threads, log_path=workdir / "workers.log"
    ).start()
    try:
        time.sleep(3)  # worker boot, not part of a resync
        if args.phase is not None:  # start this far into one of the fake Okta's windows
            now = time.time()
            time.sleep(math.ceil(now / args.window) * args.window + args.phase - now)
        sim.okta.reset_counters()
        memory_before = redis_memory(client)
        spies = start_profilers(args.profile, fleet) if args.profile else []
        started, started_epoch = time.perf_counter(), time.time()
        producer = ["-m", "producers.cli", "resync", "--wait", "--json"]
        if args.profile:
            report = str(Path(args.profile) / "producer.txt")
            producer = ["-m", "pyinstrument", "-r", "text", "-o", report, *producer]
        answer = subprocess.run(
            [sys.executable, *producer],
            env={**os.environ, **sim.env},
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
        if answer.returncode != 0:  # the run's own words, not a CalledProcessError
            raise SystemExit(
                f"resync_bench.py: `hopsync resync --wait` exited {answer.returncode}:\n"
                + "\n".join(answer.stderr.strip().splitlines()[-10:])
                + "\n"
                + answer.stdout[:2000]
            )
        producer_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        summary = json.loads(answer.stdout)
        memory_after = redis_memory(client)
        counters = sim.okta.counters()
        rss = peak_rss_mb(fleet.process.pid) if fleet.process else {}
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
    finally:
        fleet.stop()
        sim.close()
    calls = sum(counters.calls.values())
    writes = counters.writes
    write_times = [r.at for r in counters.log if r.method in ("POST", "PUT", "DELETE")]
    windows = {bucket: dict(Counter(c)) for bucket, c in counters.window_counts.items()}
    per_window_max = max(
        (max(c.values()) for b, c in windows.items() if b in WRITE_BUCKETS and c), default=0
    )
    # Each bucket has its own budget: the floor is set by the busiest one.
    per_bucket: Counter[str] = Counter()
    for (bucket, method), count in counters.calls.items():
        if bucket in WRITE_BUCKETS and method in ("POST", "PUT", "DELETE"):
            per_bucket[bucket] += count
    busiest = max(per_bucket.values(), default=0)
    floor = busiest / (args.limit * args.share) * args.window if args.limit and busiest else None
    return {
        "people": args.people,
        "drifted": args.drifted,
        "processes": args.processes,
        "threads": args.threads,
        "wall_s": round(wall, 2),
        "okta_calls": calls,
        "okta_calls_per_person": round(calls / args.people, 4),
        "okta_writes": writes,
        "charthop_calls": sim.charthop.requests,
        "rate_limited": dict(counters.rate_limited),
        "max_in_flight": counters.max_in_flight,
        "peak_worker_rss_mb": sorted(round(mb, 1) for mb in rss.values()),
        "peak_producer_rss_mb": round(producer_rss, 1),
        "redis_memory_mb": (
            None
            if memory_before is None or memory_after is None
            else round((memory_after - memory_before) / 2**20, 2)
        ),
        "counts": summary["counts"],
        "window_s": args.window,
        "write_limit": args.limit,
        "share": args.share,
        "max_requests_in_a_write_bucket_window": per_window_max,
        "writes_by_bucket": dict(per_bucket),
        "first_write_after_s": round(min(write_times) - started_epoch, 2) if write_times else None,
        "last_write_after_s": round(max(write_times) - started_epoch, 2) if write_times else None,
        "write_windows": {
            bucket: [n for _, n in sorted(c.items())]
            for bucket, c in counters.window_counts.items()
            if bucket in WRITE_BUCKETS
        },
        # How late after each window opens its first write goes (parked people wake then).
        "first_write_into_window_s": {
            bucket: [
                round(at - start, 2)
                for start, at in sorted(_first_writes(counters.log, bucket, args.window).items())
            ]
            for bucket in WRITE_BUCKETS
            if bucket in per_bucket
        },
        "floor_s": round(floor, 2) if floor else None,
        "wall_over_floor": round(wall / floor, 3) if floor else None,
        "started_into_window_s": round(started_epoch % args.window, 2),
        "load_average": os.getloadavg()[0],
    }


def _first_writes(log: list[Any], bucket: str, window_s: float) -> dict[float, float]:
    """Window start -> the time of the first write of ``bucket`` in it."""
    first: dict[float, float] = {}
    for record in log:
        if record.bucket == bucket and record.method in ("POST", "PUT", "DELETE"):
            start = record.at - record.at % window_s
            first[start] = min(first.get(start, record.at), record.at)
    return first


def parser() -> argparse.ArgumentParser:
    """The benchmark's knobs (shared with bench/scale_bench.py)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=whole(1), default=10_000)
    parser.add_argument("--drifted", type=number(0, 1), default=0.0, help="share of people drifted")
    parser.add_argument("--processes", type=whole(1), default=2)
    parser.add_argument("--threads", type=whole(1), default=8)
    parser.add_argument("--window", type=POSITIVE, default=60.0, help="fake Okta window (s)")
    parser.add_argument("--limit", type=whole(0), default=0, help="writes per window (0: defaults)")
    parser.add_argument("--share", type=SHARE, default=1.0, help="okta.rate_limit_share")
    parser.add_argument(
        "--phase",
        type=float,
        default=None,
        metavar="S",
        help="start the resync S seconds into one of the fake Okta's windows (which start at "
        "whole multiples of --window since the epoch); default: whenever set-up ends",
    )
    parser.add_argument("--redis-url", default=REDIS_URL, help="flushed first")
    parser.add_argument("--profile", help="write pyinstrument/py-spy profiles to this directory")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    return parser


def main() -> None:
    """Run one resync and print the figures, then the JSON line."""
    exit_on_sigterm()
    knobs = parser()
    args = knobs.parse_args()
    if args.phase is not None and not 0 <= args.phase < args.window:
        knobs.error(f"--phase must be at least 0 and below --window ({args.window:g} s)")
    figures = run(args)
    if not args.json:
        for key, value in figures.items():
            print(f"{key:>24}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
