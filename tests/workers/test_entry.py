"""Worker processes started directly (`dramatiq workers.entry`) refuse what `hopsync worker`
refuses before touching Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]


def test_a_direct_start_refuses_a_hopsync_redis_url_that_differs_from_redis_url(
    redis_url: str, client: redis.Redis
) -> None:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOPSYNC_")}
    env = {
        **inherited,
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": redis_url,
        "HOPSYNC_REDIS_URL": "redis://127.0.0.1:6399/0",  # a guess at the name: not read
        "OKTA_API_TOKEN": "okta-secret-token",
        "CHARTHOP_API_TOKEN": "charthop-secret-token",
        "HOPSYNC_WEBHOOK_SECRET": "webhook-secret",
        "dramatiq_prom_port": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "dramatiq", "workers.entry", "--processes", "1", "--threads", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "env.HOPSYNC_REDIS_URL: is not read: hopsync uses REDIS_URL" in done.stderr
    assert "set REDIS_URL instead" in done.stderr
    assert client.dbsize() == 0  # no configuration saved, no worker registered
