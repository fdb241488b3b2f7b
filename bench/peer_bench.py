"""Peer benchmark: the official Okta Python SDK and hopsync's client send the same profile updates.

    python bench/peer_bench.py                               # 1,000 updates, 100 per 5 s
    python bench/peer_bench.py --people 50 --window 1 --limit 20   # smoke, ~10 s with imports

Each contender gets a fresh fake Okta (sim/okta) seeded with the same N users, the same limits
(the user-update bucket allows --limit requests per --window seconds), the same service time
(--latency per served request, so that requests overlap as they do against a real Okta) and
starts at the beginning of a window. Each user gets one partial profile update
(POST /api/v1/users/{id}: a new title):

- sdk: `okta` (PyPI) 3.x, `okta.client.Client`, asyncio, `update_user` under a semaphore of
  --concurrency; its own 429 handling (sleep until X-Rate-Limit-Reset - Date + 1 s, at most
  rateLimit.maxRetries retries), no throttling added here. okta 3.x sends "SSWS<token>" without
  the space; a shim in front of both fakes puts it back (see AuthShim) and counts the fixes.
- hopsync: shared.okta.OktaClient as the workers build it (workers/runtime.py): RedisRateLimiter
  on --redis-url, max_in_flight = --concurrency, rate_limit_share = --share, under the same
  semaphore of --concurrency callers.

Figures per contender: wall s, updates/s, 429s (the fake's count; the client's own too for
hopsync), failed and lost updates (lost: users whose title in the fake is not the new one), most
admitted updates in one window vs the limit, windows used, floor (updates / limit x window) and
wall/floor. Starting at a window's start, an ideal client finishes early in window
ceil(N / limit), so wall/floor can be a little under 1.

Prints a side-by-side table, then one JSON object with every figure as its last line (--json:
only that). Redis database 14 on 127.0.0.1:6379 by default (flushed first). A tool, not a timed
test. Needs the `okta` package (not a hopsync dependency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    import okta as okta_sdk
    from okta.client import Client as SdkClient
    from okta.models import UpdateUserRequest, UserProfile
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        f"bench/peer_bench.py needs the official Okta SDK ({missing}): pip install 'okta>=3.4,<4'"
    ) from missing

from knobs import POSITIVE, SHARE, whole
from lifecycle import exit_on_sigterm
from redis_stats import reachable_redis

from shared.infra.logging import configure_logging
from shared.okta import DEFAULT_LIMITS, OktaClient, OktaClientSettings, Policy, RedisRateLimiter
from shared.okta.buckets import USER_UPDATE
from sim.okta import FakeOkta, FakeOktaSettings, create_app
from sim.server import BackgroundServer

TOKEN = "peer-bench-token-5d1e07"
NEW_TITLE = "Principal Engineer"
CONTENDERS = ("sdk", "hopsync")
HTTPS_CHECK_ENV = "OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"


@dataclass
class Tally:
    """What one contender's client saw: successes, failures by kind, and its own counters."""

    ok: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    client_429s: int | None = None  # hopsync only: the SDK does not count them
    client_retries: int | None = None
    limiter_waits: dict[str, int] | None = None
    timed_out: bool = False

    def fail(self, kind: str) -> None:
        """Count one update that ended in an error of ``kind``."""
        self.failures[kind] += 1


def spaced(header: str) -> str | None:
    """``header`` with the space put back after its scheme ("SSWSabc" -> "SSWS abc"), or None."""
    for scheme in ("SSWS", "Bearer"):
        rest = header.removeprefix(scheme)
        if rest != header and rest and not rest.startswith(" "):
            return f"{scheme} {rest}"
    return None


@dataclass
class AuthShim:
    """Puts back the space the SDK leaves out of "SSWS <token>", and counts the fixes.

    okta 3.x builds the header as authorization_mode + token ("SSWS" + token, no space:
    okta/configuration.py auth_settings), which the fake refuses with a 401 (Okta itself
    presumably accepts it, or no SSWS user of the SDK could work). The shim runs in front of the
    fake for both contenders; hopsync's headers pass untouched.
    """

    fixed: int = 0
    sdk_retries_sent: int = 0  # requests carrying the SDK's X-Okta-Retry-Count header

    def middleware(self) -> Middleware:
        """An aiohttp middleware applying the fix."""

        @web.middleware
        async def shim(request: web.Request, handler: Handler) -> web.StreamResponse:
            if "X-Okta-Retry-Count" in request.headers:
                self.sdk_retries_sent += 1
            fixed = spaced(request.headers.get("Authorization", ""))
            if fixed is not None:
                headers = request.headers.copy()
                headers["Authorization"] = fixed
                request = request.clone(headers=headers)
                self.fixed += 1
            return await handler(request)

        return shim


def seed(state: FakeOkta, people: int) -> list[str]:
    """N active users titled "Engineer"; their ids in creation order."""
    ids = []
    for n in range(people):
        login = f"peer{n:05d}@peer-bench.example"
        profile = {
            "login": login,
            "email": login,
            "firstName": f"Peer{n}",
            "lastName": "Bench",
            "title": "Engineer",
        }
        ids.append(state.add_user(profile).id)
    return ids


def fake_okta(args: argparse.Namespace) -> FakeOkta:
    """A fresh fake Okta: ``args.limit`` user updates per ``args.window``, ``args.latency``."""
    limits = {**DEFAULT_LIMITS, USER_UPDATE: args.limit}
    state = FakeOkta(FakeOktaSettings(token=TOKEN, window_s=args.window, limits=limits))
    state.set_latency(args.latency)
    return state


async def wait_for_window_start(window_s: float) -> None:
    """Sleep until just after the next rate-limit window starts (windows start at multiples)."""
    now = time.time()
    await asyncio.sleep(math.floor(now / window_s) * window_s + window_s - now + 0.02)


@contextmanager
def https_check_disabled() -> Iterator[None]:
    """Let the SDK accept an http:// orgUrl while a Client is built.

    Client(user_config) nests every key under "client", so {"testing": {...}} in user_config does
    not reach the check; the env variable (or an okta.yaml) is the only way. Any non-empty value
    counts as true, "false" included.
    """
    previous = os.environ.get(HTTPS_CHECK_ENV)
    os.environ[HTTPS_CHECK_ENV] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(HTTPS_CHECK_ENV, None)
        else:
            os.environ[HTTPS_CHECK_ENV] = previous


def sdk_client(url: str, max_retries: int) -> Any:
    """The official SDK's client for the fake at ``url`` (SSWS token, its own 429 retries)."""
    config = {"orgUrl": url, "token": TOKEN, "rateLimit": {"maxRetries": max_retries}}
    with https_check_disabled():
        return SdkClient(config)


async def bounded(
    ids: list[str], concurrency: int, update: Callable[[str], Awaitable[None]], timeout_s: float
) -> bool:
    """Run ``update`` for every id, ``concurrency`` at a time; False when ``timeout_s`` passed."""
    gate = asyncio.Semaphore(concurrency)

    async def one(user_id: str) -> None:
        async with gate:
            await update(user_id)

    try:
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in ids)), timeout_s)
    except TimeoutError:
        return False
    return True


async def run_sdk(url: str, ids: list[str], args: argparse.Namespace, tally: Tally) -> float:
    """Send the updates with the official SDK; the wall time in seconds."""
    client = sdk_client(url, args.max_retries)
    body = UpdateUserRequest(profile=UserProfile(title=NEW_TITLE))

    async def update(user_id: str) -> None:
        try:
            _, _, error = await client.update_user(user_id, body)
        except Exception as error:  # the SDK raises on some failures (e.g. no answer)
            tally.fail(type(error).__name__)
            return
        if error is None:
            tally.ok += 1
        else:
            tally.fail(f"{type(error).__name__}:{getattr(error, 'status', '?')}")

    async with client:
        await wait_for_window_start(args.window)
        started = time.perf_counter()
        tally.timed_out = not await bounded(ids, args.concurrency, update, args.timeout)
        return time.perf_counter() - started


async def run_hopsync(url: str, ids: list[str], args: argparse.Namespace, tally: Tally) -> float:
    """Send the updates with hopsync's OktaClient and fleet limiter; the wall time in seconds."""
    limiter_redis = aioredis.Redis.from_url(args.redis_url)
    policy = Policy(share=args.share, max_in_flight=args.concurrency)
    limiter = RedisRateLimiter(limiter_redis, policy=policy)
    settings = OktaClientSettings(
        base_url=url,
        token=SecretStr(TOKEN),
        rate_limit=policy,
        max_retries=args.max_retries,
    )

    async def update(user_id: str) -> None:
        try:
            await client.update_profile(user_id, {"title": NEW_TITLE})
        except Exception as error:
            tally.fail(f"{type(error).__name__}:{getattr(error, 'status', '?')}")
            return
        tally.ok += 1

    try:
        async with aiohttp.ClientSession() as session:
            client = OktaClient(settings, session, limiter)
            await wait_for_window_start(args.window)
            started = time.perf_counter()
            tally.timed_out = not await bounded(ids, args.concurrency, update, args.timeout)
            wall = time.perf_counter() - started
    finally:
        await limiter_redis.aclose()
    tally.client_429s = client.counters.rate_limited_total
    tally.client_retries = client.counters.retries_total
    tally.limiter_waits = dict(limiter.stats.waits)
    return wall


RUNNERS = {"sdk": run_sdk, "hopsync": run_hopsync}


def contend(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """One contender against its own fresh fake Okta: its figures."""
    state = fake_okta(args)
    ids = seed(state, args.people)
    shim = AuthShim()
    tally = Tally()
    with BackgroundServer(create_app(state, middlewares=[shim.middleware()])) as server:
        state.reset_counters()
        wall = asyncio.run(RUNNERS[name](server.url, ids, args, tally))
    counters = state.counters()
    windows = counters.window_counts.get(USER_UPDATE, Counter())
    applied = sum(1 for user in state.users() if user.profile.get("title") == NEW_TITLE)
    statuses = {str(s): n for (b, s), n in sorted(counters.statuses.items()) if b == USER_UPDATE}
    floor = args.people / args.limit * args.window
    return {
        "wall_s": round(wall, 2),
        "updates_per_s": round(applied / wall, 2) if wall else None,
        "updates_ok": tally.ok,
        "updates_failed": sum(tally.failures.values()),
        "failures": dict(tally.failures),
        "updates_lost": args.people - applied,
        "timed_out": tally.timed_out,
        "requests": sum(counters.calls.values()),
        "statuses": statuses,
        "rate_limited_429s": sum(counters.rate_limited.values()),
        "rate_limited_by_kind": dict(counters.rate_limited),
        "client_429s": tally.client_429s,
        "client_retries": tally.client_retries,
        "limiter_waits": tally.limiter_waits,
        "sdk_retries_sent": shim.sdk_retries_sent,
        "auth_headers_fixed": shim.fixed,
        "max_in_flight_at_okta": counters.max_in_flight,
        "max_updates_in_a_window": max(windows.values(), default=0),
        "windows_used": len(windows),
        "floor_s": round(floor, 2),
        "wall_over_floor": round(wall / floor, 3),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every contender in turn, then the figures of the run."""
    reachable_redis(args.redis_url).flushdb()
    if args.timeout is None:
        args.timeout = 3 * args.people / args.limit * args.window + 30
    results = {name: contend(name, args) for name in args.contenders}
    return {
        "people": args.people,
        "concurrency": args.concurrency,
        "window_s": args.window,
        "limit": args.limit,
        "latency_s": args.latency,
        "share": args.share,
        "max_retries": args.max_retries,
        "timeout_s": round(args.timeout, 1),
        "ideal_windows": math.ceil(args.people / args.limit),
        "okta_sdk_version": okta_sdk.__version__,
        **results,
        "load_average": round(os.getloadavg()[0], 2),
    }


def table(figures: dict[str, Any]) -> str:
    """The contenders' figures side by side, then the run's settings."""
    names = [name for name in CONTENDERS if name in figures]
    rows = list(dict.fromkeys(key for name in names for key in figures[name]))
    lines = [f"{'':>24}  " + "  ".join(f"{name:>24}" for name in names)]
    for row in rows:
        cells = [json.dumps(figures[name].get(row)) for name in names]
        lines.append(f"{row:>24}  " + "  ".join(f"{cell:>24}" for cell in cells))
    lines.append("")
    for key, value in figures.items():
        if key not in names:
            lines.append(f"{key:>24}  {value}")
    return "\n".join(lines)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=whole(1), default=1000, help="users, one update each")
    parser.add_argument("--concurrency", type=whole(1), default=10, help="updates in flight")
    parser.add_argument("--window", type=POSITIVE, default=5.0, help="fake Okta window (s)")
    parser.add_argument("--limit", type=whole(1), default=100, help="user updates per window")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="fake Okta's time to serve an update (s)"
    )
    parser.add_argument("--share", type=SHARE, default=1.0, help="hopsync's rate_limit_share")
    parser.add_argument(
        "--max-retries", type=int, default=5, help="SDK rateLimit.maxRetries and hopsync's"
    )
    parser.add_argument(
        "--timeout", type=POSITIVE, help="per contender (s; default 3 x floor + 30)"
    )
    parser.add_argument(
        "--contenders", type=lambda s: s.split(","), default=list(CONTENDERS), help="sdk,hopsync"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    unknown = set(args.contenders) - set(CONTENDERS)
    if unknown:
        parser.error(f"unknown contenders {sorted(unknown)}; choose from {','.join(CONTENDERS)}")
    return args


def main() -> None:
    """Run the benchmark and print its figures."""
    exit_on_sigterm()
    args = parse()
    configure_logging([TOKEN], level="WARNING")
    figures = run(args)
    if not args.json:
        print(table(figures))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
