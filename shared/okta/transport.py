"""One Okta request with authentication, rate limiting, counters and bounded retries.

The caller owns the aiohttp session. The API token goes into the Authorization header only;
every message built here passes through ``redact`` so that it can never leak into an error or log.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import structlog
import yarl

from shared import json_codec
from shared.errors import ApiError, HopsyncError, OktaError, TransportError
from shared.okta.buckets import bucket_for
from shared.okta.clock import OktaClock
from shared.okta.counters import NO_ANSWER, OktaCounters
from shared.okta.error_map import error_from_response
from shared.okta.headers import RateLimitReading, read_rate_limit, server_date
from shared.okta.models import OktaClientSettings
from shared.okta.ratelimit import RateLimiter
from shared.okta.retry import RetryPolicy, RetryReason, rate_limit_kind, retry_pause

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
_NO_BODY_METHODS = frozenset({"POST", "PUT"})


@dataclass(frozen=True)
class Answer:
    """An HTTP answer from Okta: status, body bytes, headers and the rate-limit reading."""

    status: int
    body: bytes
    headers: Mapping[str, str]
    links: tuple[str, ...]
    reading: RateLimitReading | None

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json_codec.loads(self.body) if self.body else None


@dataclass(frozen=True)
class _Try:
    """What one try got: an answer, or the transport failure that prevented one."""

    answer: Answer | None
    failure: BaseException | None = None


def _retry_reason(attempt: _Try, idempotent: bool) -> RetryReason | None:
    """Why a failed try is worth another, or None when its failure is final."""
    if attempt.answer is None:
        return "transport" if idempotent else None
    status = attempt.answer.status
    if status == 429:
        return rate_limit_kind(attempt.answer.reading)
    if status >= 500:
        return "server" if idempotent else None
    return None


class OktaTransport:
    """Sends requests to one Okta org; retries 429s, 5xx and network errors within bounds."""

    def __init__(
        self,
        settings: OktaClientSettings,
        session: aiohttp.ClientSession,
        limiter: RateLimiter,
        *,
        clock: OktaClock | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.counters = OktaCounters()
        self.clock = clock or OktaClock()
        self.limiter = limiter
        self.policy = RetryPolicy(
            settings.max_retries,
            settings.backoff_base_s,
            settings.backoff_max_s,
            settings.max_reset_wait_s,
        )
        self.root = yarl.URL(settings.root)
        self._session = session
        self._sleep = sleep
        self._rand = rand
        self._secret = settings.token.get_secret_value()
        self._auth = f"{settings.auth_scheme} {self._secret}"
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout_s)

    def __repr__(self) -> str:
        return f"OktaTransport(base_url={self.settings.root!r})"

    def redact(self, text: str) -> str:
        """``text`` with the API token blanked out."""
        return text.replace(self._secret, "***") if self._secret else text

    def url(self, path: str, query: Mapping[str, str] | None = None) -> yarl.URL:
        """An absolute URL for an already-encoded ``path`` under the org's root."""
        url = yarl.URL(self.settings.root + path, encoded=True)
        return url.update_query(dict(query)) if query else url

    def follow(self, link: str) -> yarl.URL:
        """A Link header's URL, kept exactly; refused when it points away from the org."""
        url = yarl.URL(link, encoded=True)
        if url.origin() != self.root.origin():
            raise ApiError(
                f"Okta sent a next link to {url.origin()} while talking to {self.root.origin()};"
                " refusing to send the API token there. Check okta.base_url",
                method="GET",
                url=str(url),
            )
        return url

    async def request(
        self, method: str, url: yarl.URL, body: Any = None, *, idempotent: bool = True
    ) -> Answer:
        """The successful (< 400) answer of a request; raises OktaError or TransportError.

        ``idempotent`` False stops retries after a 5xx or a lost answer, whose effect on Okta is
        unknown; 429s are retried either way since Okta applied nothing.
        """
        bucket = bucket_for(method, url.raw_path)
        attempt = 0
        while True:
            outcome = await self._try(method, url, bucket, body)
            answer = outcome.answer
            if answer is not None and answer.status < 400:
                return answer
            reason = _retry_reason(outcome, idempotent)
            if reason is None or attempt >= self.policy.max_retries:
                raise self._error(method, url, outcome, attempt)
            reading = answer.reading if answer is not None else None
            pause = retry_pause(reason, attempt, reading, self.clock, self.policy, self._rand)
            self.counters.record_retry(reason, pause)
            log.info(
                "okta_retry",
                method=method,
                url=str(url),
                bucket=bucket,
                reason=reason,
                attempt=attempt + 1,
                pause_s=round(pause, 3),
            )
            await self._sleep(pause)
            attempt += 1

    async def _try(self, method: str, url: yarl.URL, bucket: str, body: Any) -> _Try:
        async with self.limiter.slot(bucket, self.clock) as slot:
            sent_at = self.clock.local()
            try:
                answer = await self._send(method, url, body)
            except (aiohttp.ClientError, TimeoutError) as error:
                self.counters.record(bucket, NO_ANSWER)
                return _Try(None, error)
            self.clock.observe(server_date(answer.headers), sent_at, self.clock.local())
            slot.record(answer.reading)
        self.counters.record(bucket, answer.status)
        if answer.status == 429:
            self.counters.rate_limited[rate_limit_kind(answer.reading)] += 1
        return _Try(answer)

    async def _send(self, method: str, url: yarl.URL, body: Any) -> Answer:
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif method in _NO_BODY_METHODS:
            data = b""  # Okta wants Content-Length: 0 on a POST or PUT without a body
        async with self._session.request(
            method, url, data=data, headers=headers, timeout=self._timeout, allow_redirects=False
        ) as response:
            payload = await response.read()
            return Answer(
                status=response.status,
                body=payload,
                headers=response.headers,
                links=tuple(response.headers.getall("Link", ())),
                reading=read_rate_limit(response.headers),
            )

    def _error(self, method: str, url: yarl.URL, outcome: _Try, retries: int) -> HopsyncError:
        if outcome.answer is None:
            failure = outcome.failure
            detail = self.redact(f"{type(failure).__name__}: {failure}")
            return TransportError(
                f"Okta {method} {url} got no answer after {retries + 1} tries ({detail});"
                f" check that {self.settings.root} is reachable and timeout_s"
                f" ({self.settings.timeout_s}s) suits it",
                method=method,
                url=str(url),
            )
        answer = outcome.answer
        body = self.redact(answer.body.decode("utf-8", "replace"))
        error: OktaError = error_from_response(answer.status, body, method, str(url))
        return error
