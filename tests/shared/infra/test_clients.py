"""A process's API clients are built from the configuration, with one rate-limit policy."""

from __future__ import annotations

import asyncio

import fakeredis
from pydantic import SecretStr

from config import parse_config
from config.loader import LoadedConfig, Secrets
from shared.infra.clients import open_clients
from shared.okta import Policy, RedisRateLimiter
from tests.shared.factories import BASE_CONFIG


def loaded_with(**okta: object) -> LoadedConfig:
    config = parse_config({**BASE_CONFIG, "okta": {"domain": "acme.okta.com", **okta}})
    secrets = Secrets(
        okta_api_token=SecretStr("okta-token"),
        charthop_api_token=SecretStr("charthop-token"),
        redis_url="redis://127.0.0.1:1/0",
    )
    return LoadedConfig(config=config, secrets=secrets, path="hopsync.yaml")


def policies(loaded: LoadedConfig) -> tuple[Policy, Policy]:
    async def main() -> tuple[Policy, Policy]:
        clients = await open_clients(loaded, fakeredis.FakeAsyncRedis())
        try:
            limiter = clients.okta.limiter
            assert isinstance(limiter, RedisRateLimiter)
            return clients.okta.settings.rate_limit, limiter.policy
        finally:
            await clients.close()

    return asyncio.run(main())


def test_the_client_and_the_fleet_limiter_use_the_configured_share_and_cap() -> None:
    client_policy, limiter_policy = policies(loaded_with(rate_limit_share=0.3, max_in_flight=7))
    assert client_policy == limiter_policy == Policy(share=0.3, max_in_flight=7)


def test_an_unset_share_is_the_one_default_everywhere() -> None:
    client_policy, limiter_policy = policies(loaded_with())
    assert client_policy == limiter_policy == Policy()
    assert Policy().share == 0.5
