"""Scale benchmark: the noop resync at several org sizes, and how wall time and memory grow.

    python bench/scale_bench.py                          # 1,000, 10,000 and 50,000 people
    python bench/scale_bench.py --people 500,2000 --json

Each size is one bench/resync_bench.py run (Okta already in sync, 20 managed groups, real worker
processes). Prints a table, then one JSON object with every figure as its last line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from knobs import whole
from lifecycle import exit_on_sigterm
from resync_bench import parser as resync_parser
from resync_bench import run as resync_run

TARGET_SLOPE = 1.1  # 50k/10k at most 5.5: linear, with 10% to spare
TARGET_WORKER_RSS_MB = 250.0


def measure(sizes: list[int], extra: list[str]) -> dict[str, Any]:
    """One noop resync per size; the ratios between the two largest sizes."""
    runs = []
    for people in sizes:
        args = resync_parser().parse_args(["--people", str(people), *extra])
        runs.append(resync_run(args))
    largest, previous = runs[-1], runs[-2] if len(runs) > 1 else runs[-1]
    size_ratio = largest["people"] / previous["people"]
    return {
        "sizes": sizes,
        "runs": [
            {
                key: run[key]
                for key in (
                    "people",
                    "wall_s",
                    "okta_calls_per_person",
                    "charthop_calls",
                    "peak_worker_rss_mb",
                    "peak_producer_rss_mb",
                    "redis_memory_mb",
                    "load_average",
                )
            }
            for run in runs
        ],
        "size_ratio": size_ratio,
        "wall_ratio": round(largest["wall_s"] / previous["wall_s"], 3),
        "wall_ratio_target": round(TARGET_SLOPE * size_ratio, 3),
        "peak_worker_rss_mb_largest": max(largest["peak_worker_rss_mb"], default=0.0),
        "peak_worker_rss_mb_target": TARGET_WORKER_RSS_MB,
    }


def table(figures: dict[str, Any]) -> str:
    """The figures as readable text."""
    header = f"{'people':>8} {'wall s':>8} {'calls/p':>8} {'worker RSS MB':>16} {'producer MB':>12}"
    lines = [header]
    for run in figures["runs"]:
        rss = "/".join(f"{mb:.0f}" for mb in run["peak_worker_rss_mb"])
        lines.append(
            f"{run['people']:>8} {run['wall_s']:>8.2f} {run['okta_calls_per_person']:>8.4f} "
            f"{rss:>16} {run['peak_producer_rss_mb']:>12.0f}"
        )
    lines.append(
        f"wall ratio {figures['wall_ratio']} for {figures['size_ratio']:g}x the people "
        f"(target at most {figures['wall_ratio_target']:g}); largest worker RSS "
        f"{figures['peak_worker_rss_mb_largest']:.0f} MB (target at most {TARGET_WORKER_RSS_MB:g})"
    )
    return "\n".join(lines)


def main() -> None:
    """Parse --people as a comma list; other knobs go to each resync run."""
    exit_on_sigterm()
    argv = sys.argv[1:]
    only_json = "--json" in argv
    argv = [arg for arg in argv if arg != "--json"]
    sizes = [1_000, 10_000, 50_000]
    if "--people" in argv:
        at = argv.index("--people")
        listed = argv[at + 1] if at + 1 < len(argv) else ""
        try:
            sizes = [whole(1)(size) for size in listed.split(",")]
        except argparse.ArgumentTypeError as error:
            said = f"scale_bench.py: error: argument --people (sizes, as 1000,10000): {error}"
            print(said, file=sys.stderr)
            raise SystemExit(2) from None  # argparse's status for a wrong argument
        del argv[at : at + 2]
    figures = measure(sizes, argv)
    if not only_json:
        print(table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
