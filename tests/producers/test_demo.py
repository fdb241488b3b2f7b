"""`hopsync demo` ends with a next step that works: a hint to --keep, or, with --keep, a stack
that keeps serving and the commands that use it."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from producers.demo import run_demo

REPO = Path(__file__).resolve().parents[2]


def test_the_demo_reads_at_80_columns_and_points_at_keep_not_at_a_redis_that_is_gone() -> None:
    console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
    dry, real = run_demo(people=40, seed=3, console=console)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert dry.dry_run and not real.dry_run
    assert "hopsync runs show" not in text  # its embedded Redis is gone when the demo ends
    assert "Next: `hopsync demo --keep`" in " ".join(text.split())
    if real.counts["deferred"]:
        assert re.search(r"starts on \d{4}-\d\d-\d\d; synced from that day", text)
    assert "unchanged  already in step" in text  # the words explained once, after the resync


def test_demo_keep_serves_its_stack_to_other_commands_until_stopped(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, "-m", "producers.cli", "demo", "--keep", "--people", "30"],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "80"},
        )
    try:
        deadline = time.monotonic() + 120
        while "  source " not in log.read_text():
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        env_file = re.search(r"  source (\S+)", log.read_text())
        assert env_file is not None
        answer = subprocess.run(
            ["bash", "-c", f"source {env_file[1]} && hopsync runs --json"],
            capture_output=True,
            text=True,
            timeout=60,
            env={"HOME": os.environ.get("HOME", "/"), "PATH": "/usr/bin:/bin"},
        )
        assert answer.returncode == 0, answer.stderr
        runs = json.loads(answer.stdout)
        assert [run["dry_run"] for run in runs] == [False, True]
        assert f"hopsync runs show {runs[0]['run_id']}" in log.read_text()
    finally:
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(30) == 0, log.read_text()
    assert "demo stopped" in log.read_text()
    assert not Path(env_file[1]).exists()  # its working directory is cleaned up
