"""`hopsync check` online: prove the setup works, not just that the file parses.

Each check returns Findings (ok, warning or problem), each naming the configuration or
environment path it is about and saying what to do; nothing here writes anything anywhere.
The console's "Test connection" calls the same functions: ``run_checks`` for all of them, or
``check_redis``, ``check_okta``, ``check_charthop`` one by one.

- Redis answers a PING at REDIS_URL.
- Okta: the token works (``GET /api/v1/users/me``, which also says whose token it is); users and
  groups can be read; for an OAuth token, its scopes include okta.users.manage and
  okta.groups.manage. An API token (SSWS) writes with its admin's roles: no read proves them, and
  a check writes nothing, so `check` says that its write access is not proved. The match
  attribute and every mapped attribute exist in the default user schema. Each managed group's
  name is free or an OKTA_GROUP; an APP_GROUP or BUILT_IN group of that name is a warning
  (hopsync leaves it alone, but two groups with one name confuse admins).
- ChartHop: the token and org work, and every field the configuration reads exists (the field
  list, else the people read); a group filter that selects nobody, or everybody, for a group that
  has members is a warning.
"""

from __future__ import annotations

import asyncio
import base64
import difflib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import redis.asyncio as aioredis

from config.loader import LoadedConfig, Secrets
from config.settings import HopsyncConfig
from shared.charthop import ChartHopClient, ChartHopSettings
from shared.core.coverage import filter_warnings
from shared.core.field_check import unknown_fields
from shared.core.rules import Rules
from shared.errors import ApiError, ChartHopError, OktaAuthError, OktaError
from shared.infra.org_fields import read_known_fields
from shared.infra.redis_client import connect_async_redis
from shared.okta import OktaClient
from shared.okta.models import OktaClientSettings
from shared.okta.ratelimit import LocalRateLimiter

Level = Literal["ok", "warning", "problem"]
MANAGE_SCOPES = ("okta.users.manage", "okta.groups.manage")
REDIS_TIMEOUT_S = 3.0
API_RETRIES = 1  # a check should answer in seconds, not ride out a long outage
SSWS_WRITES = "can read; write access can't be checked without writing"


@dataclass(frozen=True)
class Finding:
    """One result: its level, the configuration or environment path, and what to do."""

    level: Level
    path: str
    message: str

    def line(self) -> str:
        """The finding as `check` prints it."""
        return f"{self.path}: {self.message}"


@dataclass
class Report:
    """Every finding of a check, in order."""

    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        """Findings that fail the check (exit 2)."""
        return [found for found in self.findings if found.level == "problem"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings worth reading that do not fail the check."""
        return [found for found in self.findings if found.level == "warning"]


def ok(path: str, message: str) -> Finding:
    """A passed check."""
    return Finding("ok", path, message)


def warning(path: str, message: str) -> Finding:
    """A finding that does not fail the check."""
    return Finding("warning", path, message)


def problem(path: str, message: str) -> Finding:
    """A finding that fails the check."""
    return Finding("problem", path, message)


def offline_findings(config: HopsyncConfig) -> list[Finding]:
    """What the file alone says is worth a warning (no network)."""
    if config.settings.safety is None:
        return [
            warning(
                "settings.safety",
                "is null: safety limits are off, so a mistake could remove access unchecked; "
                "remove the line to use the defaults",
            )
        ]
    return []


def env_findings(environ: Mapping[str, str]) -> list[Finding]:
    """Variables hopsync does not read, set as if it did: HOPSYNC_REDIS_URL (it reads REDIS_URL;
    the other variables it reads are named HOPSYNC_*, so the name is an easy guess)."""
    guessed = environ.get("HOPSYNC_REDIS_URL")
    used = Secrets.from_env(environ).redis_url
    if not guessed or guessed == used:
        return []
    return [
        problem(
            "env.HOPSYNC_REDIS_URL",
            f"is not read: hopsync uses REDIS_URL ({shown_url(used)}); set REDIS_URL instead",
        )
    ]


def shown_url(url: str) -> str:
    """A URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def check_redis(url: str) -> list[Finding]:
    """Redis answers a PING at ``url``."""
    client = connect_async_redis(url, retries=0)  # a check reports, it does not wait
    try:
        await asyncio.wait_for(client.ping(), REDIS_TIMEOUT_S)
    except (aioredis.RedisError, OSError, TimeoutError) as error:
        return [
            problem(
                "env.REDIS_URL",
                f"Redis at {shown_url(url)} does not answer ({type(error).__name__}); "
                "start Redis or set REDIS_URL to where it runs",
            )
        ]
    finally:
        await client.aclose()
    return [ok("env.REDIS_URL", f"Redis at {shown_url(url)} answers")]


def okta_client(loaded: LoadedConfig, session: aiohttp.ClientSession) -> OktaClient:
    """An Okta client for checks: in-process rate limits (Redis may be down), few retries."""
    okta = loaded.config.okta
    settings = OktaClientSettings(
        base_url=okta.url,
        token=loaded.okta_token(),
        auth_scheme=okta.auth_scheme,
        rate_limit=okta.rate_limit,
        max_retries=API_RETRIES,
    )
    limiter = LocalRateLimiter(policy=okta.rate_limit)
    return OktaClient(settings, session, limiter)


def charthop_client(loaded: LoadedConfig, session: aiohttp.ClientSession) -> ChartHopClient:
    """A ChartHop client for checks, with few retries."""
    charthop = loaded.config.charthop
    settings = ChartHopSettings(
        base_url=charthop.base_url,
        org=charthop.org,
        token=loaded.charthop_token(),
        page_size=charthop.page_size,
        max_retries=API_RETRIES,
    )
    return ChartHopClient(settings, session)


async def check_okta(
    loaded: LoadedConfig, client: OktaClient
) -> tuple[list[Finding], Counter[str]]:
    """The token, the schema and the managed groups; also each managed group's member count."""
    config = loaded.config
    try:
        owner = await client.current_user()
    except ApiError as error:
        return [_okta_refused(loaded, error)], Counter()
    who = owner.login or owner.id
    found = [
        ok("env.OKTA_API_TOKEN", f"Okta at {config.okta.url} accepts the token; it is {who}'s")
    ]
    try:
        await _first_user_page(client)  # proves users can be listed, at the cost of one call
        found += _scopes(loaded)
        found += _schema(config, await client.user_profile_attributes())
        group_findings, members = await _groups(config, client)
    except ApiError as error:
        return [*found, _okta_refused(loaded, error)], Counter()
    return found + group_findings, members


async def _first_user_page(client: OktaClient) -> None:
    pages = client.list_user_pages(limit=1)
    async with aclosing(pages):
        await anext(pages, None)


def _okta_refused(loaded: LoadedConfig, error: ApiError) -> Finding:
    url = loaded.config.okta.url
    if isinstance(error, OktaAuthError):
        return problem(
            "env.OKTA_API_TOKEN",
            f"Okta at {url} refused the token ({error.status} {error.error_code}); create an API "
            "token in Okta (Security > API > Tokens) and set OKTA_API_TOKEN to it",
        )
    if isinstance(error, OktaError) and error.status == 403:
        return problem(
            "env.OKTA_API_TOKEN",
            f"Okta at {url} denied a read ({error.error_code}); the token's admin needs a role "
            "that can manage users and groups (Super, Org or Group Admin)",
        )
    return problem(
        "okta.domain",
        f"Okta at {url} could not be read ({type(error).__name__}: {error}); "
        "check okta.domain (or okta.base_url) and the network",
    )


def _scopes(loaded: LoadedConfig) -> list[Finding]:
    """What the token may do: an OAuth token's scopes say; an API token acts as its admin."""
    if loaded.config.okta.auth_scheme == "SSWS":
        return [
            # An API token writes with its admin's roles, which no read reveals, and a test write
            # is not something a check may do: said plainly, in one line at 80 columns.
            ok("env.OKTA_API_TOKEN", SSWS_WRITES)
        ]
    scopes = _jwt_scopes(loaded.okta_token().get_secret_value())
    if scopes is None:
        return [warning("env.OKTA_API_TOKEN", "is not a JWT: its scopes cannot be read")]
    missing = [scope for scope in MANAGE_SCOPES if scope not in scopes]
    if missing:
        return [
            problem(
                "env.OKTA_API_TOKEN",
                f"lacks the scope(s) {', '.join(missing)}; grant them to the OAuth app and "
                "issue a new token",
            )
        ]
    return [ok("env.OKTA_API_TOKEN", "its scopes allow managing users and groups")]


def _jwt_scopes(token: str) -> set[str] | None:
    """The ``scp`` claim of a JWT access token, read without checking it (Okta checks it)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    scopes = claims.get("scp") if isinstance(claims, dict) else None
    return {str(scope) for scope in scopes} if isinstance(scopes, list) else None


def _schema(config: HopsyncConfig, attributes: set[str]) -> list[Finding]:
    """The match attribute and every mapped attribute exist in Okta's user schema."""
    wanted = [("match.okta_attribute", config.match.okta_attribute)]
    wanted += [(f"profile_fields.{name}", name) for name in config.profile_fields]
    found: list[Finding] = []
    for path, name in wanted:
        if name in attributes:
            continue
        close = difflib.get_close_matches(name, sorted(attributes), n=1, cutoff=0.7)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        found.append(
            problem(
                path,
                f"Okta's user schema has no attribute {name!r}{hint}; add it in Okta's Profile "
                "Editor or fix the name",
            )
        )
    checked = len({name for _, name in wanted})
    return found or [ok("profile_fields", f"all {checked} attributes exist in Okta's user schema")]


async def _groups(config: HopsyncConfig, client: OktaClient) -> tuple[list[Finding], Counter[str]]:
    """Each managed group's name is free or an OKTA_GROUP; and its members, counted."""
    managed = {group.name.casefold(): index for index, group in enumerate(config.groups)}
    own: dict[str, str] = {}
    async for group in client.list_groups("OKTA_GROUP"):
        if group.name.casefold() in managed:
            own.setdefault(group.name.casefold(), group.id)
    found: list[Finding] = []
    for kind in ("APP_GROUP", "BUILT_IN"):
        async for group in client.list_groups(kind):
            index = managed.get(group.name.casefold())
            if index is not None:
                found.append(_clash(index, group.name, kind))
    members: Counter[str] = Counter()
    for configured in config.groups:
        group_id = own.get(configured.name.casefold())
        if group_id is not None:
            ids = [member async for member in client.list_group_member_ids(group_id)]
            members[configured.name] = len(ids)
    free = len(config.groups) - len(own)
    exist = f"{len(own)} managed group(s) exist as OKTA_GROUPs, {free} to create"
    found.append(ok("groups", exist))
    return found, members


def _clash(index: int, name: str, kind: str) -> Finding:
    return warning(
        f"groups[{index}].name",
        f"an {kind} named {name!r} also exists in Okta; hopsync manages only its own OKTA_GROUP "
        "of that name and leaves the other alone, but two groups with one name confuse admins: "
        "consider another name",
    )


async def check_charthop(
    config: HopsyncConfig, client: ChartHopClient, members: Counter[str]
) -> list[Finding]:
    """The token and org work, every field read exists, and no filter empties or fills a group."""
    try:
        known, people = await read_known_fields(client)
        if people is None and members:
            people = [person async for person in client.list_people()]
    except ApiError as error:
        return [_charthop_refused(config, error)]
    found = [
        ok(
            "charthop.org",
            f"ChartHop org {config.charthop.org!r} answers; fields checked against {known.source}",
        )
    ]
    found += [problem(item.where, item.message) for item in unknown_fields(config, known)]
    if people is not None and not any(item.level == "problem" for item in found):
        rules = Rules.build(config)
        found += [warning("groups", text) for text in filter_warnings(rules, people, members)]
    return found


def _charthop_refused(config: HopsyncConfig, error: ApiError) -> Finding:
    url = config.charthop.base_url
    status = error.status if isinstance(error, ChartHopError) else None
    if status == 401:
        return problem(
            "env.CHARTHOP_API_TOKEN",
            f"ChartHop at {url} refused the token (401); create an app token in ChartHop "
            "(Settings > Apps) and set CHARTHOP_API_TOKEN to it",
        )
    if status in (403, 404):
        return problem(
            "charthop.org",
            f"ChartHop at {url} answered {status} for org {config.charthop.org!r}; check the "
            "org's slug or id, and that the token belongs to that org",
        )
    return problem(
        "charthop.base_url",
        f"ChartHop at {url} could not be read ({type(error).__name__}); check "
        "charthop.base_url and the network",
    )


async def field_findings(loaded: LoadedConfig) -> list[Finding]:
    """What `config apply` checks online: ChartHop answers, and every field the configuration
    reads exists in the org (the first finding names the list of fields used)."""
    async with aiohttp.ClientSession() as session:
        return await check_charthop(loaded.config, charthop_client(loaded, session), Counter())


async def run_checks(loaded: LoadedConfig) -> Report:
    """Every online check (Redis, Okta, ChartHop), after the file's own warnings."""
    report = Report(offline_findings(loaded.config))
    async with aiohttp.ClientSession() as session:
        redis_found, (okta_found, members) = await asyncio.gather(
            check_redis(loaded.secrets.redis_url),
            check_okta(loaded, okta_client(loaded, session)),
        )
        charthop_found = await check_charthop(
            loaded.config, charthop_client(loaded, session), members
        )
    report.findings += [*redis_found, *okta_found, *charthop_found]
    return report


def summary_line(findings: Sequence[Finding]) -> str:
    """How many problems and warnings, in one line."""
    counts: Counter[str] = Counter(found.level for found in findings)
    return f"{counts['problem']} problem(s), {counts['warning']} warning(s)"


def as_dicts(report: Report) -> list[dict[str, Any]]:
    """The findings as JSON-ready records (for the console)."""
    return [{"level": f.level, "path": f.path, "message": f.message} for f in report.findings]
