"""`hopsync sim okta|charthop` say at start where they listen and which token they accept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.world import free_port

REPO = Path(__file__).resolve().parents[2]


def first_lines(*args: str, count: int = 2) -> list[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "producers.cli", "sim", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        return [process.stdout.readline().rstrip("\n") for _ in range(count)]
    finally:
        process.terminate()
        process.communicate(timeout=10)  # drains and closes the pipe


@pytest.mark.parametrize(
    ("kind", "token", "variable", "extra"),
    [
        ("okta", "my-okta-token", "OKTA_API_TOKEN", []),
        ("charthop", "my-charthop-token", "CHARTHOP_API_TOKEN", ["--people", "5"]),
    ],
)
def test_a_simulator_prints_its_url_and_token_when_it_starts(
    kind: str, token: str, variable: str, extra: list[str]
) -> None:
    port = free_port()
    heading, hint = first_lines(kind, "--port", str(port), "--token", token, *extra)
    assert f"http://127.0.0.1:{port}" in heading and f"API token: {token}" in heading
    assert f'base_url: "http://127.0.0.1:{port}"' in hint and f"{variable}={token}" in hint
