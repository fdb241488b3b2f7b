"""A worker plans each message with the version its run pinned, and follows the active one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import redis
import yaml

from shared.infra.active_config import loaded_version
from shared.infra.config_store import ConfigStore
from workers.runtime import Runtime

EXAMPLE = Path(__file__).parents[2] / "config" / "hopsync.example.yaml"
ENV = {"OKTA_API_TOKEN": "okta-token", "CHARTHOP_API_TOKEN": "charthop-token"}


def document(query: str) -> dict[str, Any]:
    raw = dict(yaml.safe_load(EXAMPLE.read_text()))
    raw["settings"] = {**raw["settings"], "live_sync": False}
    raw["groups"] = [{"name": "Engineering", "query": query}]
    return raw


def booted(client: redis.Redis) -> tuple[Runtime, ConfigStore]:
    from config.loader import Secrets

    store = ConfigStore(client)
    first = store.save(document("department:one"), author="ana", source="cli")
    runtime = Runtime.create(loaded_version(first, Secrets.from_env(ENV)), client)
    assert runtime.follower is not None
    runtime.follower.poll_s = 0  # check the active version on every call
    return runtime, store


def query_of(runtime: Runtime, version: int | None, draft: bool = False) -> str:
    return runtime.rules_for(version, draft).config.groups[0].query


def test_a_pinned_version_plans_as_saved_whatever_is_active(client: redis.Redis) -> None:
    runtime, store = booted(client)
    store.save(document("department:two"), author="ana", source="cli")
    store.save(document("department:three"), author="ana", source="cli")
    assert query_of(runtime, 1) == "department:one"
    assert query_of(runtime, 2) == "department:two"
    assert runtime.rules_for(2) is runtime.rules_for(2)  # compiled once per version


def test_an_unpinned_message_follows_the_active_version(client: redis.Redis) -> None:
    runtime, store = booted(client)
    assert query_of(runtime, None) == "department:one"
    store.save(document("department:two"), author="ana", source="cli")
    assert query_of(runtime, None) == "department:two"
    store.rollback(1, author="ana", source="cli")
    assert query_of(runtime, None) == "department:one"


def test_a_draft_is_planned_with_though_it_is_never_active(client: redis.Redis) -> None:
    runtime, store = booted(client)
    draft = store.save_draft(document("department:draft"), author="ana", source="console")
    assert query_of(runtime, draft.version, draft=True) == "department:draft"
    assert query_of(runtime, None) == "department:one"
