"""Test connection: Redis, the Okta token, the ChartHop token and the managed groups, each reported.

The checks `hopsync check` runs online belong to the guardrails work (issue 14); until its check
API is on main, the console runs these, which use the same clients the workers use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis

from config.loader import LoadedConfig
from shared.clients import Clients, api_clients
from shared.errors import HopsyncError

TIMEOUT_S = 15.0


@dataclass(frozen=True)
class CheckResult:
    """One check: what was checked, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str


async def run_checks(loaded: LoadedConfig, client: redis.Redis) -> list[CheckResult]:
    """Every connection check, in order; a failing one does not stop the others."""
    results = [_redis(client)]
    try:
        async with api_clients(loaded) as clients:
            for name, check in _API_CHECKS:
                results.append(await _timed(name, check(clients, loaded)))
    except HopsyncError as error:
        results.append(CheckResult("API clients", False, str(error)))
    return results


def _redis(client: redis.Redis) -> CheckResult:
    try:
        client.ping()
    except redis.RedisError as error:
        return CheckResult("Redis", False, f"does not answer: {error}")
    return CheckResult("Redis", True, "answers")


async def _timed(name: str, check: Awaitable[str]) -> CheckResult:
    try:
        return CheckResult(name, True, await asyncio.wait_for(check, TIMEOUT_S))
    except TimeoutError:
        return CheckResult(name, False, f"no answer within {TIMEOUT_S:.0f} s")
    except HopsyncError as error:
        return CheckResult(name, False, str(error))


async def _okta(clients: Clients, loaded: LoadedConfig) -> str:
    found = 0
    async for _ in clients.okta.list_groups():
        found += 1
        break
    return f"{loaded.config.okta.url} accepts the token (groups readable)"


async def _charthop(clients: Clients, loaded: LoadedConfig) -> str:
    count = await clients.charthop.count_people()
    return f"org {loaded.config.charthop.org} readable: {count} people"


async def _groups(clients: Clients, loaded: LoadedConfig) -> str:
    missing = [
        group.name
        for group in loaded.config.groups
        if await clients.okta.find_group_by_name(group.name) is None
    ]
    if missing:
        return f"not in Okta yet (the next run creates them): {', '.join(missing)}"
    return f"all {len(loaded.config.groups)} managed group(s) exist in Okta"


_API_CHECKS: list[tuple[str, Callable[[Clients, LoadedConfig], Awaitable[str]]]] = [
    ("Okta token", _okta),
    ("ChartHop token", _charthop),
    ("Managed groups", _groups),
]
