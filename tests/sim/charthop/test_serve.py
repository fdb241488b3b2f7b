"""The fake ChartHop can be built from a size or a file, and served as a blocking process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sim.charthop import DEFAULT_TOKEN, build_state

ROOT = Path(__file__).resolve().parents[3]


def test_a_state_is_generated_from_size_and_seed() -> None:
    state = build_state(40, 2, org="globex", departed=3)
    assert (state.org, len(state.people), len(state.departed)) == ("globex", 40, 3)
    assert build_state(40, 2).people == build_state(40, 2).people


def test_a_state_is_loaded_from_an_org_file_when_given(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    path.write_text(
        json.dumps([{"id": "a", "directReports": 0}, {"id": "b", "endDateOrg": "2025-01-01"}])
    )
    state = build_state(999, 0, org_file=path)
    assert (list(state.people), list(state.departed)) == (["a"], ["b"])


def test_main_serves_the_fake_until_stopped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from sim.charthop import main; main({port}, 15, 1)"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v2/org/acme/person/count",
            headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"},
        )
        body = _first_answer(request)
        assert json.loads(body) == {"count": 15}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    # The token is a simulator's, made up: it is printed so that a user can point hopsync at it.
    assert b"15 people" in output and f"API token: {DEFAULT_TOKEN}".encode() in output


def _first_answer(request: urllib.request.Request, wait_s: float = 15) -> bytes:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return bytes(response.read())
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
