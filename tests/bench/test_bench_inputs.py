"""The benchmarks refuse wrong knobs and a Redis that does not answer plainly, starting nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.world import free_port
from tests.processes import alive, children

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = ["resync_bench.py", "scale_bench.py", "burst_bench.py", "live_bench.py", "peer_bench.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_benchmark_whose_redis_is_down_says_what_to_do_in_80_columns_and_starts_nothing(
    script: str,
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    answer = subprocess.run(
        [sys.executable, str(BENCH / script), "--redis-url", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 1
    assert answer.stdout == ""
    assert "Traceback" not in answer.stderr
    lines = answer.stderr.strip().splitlines()
    assert lines[0] == f"{script}: Redis at {url} cannot be reached"
    assert "--redis-url" in answer.stderr
    assert all(len(line) <= 80 for line in lines), lines


@pytest.mark.parametrize(
    ("knob", "said"),
    [
        (["--people", "0"], "argument --people: must be at least 1, not 0"),
        (["--people", "ten"], "argument --people: must be a whole number, not 'ten'"),
        (["--drifted", "2"], "argument --drifted: must be at least 0 and at most 1, not 2"),
        (["--window", "0"], "argument --window: must be above 0, not 0"),
        (["--share", "1.5"], "argument --share: must be above 0 and at most 1, not 1.5"),
        (["--limit", "-1"], "argument --limit: must be at least 0, not -1"),
        (["--window", "2", "--phase", "2"], "--phase must be at least 0 and below --window (2 s)"),
    ],
)
def test_the_resync_benchmark_refuses_a_wrong_knob_by_name_before_starting_anything(
    knob: list[str], said: str
) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # never reached: the knob is refused first
    answer = subprocess.run(
        [sys.executable, str(BENCH / "resync_bench.py"), *knob, "--redis-url", url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 2
    assert answer.stderr.strip().splitlines()[-1] == f"resync_bench.py: error: {said}"


def test_the_scale_benchmark_refuses_a_size_that_is_not_a_whole_number() -> None:
    answer = subprocess.run(
        [sys.executable, str(BENCH / "scale_bench.py"), "--people", "1000,lots"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert answer.returncode == 2
    assert "argument --people (sizes, as 1000,10000): must be a whole number, not 'lots'" in (
        answer.stderr
    )


@pytest.mark.parametrize(
    ("script", "knob", "said"),
    [
        (
            "burst_bench.py",
            ["--most-events", "0"],
            "argument --most-events: must be at least 1, not 0",
        ),
        (
            "burst_bench.py",
            ["--okta-window", "0"],
            "argument --okta-window: must be above 0, not 0",
        ),
        ("live_bench.py", ["--rate", "-5"], "argument --rate: must be above 0, not -5"),
        (
            "peer_bench.py",
            ["--share", "2"],
            "argument --share: must be above 0 and at most 1, not 2",
        ),
    ],
)
def test_the_live_storm_and_peer_benchmarks_refuse_a_wrong_knob_by_name(
    script: str, knob: list[str], said: str
) -> None:
    answer = subprocess.run(
        [sys.executable, str(BENCH / script), *knob], capture_output=True, text=True, timeout=60
    )
    assert answer.returncode == 2
    assert answer.stderr.strip().splitlines()[-1] == f"{script}: error: {said}"


@pytest.mark.slow
def test_a_benchmark_stopped_by_sigterm_stops_the_worker_fleet_it_started(redis_url: str) -> None:
    bench = subprocess.Popen(
        [
            sys.executable,
            str(BENCH / "resync_bench.py"),
            "--people",
            "50",
            "--redis-url",
            redis_url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    fleet: set[int] = set()
    while not fleet and time.monotonic() < deadline and bench.poll() is None:
        time.sleep(0.1)
        fleet = set(children(bench.pid))  # the worker fleet's supervisor, once set-up has begun
    assert fleet, "the benchmark started no worker fleet"
    try:
        time.sleep(1)  # the fleet is booting: the benchmark waits for it before its run
        bench.send_signal(signal.SIGTERM)
        assert bench.wait(timeout=60) == 143
        deadline = time.monotonic() + 30
        while any(alive(pid) for pid in fleet) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in fleet), "the worker fleet outlived its benchmark"
    finally:  # never leave a fleet consuming from the tests' Redis
        bench.kill()
        for pid in fleet:
            if alive(pid):
                os.killpg(pid, signal.SIGKILL)  # the fleet leads a session of its own
