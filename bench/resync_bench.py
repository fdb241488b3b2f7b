"""Resync benchmark: wall time, Okta calls and memory of one resync through real worker processes.

    python bench/resync_bench.py --people 10000                 # noop: Okta already in sync
    python bench/resync_bench.py --people 2000 --drifted 0.2 --window 2 --limit 100   # drift
    python bench/resync_bench.py --people 2000 --drifted 0.2 --window 2 --limit 100 --share 0.5

Prints a table, then one JSON object with every figure as its last line (--json: only that).
Uses Redis database 12 on 127.0.0.1:6379 (flushed first), the simulators, and
`hopsync worker`'s own worker processes. A tool, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.okta import DEFAULT_LIMITS
from sim.harness import WorkerFleet, start_simulation

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
WRITE_BUCKETS = ("user-update", "users-list-create", "group-members", "groups")


def peak_rss_mb(parent: int) -> dict[int, float]:
    """VmHWM of each child of the Dramatiq main process, in MB."""
    found = {}
    for pid in subprocess.run(
        ["ps", "--ppid", str(parent), "-o", "pid="], capture_output=True, text=True, check=False
    ).stdout.split():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found[int(pid)] = int(line.split()[1]) / 1024
    return found


def run(args: argparse.Namespace) -> dict[str, Any]:
    url = "redis://127.0.0.1:6379/12"
    client = redis.Redis.from_url(url)
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
        },
        okta_settings={"window_s": args.window, "limits": limits},
    )
    fleet = WorkerFleet(
        sim.env, processes=args.processes, threads=args.threads, log_path=workdir / "workers.log"
    ).start()
    try:
        time.sleep(3)  # worker boot, not part of a resync
        sim.okta.reset_counters()
        memory_before = int(client.info("memory")["used_memory"])
        started = time.perf_counter()
        answer = subprocess.run(
            [sys.executable, "-m", "producers.cli", "resync", "--wait", "--json"],
            env={**os.environ, **sim.env},
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - started
        summary = json.loads(answer.stdout)
        memory_after = int(client.info("memory")["used_memory"])
        counters = sim.okta.counters()
        rss = peak_rss_mb(fleet.process.pid) if fleet.process else {}
    finally:
        fleet.stop()
        sim.close()
    calls = sum(counters.calls.values())
    writes = counters.writes
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
        "peak_worker_rss_mb": sorted(rss.values()),
        "redis_memory_mb": round((memory_after - memory_before) / 2**20, 2),
        "counts": summary["counts"],
        "window_s": args.window,
        "write_limit": args.limit,
        "share": args.share,
        "max_requests_in_a_write_bucket_window": per_window_max,
        "writes_by_bucket": dict(per_bucket),
        "floor_s": round(floor, 2) if floor else None,
        "wall_over_floor": round(wall / floor, 3) if floor else None,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--drifted", type=float, default=0.0)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--window", type=float, default=60.0, help="fake Okta window (s)")
    parser.add_argument("--limit", type=int, default=0, help="writes per window (0: defaults)")
    parser.add_argument("--share", type=float, default=1.0, help="okta.rate_limit_share")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args()
    figures = run(args)
    if not args.json:
        for key, value in figures.items():
            print(f"{key:>24}  {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
