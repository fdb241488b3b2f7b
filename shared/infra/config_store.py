"""The configuration store: every saved configuration is an immutable, numbered version in Redis.

API (``store = ConfigStore(redis_client, secrets=loaded.secrets.values())``)::

    store.save(document, author=, source=, comment=)   -> ConfigVersion  new version, now active
    store.save_draft(document, author=, source=)       -> ConfigVersion  never active; expires
    store.promote(draft_number, author=, source=)      -> ConfigVersion  a draft saved as a version
    store.rollback(version, author=, source=)          -> ConfigVersion  new version = an old one
    store.bootstrap(document, author=, source="file")  -> (ConfigVersion, saved: bool)
    store.active() -> ConfigVersion        store.active_number() -> int | None   (a cheap GET)
    store.get(n, draft=False) -> ConfigVersion         store.config(n, draft=False) -> HopsyncConfig
    store.history(limit=None) -> list[ConfigVersion]  (newest first, drafts excluded)
    store.diff(a, b) -> list[ConfigChange]             (ConfigChange.describe() reads one line)
    ConfigVersion.same_as(document) -> bool            (is a file the same configuration?)

``document`` is a HopsyncConfig or a mapping (validated here; a problem raises ConfigError listing
every one, and nothing is saved). The stored document is the full validated configuration, with
defaults filled in, so a version keeps meaning what it meant when saved. A missing version or
draft raises ConfigVersionNotFoundError. Versions are never changed or deleted: runs keep the
number they planned with (``RunMeta.config_version``, ``config_draft``). The active version is
always the newest one: saving, promoting and rolling back each make a new version.

A dry run of unsaved settings (the console's): ``draft = store.save_draft(document, ...)``, then
``loaded = shared.infra.active_config.loaded_version(draft, secrets)`` and
``async with producers.factory.open_producer(loaded, stores) as p: await p.resync(dry_run=True)``:
the run pins the draft and the workers plan with it; ``store.promote(draft.version, ...)`` then
saves exactly what was previewed. Processes follow the active version with
``shared.infra.active_config.ConfigFollower`` (or ``watch_active`` under asyncio).

Secrets never enter the store: the configuration models have no secret fields (secrets come only
from the environment), and a document containing the value of any secret the store was given is
refused. Drafts are numbered on their own ("draft 3") and expire after ``draft_ttl_s``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import redis
from pydantic import BaseModel, ConfigDict

from config.diff import ConfigChange, diff_documents
from config.loader import parse_config
from config.settings import HopsyncConfig
from shared import constants
from shared.errors import ConfigError, ConfigVersionNotFoundError
from shared.lua import lua_script

ConfigSource = Literal["cli", "console", "file"]
DRAFT_TTL_S: Final = 86_400  # a day: longer than any dry run, short enough to leave no clutter
_CACHE_SIZE: Final = 32

_SAVE = lua_script(__name__, "config_store_save.lua")

_BOOTSTRAP = lua_script(__name__, "config_store_bootstrap.lua")


class ConfigVersion(BaseModel):
    """One saved configuration: its number, the full validated document, who saved it, how, when."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    draft: bool = False
    document: dict[str, Any]
    digest: str
    author: str
    source: ConfigSource
    saved_at: datetime
    comment: str = ""
    restored_from: int | None = None
    expires_at: datetime | None = None

    @property
    def label(self) -> str:
        """``version 7`` or ``draft 3``."""
        return f"{'draft' if self.draft else 'version'} {self.version}"

    def config(self) -> HopsyncConfig:
        """The configuration this version holds."""
        return parse_config(self.document, source=f"configuration {self.label}")

    def same_as(self, document: HopsyncConfig) -> bool:
        """Whether ``document`` is the configuration this version holds (defaults included)."""
        return digest_of(canonical(document)) == self.digest


def canonical(config: HopsyncConfig) -> dict[str, Any]:
    """The document a version stores: every setting, defaults included, as JSON values."""
    return config.model_dump(mode="json")


def digest_of(document: Mapping[str, Any]) -> str:
    """A SHA-256 of the document's canonical JSON: equal configurations have equal digests."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ConfigStore:
    """Reads and writes configuration versions in Redis (synchronous)."""

    def __init__(
        self,
        client: redis.Redis,
        *,
        secrets: Sequence[str] = (),
        draft_ttl_s: int = DRAFT_TTL_S,
    ) -> None:
        self.client = client
        self.secrets = [value for value in secrets if len(value) >= 4]
        self.draft_ttl_s = draft_ttl_s
        self._save = client.register_script(_SAVE)
        self._bootstrap = client.register_script(_BOOTSTRAP)
        self._configs: dict[tuple[int, bool], HopsyncConfig] = {}

    # --- writing ---------------------------------------------------------------------------

    def save(
        self,
        document: HopsyncConfig | Mapping[str, Any],
        *,
        author: str,
        source: ConfigSource,
        comment: str = "",
        restored_from: int | None = None,
    ) -> ConfigVersion:
        """Validate and save ``document`` as a new version, which becomes the active one."""
        config = self._validated(document)
        number = int(self.client.incr(constants.CONFIG_NEXT))
        record = self._record(config, number, author, source, comment, restored_from)
        self._save(keys=self._keys(), args=[number, record.model_dump_json()])
        return record

    def save_draft(
        self,
        document: HopsyncConfig | Mapping[str, Any],
        *,
        author: str,
        source: ConfigSource,
        comment: str = "",
    ) -> ConfigVersion:
        """Validate and keep ``document`` as a draft: never active, gone after draft_ttl_s."""
        config = self._validated(document)
        number = int(self.client.incr(constants.CONFIG_DRAFT_NEXT))
        record = self._record(config, number, author, source, comment, None)
        expires = record.saved_at + timedelta(seconds=self.draft_ttl_s)
        record = record.model_copy(update={"draft": True, "expires_at": expires})
        key = constants.config_draft_key(number)
        self.client.set(key, record.model_dump_json(), ex=self.draft_ttl_s)
        return record

    def promote(
        self, draft: int, *, author: str, source: ConfigSource, comment: str = ""
    ) -> ConfigVersion:
        """Save a draft's document as a new active version (what a dry run previewed)."""
        found = self.get(draft, draft=True)
        return self.save(found.document, author=author, source=source, comment=comment)

    def rollback(
        self, version: int, *, author: str, source: ConfigSource, comment: str = ""
    ) -> ConfigVersion:
        """Save an old version's document as a new active version."""
        old = self.get(version)
        note = comment or f"rollback to version {version}"
        return self.save(
            old.document, author=author, source=source, comment=note, restored_from=version
        )

    def bootstrap(
        self,
        document: HopsyncConfig | Mapping[str, Any],
        *,
        author: str,
        source: ConfigSource = "file",
        comment: str = "",
    ) -> tuple[ConfigVersion, bool]:
        """Save ``document`` as version 1 when Redis holds no version; (active version, saved)."""
        config = self._validated(document)
        record = self._record(config, 1, author, source, comment, None)
        if self._bootstrap(keys=self._keys(), args=[record.model_dump_json()]):
            return record, True
        for _ in range(50):  # a save that took its number a moment ago is about to land
            if self.active_number() is not None:
                break
            time.sleep(0.02)
        return self.active(), False

    # --- reading ---------------------------------------------------------------------------

    def active_number(self) -> int | None:
        """The active version's number, or None when nothing was saved (one GET, for polling)."""
        raw = self.client.get(constants.CONFIG_ACTIVE)
        return int(raw) if raw is not None else None

    def active(self) -> ConfigVersion:
        """The active version; raises ConfigVersionNotFoundError when nothing was saved yet."""
        number = self.active_number()
        if number is None:
            raise ConfigVersionNotFoundError(
                "no configuration is saved in Redis yet; save one with "
                "`hopsync config apply FILE` (or start a service, which applies its file)"
            )
        return self.get(number)

    def get(self, version: int, *, draft: bool = False) -> ConfigVersion:
        """One version (or draft); raises ConfigVersionNotFoundError when it is not kept."""
        if draft:
            raw = self.client.get(constants.config_draft_key(version))
        else:
            raw = self.client.hget(constants.CONFIG_VERSIONS, str(version))
        if raw is None:
            raise ConfigVersionNotFoundError(_missing(version, draft=draft))
        return ConfigVersion.model_validate_json(raw)

    def config(self, version: int, *, draft: bool = False) -> HopsyncConfig:
        """The configuration of a version, validated once per process (versions never change)."""
        key = (version, draft)
        found = self._configs.get(key)
        if found is None:
            found = self.get(version, draft=draft).config()
            if len(self._configs) >= _CACHE_SIZE:
                self._configs.clear()
            self._configs[key] = found
        return found

    def history(self, limit: int | None = None) -> list[ConfigVersion]:
        """Saved versions, newest first (drafts are not history)."""
        raw = self.client.hgetall(constants.CONFIG_VERSIONS)
        versions = [ConfigVersion.model_validate_json(value) for value in raw.values()]
        versions.sort(key=lambda found: found.version, reverse=True)
        return versions if limit is None else versions[:limit]

    def diff(
        self, old: int, new: int, *, old_draft: bool = False, new_draft: bool = False
    ) -> list[ConfigChange]:
        """What changes from version ``old`` to version ``new``, one setting per entry."""
        before = self.get(old, draft=old_draft).document
        after = self.get(new, draft=new_draft).document
        return diff_documents(before, after)

    # --- helpers ---------------------------------------------------------------------------

    def _keys(self) -> list[str]:
        return [constants.CONFIG_VERSIONS, constants.CONFIG_ACTIVE, constants.CONFIG_NEXT]

    def _validated(self, document: HopsyncConfig | Mapping[str, Any]) -> HopsyncConfig:
        config = document if isinstance(document, HopsyncConfig) else parse_config(document)
        text = json.dumps(canonical(config))
        if any(secret in text for secret in self.secrets):
            raise ConfigError(
                [
                    (
                        "(document)",
                        "contains the value of a secret; secrets come only from the "
                        "environment and are never saved in a configuration version",
                    )
                ],
                source="configuration",
            )
        return config

    def _record(
        self,
        config: HopsyncConfig,
        number: int,
        author: str,
        source: ConfigSource,
        comment: str,
        restored_from: int | None,
    ) -> ConfigVersion:
        document = canonical(config)
        return ConfigVersion(
            version=number,
            document=document,
            digest=digest_of(document),
            author=author,
            source=source,
            saved_at=datetime.now(UTC),
            comment=comment,
            restored_from=restored_from,
        )


def config_label(version: int | None, draft: bool = False) -> str:
    """How a run's configuration reads: ``version 7``, ``draft 3 (not saved)`` or ``unknown``."""
    if version is None:
        return "unknown (not recorded)"
    return f"draft {version} (not saved)" if draft else f"version {version}"


def _missing(version: int, *, draft: bool) -> str:
    if draft:
        return (
            f"no configuration draft {version} in Redis: drafts expire a day after they are "
            "made; run the dry run again"
        )
    return f"no configuration version {version} in Redis; list them with `hopsync config history`"
