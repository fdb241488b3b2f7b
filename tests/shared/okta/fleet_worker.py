"""One worker process of the fleet test: profile updates through the shared Redis rate limiter.

Reads a JSON job from the file named by its argument ({name, okta, redis, token, user_ids,
share, max_in_flight, tasks}) and prints a JSON summary of its client's counters on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from shared.okta import OktaClient, OktaClientSettings, Policy, RedisRateLimiter


async def run(job: dict[str, Any]) -> dict[str, Any]:
    """Update every user of the job with ``tasks`` concurrent tasks; the counters."""
    policy = Policy(share=job["share"], max_in_flight=job["max_in_flight"])
    settings = OktaClientSettings(
        base_url=job["okta"],
        token=job["token"],
        rate_limit=policy,
    )
    redis = aioredis.Redis.from_url(job["redis"])
    limiter = RedisRateLimiter(redis, policy=policy)
    queue: asyncio.Queue[str] = asyncio.Queue()
    for user_id in job["user_ids"]:
        queue.put_nowait(user_id)
    try:
        async with aiohttp.ClientSession() as session:
            client = OktaClient(settings, session, limiter)

            async def drain() -> None:
                while not queue.empty():
                    user_id = queue.get_nowait()
                    await client.update_profile(user_id, {"title": f"Updated by {job['name']}"})

            await asyncio.gather(*(drain() for _ in range(job["tasks"])))
    finally:
        await limiter.drain()
        await redis.aclose()
    return {
        "name": job["name"],
        "client": client.counters.snapshot(),
        "limiter_waits": dict(limiter.stats.waits),
        "limiter_admitted": limiter.stats.admitted,
        "skew_bounds": client.transport.clock.skew_bounds,
    }


def main() -> None:
    """Run the job read from the file named on the command line; print the summary."""
    job = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(asyncio.run(run(job))), flush=True)


if __name__ == "__main__":
    main()
