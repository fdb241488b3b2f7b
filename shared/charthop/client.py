"""Async ChartHop client: people listed with cursor paging, one person, counts; with retries."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import structlog
from pydantic import ValidationError

from shared import json_codec
from shared.charthop.counters import NO_ANSWER, ChartHopCounters
from shared.charthop.models import FieldPage, PersonCount, PersonPage
from shared.charthop.retry import BUILDING, TOO_MANY, backoff_delay, is_retryable, parse_retry_after
from shared.charthop.settings import ChartHopSettings
from shared.errors import ApiError, ChartHopError, TransportError
from shared.records import nest, nested

log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]
_DETAIL_LIMIT = 300


@dataclass(frozen=True)
class _Answer:
    """What one try got: a status (NO_ANSWER when none), the JSON on success, else a detail."""

    status: int
    body: Any = None
    detail: str = ""
    retry_after: str | None = None


class ChartHopClient:
    """Reads people from ChartHop's v2 API over a caller-owned aiohttp session.

    Answers 202 (snapshot building), 429 and 5xx, and network errors, are retried with capped
    exponential backoff and jitter (Retry-After wins when ChartHop sends it); after
    ``settings.max_retries`` retries the call raises ChartHopError or TransportError.
    """

    def __init__(
        self,
        settings: ChartHopSettings,
        session: aiohttp.ClientSession,
        *,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self.counters = ChartHopCounters()
        self._session = session
        self._sleep = sleep
        self._rand = rand
        self._secret = settings.token.get_secret_value()
        self._headers = {"Authorization": f"Bearer {self._secret}", "Accept": "application/json"}
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout_s)
        self._org_path = f"/v2/org/{quote(settings.org, safe='')}"

    def __repr__(self) -> str:
        return f"ChartHopClient(base_url={self.settings.root!r}, org={self.settings.org!r})"

    async def list_people(
        self,
        q: str | None = None,
        fields: Sequence[str] | None = None,
        *,
        limit: int | None = None,
        include_all: bool = False,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every person matching ``q`` (a Carrot filter ChartHop applies), as nested records.

        ``fields`` narrows the columns ChartHop returns; ``limit`` caps the people returned;
        ``include_all`` adds former employees and people never in a job.
        """
        async for page in self.list_people_pages(q, fields, limit=limit, include_all=include_all):
            for person in page:
                yield person

    async def list_people_pages(
        self,
        q: str | None = None,
        fields: Sequence[str] | None = None,
        *,
        limit: int | None = None,
        include_all: bool = False,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Like ``list_people`` but one list per page fetched (empty pages are skipped)."""
        remaining = limit
        cursor: str | None = None
        path = f"{self._org_path}/person"
        while remaining is None or remaining > 0:
            size = self.settings.page_size
            if remaining is not None:
                size = min(size, remaining)
            params = _list_params(q, fields, include_all=include_all, limit=size, cursor=cursor)
            page = self._page(await self._request("list", path, params), path)
            rows = [nested(row) for row in page.data[:remaining]]  # parsed here: ours
            self.counters.pages += 1
            self.counters.people += len(rows)
            if remaining is not None:
                remaining -= len(rows)
            if rows:
                yield rows
            if not page.next:
                return
            if page.next == cursor:
                raise ChartHopError(
                    f"ChartHop GET {path} returned the same paging cursor twice; the listing would"
                    " never end: report this to ChartHop and retry later",
                    method="GET",
                    url=self.settings.root + path,
                )
            cursor = page.next

    async def get_person(
        self, person_id: str, fields: Sequence[str] | None = None
    ) -> dict[str, Any] | None:
        """One person as a nested record, or None when ChartHop answers 404."""
        path = f"{self._org_path}/person/{quote(person_id, safe='')}"
        params = {"fields": ",".join(fields)} if fields else {}
        body = await self._request("get", path, params, missing_ok=True)
        if body is None:
            return None
        if not isinstance(body, Mapping):
            raise self._malformed(path, "a person object", body)
        return nest(body)

    async def count_people(self, q: str | None = None, *, include_all: bool = False) -> int:
        """How many people match ``q``."""
        path = f"{self._org_path}/person/count"
        params = _list_params(q, None, include_all=include_all, limit=None, cursor=None)
        body = await self._request("count", path, params)
        if isinstance(body, int) and not isinstance(body, bool):
            return body
        try:
            return PersonCount.model_validate(body).count
        except ValidationError:
            raise self._malformed(path, 'a count ({"count": n})', body) from None

    async def list_fields(self, builtin: str = "all") -> list[str]:
        """The code names of the org's fields, built-in and custom (``GET /v1/org/{org}/field``).

        A token that may not read them gets ChartHopError with status 403: callers fall back to
        the fields present in the people they read.
        """
        path = f"/v1/org/{quote(self.settings.org, safe='')}/field"
        names: list[str] = []
        cursor: str | None = None
        while True:
            params = {"builtin": builtin, "limit": "1000", **({"from": cursor} if cursor else {})}
            body = await self._request("fields", path, params)
            try:
                page = FieldPage.model_validate(body)
            except ValidationError:
                raise self._malformed(path, 'a page of fields ({"data": [...]})', body) from None
            names += [field.name for field in page.data]
            if not page.next or page.next == cursor:
                return names
            cursor = page.next

    async def _request(
        self, kind: str, path: str, params: Mapping[str, str], *, missing_ok: bool = False
    ) -> Any:
        attempt = 0
        while True:
            answer = await self._try_once(kind, path, params)
            if answer.status == 200:
                return answer.body
            if answer.status == 404 and missing_ok:
                return None
            if answer.status != NO_ANSWER and not is_retryable(answer.status):
                raise self._refused(path, answer)
            if attempt >= self.settings.max_retries:
                raise self._exhausted(path, answer, attempt + 1)
            delay = self._delay(answer, attempt)
            self.counters.retries += 1
            log.warning(
                "charthop_retry",
                kind=kind,
                path=path,
                status=answer.status,
                attempt=attempt + 1,
                delay_s=round(delay, 3),
                detail=answer.detail,
            )
            await self._sleep(delay)
            attempt += 1

    async def _try_once(self, kind: str, path: str, params: Mapping[str, str]) -> _Answer:
        url = self.settings.root + path
        try:
            async with self._session.get(
                url, params=params, headers=self._headers, timeout=self._timeout
            ) as response:
                self.counters.record(kind, response.status)
                if response.status == 200:
                    return _Answer(200, body=await self._json(response, path))
                return _Answer(
                    response.status,
                    detail=self._redact(_detail(await response.text())),
                    retry_after=response.headers.get("Retry-After"),
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.counters.record(kind, NO_ANSWER)
            return _Answer(NO_ANSWER, detail=self._redact(f"{type(exc).__name__}: {exc}"))

    async def _json(self, response: aiohttp.ClientResponse, path: str) -> Any:
        try:
            body = await response.read()
            return json_codec.loads(body) if body.strip() else None
        except ValueError:
            raise ChartHopError(
                f"ChartHop GET {path} answered 200 with a body that is not JSON; check base_url"
                f" {self.settings.root!r} points at the ChartHop API",
                status=200,
                method="GET",
                url=self.settings.root + path,
            ) from None

    def _delay(self, answer: _Answer, attempt: int) -> float:
        cap = self.settings.backoff_max_s
        delay = backoff_delay(attempt, self.settings.backoff_base_s, cap, self._rand)
        asked = parse_retry_after(answer.retry_after)
        if asked is not None and answer.status in (BUILDING, TOO_MANY):
            return min(asked, cap)
        if answer.status == BUILDING:
            return max(delay, self.settings.building_pause_s)
        return delay

    def _refused(self, path: str, answer: _Answer) -> ChartHopError:
        org = self.settings.org
        hint = {
            400: "check the query (q) and fields sent",
            401: "check the ChartHop API token",
            403: f"check that the API token may read people of org {org!r}",
            404: f"check the org slug or id {org!r}",
        }.get(answer.status, "see ChartHop's message above")
        return ChartHopError(
            f"ChartHop GET {path} answered {answer.status}: {answer.detail or '(no message)'};"
            f" {hint}",
            status=answer.status,
            method="GET",
            url=self.settings.root + path,
        )

    def _exhausted(self, path: str, answer: _Answer, tries: int) -> ApiError:
        url = self.settings.root + path
        if answer.status == NO_ANSWER:
            return TransportError(
                f"ChartHop GET {path} got no answer after {tries} tries ({answer.detail}); check"
                f" base_url {self.settings.root!r} and the network, then try again",
                method="GET",
                url=url,
            )
        if answer.status == BUILDING:
            why = "still answered 202 (snapshot currently building)"
            hint = "wait for ChartHop to finish building the snapshot, or raise max_retries"
        elif answer.status == TOO_MANY:
            why = "was still throttled (429)"
            hint = "lower the request rate or try again later"
        else:
            why = f"still answered {answer.status} ({answer.detail or 'no message'})"
            hint = "ChartHop may be down; try again later"
        return ChartHopError(
            f"ChartHop GET {path} {why} after {tries} tries; {hint}",
            status=answer.status,
            method="GET",
            url=url,
        )

    def _page(self, body: Any, path: str) -> PersonPage:
        try:
            return PersonPage.model_validate(body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(body)"
            raise self._malformed(
                path,
                f'a page of people ({{"data": [...], "next": ...}}); {where}: {first["msg"]}',
                body,
            ) from None

    def _malformed(self, path: str, expected: str, body: Any) -> ChartHopError:
        shown = self._redact(repr(body)[:_DETAIL_LIMIT])
        return ChartHopError(
            f"ChartHop GET {path} answered 200 but not with {expected}: {shown}; check base_url"
            f" {self.settings.root!r} points at the ChartHop API",
            status=200,
            method="GET",
            url=self.settings.root + path,
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _list_params(
    q: str | None,
    fields: Sequence[str] | None,
    *,
    include_all: bool,
    limit: int | None,
    cursor: str | None,
) -> dict[str, str]:
    params: dict[str, str] = {}
    if q:
        params["q"] = q
    if fields:
        params["fields"] = ",".join(fields)
    if limit is not None:
        params["limit"] = str(limit)
    if cursor:
        params["from"] = cursor
    if include_all:
        params["includeAll"] = "true"
    return params


def _detail(text: str) -> str:
    """ChartHop's error message from a body: its JSON "message" when there is one."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:_DETAIL_LIMIT]
    if isinstance(body, Mapping) and isinstance(body.get("message"), str):
        return str(body["message"])[:_DETAIL_LIMIT]
    return text.strip()[:_DETAIL_LIMIT]
