"""Storm benchmark: a reorg arriving as a webhook storm, then a quiet trickle, through the real
receiver, flusher, workers and fake Okta at Okta's default limits, all on this machine.

    python bench/burst_bench.py                    # 2,000 people changed within 10 s, 60 s windows
    python bench/burst_bench.py --short-window     # the same with 10 s windows (limits scaled)
    python bench/burst_bench.py --into-window 48   # the storm begins 48 s into an Okta window
    python bench/burst_bench.py --people 50 --quiet-people 20 --quiet-seconds 4    # smoke

The storm: each of --people people gets 1 to 5 title edits (seeded), each at a random moment of
the --seconds burst, sent open-loop by bench/live_generator.py as signed ChartHop webhooks. The
figures (bench/live_bench.py measures them; see its docstring for how):

- wall_over_floor: first event sent to last Okta profile write, over the floor: the time the
  busiest Okta bucket needs at its limit for the calls the storm needs (one sync per distinct
  person, at the calls per sync measured): from the first event to the start of the window in
  which the last of those calls may go (Okta's windows start at whole multiples of their length,
  so the first is partly gone), and never less than the burst itself.
- okta_calls_per_person, syncs_per_person (per distinct person), rate_429 (Okta's 429 answers),
  accept_p50_ms and accept_p99_ms (the receiver's answers), accepted_share.
- The quiet run (--quiet-rate events/s over --quiet-people people, a fresh world):
  event_to_write_p95_s.

Prints a table, then one JSON object with every figure as its last line. Redis database 13 on
127.0.0.1:6379 by default (flushed first). A tool, not a timed test.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import live_bench
from knobs import POSITIVE, whole
from lifecycle import exit_on_sigterm

from shared.okta import DEFAULT_LIMITS

SHORT_WINDOW_S = 10.0


def storm_schedule(seconds: float, seed: int, most: int) -> Callable[[int], list[list[Any]]]:
    """Each person 1 to ``most`` events at random moments of the burst, in time order."""

    def schedule(people: int) -> list[list[Any]]:
        rng = random.Random(seed)
        events = [
            [slot, rng.uniform(0, seconds)]
            for slot in range(people)
            for _ in range(rng.randint(1, most))
        ]
        return sorted(events, key=lambda event: event[1])

    return schedule


def live_args(args: argparse.Namespace, people: int, rate: float, seconds: float) -> Any:
    """The options of one bench/live_bench.py run inside this benchmark."""
    found = live_bench.parse_args(
        [
            "--people", str(people), "--rate", str(rate), "--seconds", str(seconds),
            "--processes", str(args.processes), "--threads", str(args.threads),
            "--redis-url", args.redis_url, "--okta-window", str(args.okta_window),
            "--drain-timeout", str(args.drain_timeout),
        ]
    )  # fmt: skip
    scale = args.okta_window / 60.0
    found.okta_limits = {bucket: max(1, round(n * scale)) for bucket, n in DEFAULT_LIMITS.items()}
    return found


def storm_figures(args: argparse.Namespace, run: dict[str, Any]) -> dict[str, Any]:
    """The storm's headline figures from a live_bench run."""
    distinct = run["distinct_people"] or 1
    syncs = run["person_syncs"] or 1
    share = run["rate_limit_share"]
    floor = float(args.seconds)
    busiest = None
    first = run["first_event_epoch"] or 0.0
    window_start = math.floor(first / args.okta_window) * args.okta_window  # epoch-aligned
    for bucket, calls in run["okta_calls_by_bucket"].items():
        limit = max(1, math.floor(args.okta_limits[bucket] * share))
        needed = math.ceil(calls / syncs * distinct)
        last_window = window_start + (math.ceil(needed / limit) - 1) * args.okta_window
        bucket_floor = last_window - first
        if bucket_floor >= floor:
            floor, busiest = bucket_floor, bucket
    wall = run["first_event_to_last_write_s"]
    return {
        "wall_over_floor": None if wall is None else round(wall / floor, 3),
        "wall_s": wall,
        "floor_s": round(floor, 2),
        "busiest_bucket": busiest,
        # How far into its Okta window the storm began: the later, the less of that window's
        # budget a sync can still use once the storm's events have landed.
        "first_event_into_window_s": round(first - window_start, 2),
        "okta_calls_per_person": round(run["okta_calls"] / distinct, 3),
        "syncs_per_person": round(run["person_syncs"] / distinct, 3),
        "rate_429": sum(run["okta_rate_limited"].values()),
        "accept_p50_ms": run["accept_p50_ms"],
        "accept_p99_ms": run["accept_p99_ms"],
        "accepted_share": run["accepted_share"],
        "distinct_people": run["distinct_people"],
        "events_sent": run["events_sent"],
        "drained": run["drained"],
        "people_out_of_step_at_end": run["people_out_of_step_at_end"],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """The storm, then the quiet run; every figure."""
    load_before = os.getloadavg()
    storm_args = live_args(args, args.people, 1.0, args.seconds)
    storm_args.schedule = storm_schedule(args.seconds, args.seed, args.most_events)
    storm_args.into_window = args.into_window
    args.okta_limits = storm_args.okta_limits
    storm = live_bench.run(storm_args)
    found = storm_figures(args, storm)
    quiet_args = live_args(args, args.quiet_people, args.quiet_rate, args.quiet_seconds)
    quiet = live_bench.run(quiet_args)
    found.update(
        event_to_write_p95_s=quiet["event_to_write_p95_s"],
        quiet_accept_p50_ms=quiet["accept_p50_ms"],
        quiet_accept_p99_ms=quiet["accept_p99_ms"],
        quiet_syncs_per_person=round(quiet["person_syncs"] / max(1, quiet["distinct_people"]), 3),
        okta_window_s=args.okta_window,
        machine=f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        load_average_before=[round(x, 2) for x in load_before],
        load_average_after=[round(x, 2) for x in os.getloadavg()],
        storm_detail={k: storm[k] for k in ("okta_calls_by_bucket", "sync_outcomes", "drain_s")},
    )
    return found


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=whole(1), default=2000, help="people changed in the storm")
    parser.add_argument("--seconds", type=POSITIVE, default=10.0, help="the storm's length")
    parser.add_argument(
        "--most-events", type=whole(1), default=5, help="events per person: 1 to this"
    )
    parser.add_argument("--okta-window", type=POSITIVE, default=60.0, help="Okta's window (s)")
    parser.add_argument(
        "--short-window",
        action="store_true",
        help=f"{SHORT_WINDOW_S:.0f} s windows, limits scaled to the same rate per minute",
    )
    parser.add_argument(
        "--into-window",
        type=float,
        default=None,
        metavar="S",
        help="begin the storm S seconds into an Okta window (default: whenever set-up ends)",
    )
    parser.add_argument("--quiet-people", type=whole(1), default=200)
    parser.add_argument("--quiet-rate", type=POSITIVE, default=5.0, help="events per second")
    parser.add_argument("--quiet-seconds", type=POSITIVE, default=20.0)
    parser.add_argument("--processes", type=whole(1), default=2)
    parser.add_argument("--threads", type=whole(1), default=8)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="flushed first")
    parser.add_argument("--drain-timeout", type=POSITIVE, default=900.0, help="seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.short_window:
        args.okta_window = SHORT_WINDOW_S
    if args.into_window is not None and not 0 <= args.into_window < args.okta_window:
        parser.error(
            f"--into-window must be at least 0 and below the window ({args.okta_window} s)"
        )
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark; a table, then the JSON line."""
    exit_on_sigterm()
    found = run(parse_args(argv))
    for key, value in found.items():
        print(f"{key:>28}  {json.dumps(value) if isinstance(value, dict | list) else value}")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
