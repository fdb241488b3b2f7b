"""Which configuration a process runs with: the store's active version, followed as it changes.

Every service (workers, webhook receiver, scheduler) and `hopsync resync` start here:

- With no version in Redis yet, the file ($HOPSYNC_CONFIG, else hopsync.yaml, or --config) is
  saved as version 1 (once, however many processes start together).
- A file given explicitly (--config) must be the active version: one that differs is an error
  telling to `hopsync config apply` it, never a silent override. Only a dry run may preview a file
  that differs, as a draft version (``preview_config``).
- ``ConfigFollower.current()`` notices a new active version within ``poll_s`` (one GET per poll)
  and returns it, so services follow `config apply` and `config rollback` without restarts;
  ``watch_active`` does the same for asyncio services (the webhook receiver).
"""

from __future__ import annotations

import asyncio
import getpass
import os
import socket
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

import redis
import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from config.loader import LoadedConfig, Secrets, config_path, load_config, missing_secrets
from config.settings import HopsyncConfig
from shared import constants
from shared.errors import ConfigError, HopsyncError
from shared.infra.config_store import ConfigSource, ConfigStore, ConfigVersion

log = structlog.get_logger(__name__)

FOLLOW_POLL_S: Final = 2.0  # how stale a service's view of the active version may be


def cli_author(environ: Mapping[str, str] | None = None) -> str:
    """Who saves from the command line: $HOPSYNC_AUTHOR, else user@host."""
    env = os.environ if environ is None else environ
    if env.get("HOPSYNC_AUTHOR"):
        return env["HOPSYNC_AUTHOR"]
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def service_author(service: str) -> str:
    """Who saves the first version when a service starts on an empty Redis."""
    return f"hopsync {service} on {socket.gethostname()}"


def store_of(client: redis.Redis, secrets: Secrets) -> ConfigStore:
    """The configuration store on ``client``, refusing documents that hold a secret's value."""
    return ConfigStore(client, secrets=secrets.values())


def loaded_version(
    version: ConfigVersion, secrets: Secrets, *, require_secrets: bool = True
) -> LoadedConfig:
    """A stored version with the environment's secrets; ConfigError when a needed one is unset."""
    config = version.config()
    source = f"configuration {version.label}"
    if require_secrets:
        problems = missing_secrets(config, secrets)
        if problems:
            raise ConfigError(problems, source=source)
    return LoadedConfig(
        config=config, secrets=secrets, path=source, version=version.version, draft=version.draft
    )


def resolve_config(
    client: redis.Redis,
    *,
    explicit: str | None,
    author: str,
    environ: Mapping[str, str] | None = None,
    require_secrets: bool = True,
) -> LoadedConfig:
    """The active version (saving the file as version 1 when Redis has none); see the module."""
    env = os.environ if environ is None else environ
    secrets = Secrets.from_env(env)
    store = store_of(client, secrets)
    if explicit is not None:
        _check_explicit(store, explicit, env, author)
    elif store.active_number() is None:
        _bootstrap(store, config_path(None, env), env, author)
    return loaded_version(store.active(), secrets, require_secrets=require_secrets)


def preview_config(
    client: redis.Redis,
    path: str,
    *,
    author: str,
    source: ConfigSource = "cli",
    environ: Mapping[str, str] | None = None,
) -> LoadedConfig:
    """A file to dry-run: the active version when it is the same, else a new draft version."""
    env = os.environ if environ is None else environ
    secrets = Secrets.from_env(env)
    store = store_of(client, secrets)
    file_config = load_config(path, environ=env).config
    if store.active_number() is None:
        store.bootstrap(file_config, author=author, source="file")
    active = store.active()
    if active.same_as(file_config):
        return loaded_version(active, secrets)
    comment = f"dry run of {path}"
    draft = store.save_draft(file_config, author=author, source=source, comment=comment)
    return loaded_version(draft, secrets)


def _check_explicit(store: ConfigStore, path: str, env: Mapping[str, str], author: str) -> None:
    file_config = load_config(path, environ=env, require_secrets=False).config
    if store.active_number() is None:
        store.bootstrap(file_config, author=author, source="file", comment=f"from {path}")
        return
    active = store.active()
    if not active.same_as(file_config):
        raise ConfigError(
            [
                (
                    "(file)",
                    f"differs from the active configuration (version {active.version} in Redis); "
                    f"save it with `hopsync config apply {path}`, or leave out --config to run "
                    "the active version",
                )
            ],
            source=path,
        )


def _bootstrap(store: ConfigStore, path: str, env: Mapping[str, str], author: str) -> None:
    if not Path(path).is_file():
        raise ConfigError(
            [
                (
                    "(file)",
                    "no such file, and Redis holds no configuration version to run instead; "
                    "save one with `hopsync config apply FILE`, or set HOPSYNC_CONFIG",
                )
            ],
            source=path,
        )
    file_config = load_config(path, environ=env, require_secrets=False).config
    # Not logged: the command's logging is not set up yet, and stdout may carry --json.
    store.bootstrap(file_config, author=author, source="file", comment=f"from {path}")


class ConfigFollower:
    """A service's configuration: re-read when the active version changes (checked every poll_s).

    A new version whose secrets are missing, or Redis not answering, keeps the current one (and
    logs why), so a bad save never stops a running service.
    """

    def __init__(
        self,
        store: ConfigStore,
        initial: LoadedConfig,
        *,
        poll_s: float = FOLLOW_POLL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.loaded = initial
        self.poll_s = poll_s
        self.clock = clock
        self._checked_at = clock()

    def current(self) -> LoadedConfig:
        """The active version, as of at most poll_s ago."""
        now = self.clock()
        if now - self._checked_at < self.poll_s:
            return self.loaded
        self._checked_at = now
        try:
            number = self.store.active_number()
            if number is not None and number != self.loaded.version:
                self.loaded = self._load(number)
        except (redis.RedisError, OSError, HopsyncError) as error:
            log.error("configuration not refreshed; keeping the current one", error=str(error))
        return self.loaded

    def _load(self, number: int) -> LoadedConfig:
        loaded = loaded_version(self.store.get(number), self.loaded.secrets)
        log.info("configuration changed", version=number, was=self.loaded.version)
        return loaded


async def watch_active(
    client: aioredis.Redis,
    version: int | None,
    on_change: Callable[[int, HopsyncConfig], None],
    *,
    poll_s: float = FOLLOW_POLL_S,
) -> None:
    """For asyncio services: call ``on_change`` with each new active version, until cancelled.

    A Redis error or a version that fails to load is logged and tried again at the next poll.
    """
    while True:
        await asyncio.sleep(poll_s)
        try:
            raw = await client.get(constants.CONFIG_ACTIVE)
            if raw is None or int(raw) == version:
                continue
            record = await client.hget(constants.CONFIG_VERSIONS, str(int(raw)))
            if record is None:
                continue
            config = ConfigVersion.model_validate_json(record).config()
        except (RedisError, OSError, HopsyncError, ValueError) as error:
            log.error("configuration not refreshed; keeping the current one", error=str(error))
            continue
        log.info("configuration changed", version=int(raw), was=version)
        version = int(raw)
        on_change(version, config)
