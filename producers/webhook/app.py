"""The webhook receiver's HTTP face: ``POST /webhooks/charthop``, ``/healthz`` and ``/readyz``.

A request is answered 2xx only once its entry is in Redis (or it was a duplicate, ignored or live
sync is off); with Redis down it is answered 503 so that the sender retries. Client garbage gets
a 4xx JSON error, never a 5xx. No admin action is reachable through this server.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import redis.asyncio as aioredis
import structlog
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import SecretStr
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from config.loader import LoadedConfig
from config.settings import HopsyncConfig
from producers.webhook.auth import (
    SIGNATURE_HEADER,
    TOKEN_PARAM,
    credential_problem,
    signature_problem,
)
from producers.webhook.burst import BurstMeter
from producers.webhook.events import Accepted, Ignored, read_event
from producers.webhook.intake import SEEN_TTL_S, Intake
from shared.errors import ConfigError
from shared.infra.active_config import watch_active
from shared.infra.metrics import metrics

log = structlog.get_logger(__name__)

WEBHOOK_PATH: Final = "/webhooks/charthop"
MAX_BODY_BYTES: Final = 1024 * 1024
RETRY_AFTER_S: Final = "5"
REDIS_POOL_SIZE: Final = 16  # connections to Redis; one event needs one for about a millisecond
# How long a request waits for a free connection before its 503: longer than the stalls a loaded
# host shows (1.5 s still refused a few events at 500/s on a busy 2-core bench machine), far
# shorter than a sender's timeout. Redis being away is answered sooner: its connects fail fast.
REDIS_POOL_WAIT_S: Final = 3.0

Clock = Callable[[], float]
CleanupContext = Callable[[web.Application], AsyncIterator[None]]


@dataclass(frozen=True)
class WebhookOptions:
    """What the receiver needs from the configuration (the secret stays a SecretStr)."""

    secret: SecretStr
    live_sync: bool
    coalesce_s: float
    seen_ttl_s: int = SEEN_TTL_S
    max_body_bytes: int = MAX_BODY_BYTES

    @classmethod
    def from_config(cls, loaded: LoadedConfig) -> WebhookOptions:
        """Options from a loaded configuration; ConfigError when no webhook secret is set."""
        secret = loaded.secrets.webhook_secret
        if secret is None:
            raise ConfigError(
                [("env.HOPSYNC_WEBHOOK_SECRET", "is not set; the webhook receiver requires it")],
                source=loaded.path,
            )
        settings = loaded.config.settings
        return cls(
            secret=secret, live_sync=settings.live_sync, coalesce_s=settings.live_coalesce_seconds
        )


@dataclass
class Receiver:
    """Handles the webhook's requests; ``options`` follow the active configuration version."""

    options: WebhookOptions
    intake: Intake
    clock: Clock
    meter: BurstMeter = field(default_factory=lambda: BurstMeter(1.0))

    async def receive(self, request: web.Request) -> web.Response:
        """Authenticate, validate and queue one event."""
        limit = self.options.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return _too_large(limit)
        secret = self.options.secret.get_secret_value()
        headers = request.headers
        problem = credential_problem(secret, headers.get("Authorization"), _token(request))
        if problem is not None:
            return _unauthorized(request, problem)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _too_large(limit)
        problem = signature_problem(secret, headers.get(SIGNATURE_HEADER), body)
        if problem is not None:
            return _unauthorized(request, problem)
        return await self._queue(body)

    async def _queue(self, body: bytes) -> web.Response:
        result = read_event(body)
        if isinstance(result, Ignored):
            log.info("webhook event ignored", code=result.code)
            return web.json_response({"status": "ignored", "code": result.code}, status=202)
        if not isinstance(result, Accepted):
            log.info("webhook event rejected", error=result.error)
            return json_error(400, result.error, result.detail)
        fields = {"event_id": result.event_id, "code": result.code, "target": result.target.member}
        if not self.options.live_sync:
            log.info("webhook event dropped: settings.live_sync is off", **fields)
            return web.json_response(
                {"status": "dropped", "reason": "live sync is off"}, status=202
            )
        now = self.clock()
        self.meter.base_s = self.options.coalesce_s  # follows the active version
        window = self.meter.observe(now)
        due = window.due
        try:
            new = await self.intake.accept(
                result.target,
                due,
                result.event_id,
                now=now,
                extend=window.extend,
                cap_s=window.cap_s,
                hold_until=window.hold_until,
            )
        except (RedisError, OSError) as exc:
            log.error("webhook event not queued: Redis unavailable", error=str(exc), **fields)
            return _redis_down(exc)
        if not new:
            log.info("webhook event duplicate", **fields)
            return web.json_response({"status": "duplicate"}, status=200)
        log.info("webhook event queued", due=round(due, 3), **fields)
        return web.json_response({"status": "queued", "target": result.target.member}, status=202)

    async def healthz(self, request: web.Request) -> web.Response:
        """Liveness: the process answers."""
        return web.json_response({"status": "ok"})

    async def readyz(self, request: web.Request) -> web.Response:
        """Readiness: Redis answers PING."""
        try:
            await self.intake.ready()
        except (RedisError, OSError) as exc:
            return _redis_down(exc)
        return web.json_response({"status": "ready"})


def create_app(
    loaded: LoadedConfig,
    *,
    redis_client: aioredis.Redis | None = None,
    clock: Clock = time.time,
    background: Sequence[CleanupContext] = (),
) -> web.Application:
    """The receiver's app on the configured Redis (or ``redis_client``, which the caller closes).

    ``background`` contexts run for the app's lifetime (``hopsync webhook`` runs the flusher so).
    Raises ConfigError when HOPSYNC_WEBHOOK_SECRET is not set.
    """
    options = WebhookOptions.from_config(loaded)
    client = redis_client or open_redis(loaded.secrets.redis_url)
    receiver = Receiver(options, Intake(client, seen_ttl_s=options.seen_ttl_s), clock)
    app = web.Application(
        middlewares=[count_requests, json_errors], client_max_size=options.max_body_bytes
    )
    app.router.add_post(WEBHOOK_PATH, receiver.receive)
    app.router.add_get("/healthz", receiver.healthz)
    app.router.add_get("/readyz", receiver.readyz)
    if loaded.version is not None:
        app.cleanup_ctx.append(_following(receiver, client, loaded.version))
    app.cleanup_ctx.extend(background)
    if redis_client is None:

        async def close_redis(app: web.Application) -> None:
            await client.aclose()

        app.on_cleanup.append(close_redis)
    return app


def _following(receiver: Receiver, client: aioredis.Redis, version: int) -> CleanupContext:
    """Keep the receiver's live_sync and coalescing as the active version says (within seconds)."""

    def on_change(number: int, config: HopsyncConfig) -> None:
        settings = config.settings
        receiver.options = replace(
            receiver.options,
            live_sync=settings.live_sync,
            coalesce_s=settings.live_coalesce_seconds,
        )

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(watch_active(client, version, on_change))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


def open_redis(url: str) -> aioredis.Redis:
    """An async Redis client that gives up within seconds, so senders get a 503 and retry.

    Its pool holds at most REDIS_POOL_SIZE connections and a request waits up to
    REDIS_POOL_WAIT_S for a free one: a stall of the process then queues requests for a moment
    instead of opening connection after connection until redis-py refuses ("Too many
    connections") and every sender is answered 503.
    """
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=REDIS_POOL_SIZE,
        timeout=REDIS_POOL_WAIT_S,
        socket_connect_timeout=1,
        socket_timeout=2,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=2),
    )
    return aioredis.Redis.from_pool(pool)


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every answer by status for Prometheus (hopsync_webhook_requests_total)."""
    response = await handler(request)
    metrics().webhook_requests.labels(status=str(response.status)).inc()
    return response


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer routing errors (404, 405) and anything unexpected with a JSON error body."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        detail = f"{request.method} {request.path} is not served here; POST {WEBHOOK_PATH}"
        return json_error(exc.status, exc.reason.lower(), detail, headers=allow)
    except Exception:
        log.exception("webhook request failed", method=request.method, path=request.path)
        return json_error(500, "internal error", "see the receiver's log")
    return response


def json_error(
    status: int, error: str, detail: Any = None, *, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON error answer: ``{"error": ..., "detail": ...}``."""
    return web.json_response({"error": error, "detail": detail}, status=status, headers=headers)


def _token(request: web.Request) -> str | None:
    return request.query.get(TOKEN_PARAM)


def _too_large(limit: int) -> web.Response:
    return json_error(413, "body too large", f"events are at most {limit} bytes")


def _unauthorized(request: web.Request, problem: str) -> web.Response:
    log.warning("webhook refused", reason=problem, remote=request.remote)
    return json_error(401, "unauthorized", problem, headers={"WWW-Authenticate": "Bearer"})


def _redis_down(exc: BaseException) -> web.Response:
    return json_error(
        503,
        "redis unavailable",
        f"the event was not stored ({type(exc).__name__}); retry later",
        headers={"Retry-After": RETRY_AFTER_S},
    )
