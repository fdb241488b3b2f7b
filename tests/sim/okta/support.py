"""Helpers of the fake Okta tests: raw HTTP calls to a running fake."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import yarl
from multidict import CIMultiDictProxy

from sim.okta import FakeOkta
from sim.server import BackgroundServer

TOKEN = "fake-test-token"


@dataclass(frozen=True)
class Reply:
    """What the fake answered."""

    status: int
    headers: CIMultiDictProxy[str]
    body: Any

    @property
    def error_code(self) -> str:
        """The errorCode of an error body ("" otherwise)."""
        return str(self.body.get("errorCode", "")) if isinstance(self.body, dict) else ""

    @property
    def next_url(self) -> str | None:
        """The rel="next" URL of the Link headers."""
        for link in self.headers.getall("Link", []):
            if link.endswith('rel="next"'):
                return link[1 : link.index(">")]
        return None


@dataclass(frozen=True)
class Call:
    """One request to send."""

    method: str
    path: str
    body: Any = None
    raw: bytes | None = None
    token: str | None = TOKEN
    scheme: str = "SSWS"


def fake(**overrides: Any) -> FakeOkta:
    """A fake Okta accepting TOKEN."""
    return FakeOkta(token=TOKEN, **overrides)


async def _send(session: aiohttp.ClientSession, base: str, call: Call) -> Reply:
    headers = {"Accept": "application/json"}
    if call.token is not None:
        headers["Authorization"] = f"{call.scheme} {call.token}"
    data = call.raw
    if call.body is not None:
        data = json.dumps(call.body).encode()
        headers["Content-Type"] = "application/json"
    elif data is None and call.method in ("POST", "PUT"):
        data = b""
    url = call.path if call.path.startswith("http") else base + call.path
    async with session.request(
        call.method, yarl.URL(url, encoded=True), data=data, headers=headers
    ) as response:
        text = await response.read()
        body = json.loads(text) if text else None
        return Reply(response.status, response.headers, body)


def send_all(server: BackgroundServer, calls: Sequence[Call]) -> list[Reply]:
    """Send ``calls`` concurrently; the replies in the same order."""

    async def run() -> list[Reply]:
        async with aiohttp.ClientSession() as session:
            return list(await asyncio.gather(*(_send(session, server.url, c) for c in calls)))

    return asyncio.run(run())


def call(
    server: BackgroundServer, method: str, path: str, body: Any = None, **options: Any
) -> Reply:
    """Send one request and return the reply."""
    return send_all(server, [Call(method, path, body, **options)])[0]


def user_profile(name: str, **extra: Any) -> dict[str, Any]:
    """A valid profile for login ``name@example.com``."""
    return {"login": f"{name}@example.com", "email": f"{name}@example.com", **extra}
