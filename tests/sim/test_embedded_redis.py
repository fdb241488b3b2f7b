"""The embedded Redis serves one fake server over TCP, for the demo and for tests without Redis."""

from __future__ import annotations

import fakeredis
import pytest
import redis

from sim import embedded_redis


def test_a_client_over_tcp_sees_what_an_in_process_client_wrote() -> None:
    server = fakeredis.FakeServer()
    fakeredis.FakeRedis(server=server).set("written", "in process")
    with embedded_redis.serving(server) as url:
        client = redis.Redis.from_url(url)
        assert client.get("written") == b"in process"
        client.close()


def test_the_listener_stops_when_the_block_ends() -> None:
    with embedded_redis.serving() as url:
        redis.Redis.from_url(url).ping()
    stopped = redis.Redis.from_url(url, socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        stopped.ping()
