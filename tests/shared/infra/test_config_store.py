"""The configuration store: immutable numbered versions, one active, drafts that expire."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from shared import constants
from shared.errors import ConfigError, ConfigVersionNotFoundError
from shared.infra.config_store import ConfigStore

EXAMPLE = Path(__file__).parents[3] / "config" / "hopsync.example.yaml"


def example(**groups: str) -> dict[str, Any]:
    document = dict(yaml.safe_load(EXAMPLE.read_text()))
    if groups:
        document["groups"] = [{"name": name, "query": query} for name, query in groups.items()]
    return document


@pytest.fixture
def store(client: redis.Redis) -> Iterator[ConfigStore]:
    yield ConfigStore(client, secrets=["okta-secret-token"])


def test_each_save_is_a_new_active_version_and_old_ones_stay_as_saved(store: ConfigStore) -> None:
    first = store.save(example(Eng="department:engineering"), author="ana", source="cli")
    second = store.save(example(Eng="department:sales"), author="bo", source="console", comment="x")
    assert (first.version, second.version) == (1, 2)
    assert store.active() == second
    assert store.get(1).config().groups[0].query == "department:engineering"
    assert (second.author, second.source, second.comment) == ("bo", "console", "x")
    assert [found.version for found in store.history()] == [2, 1]


def test_a_version_keeps_the_full_document_with_defaults(store: ConfigStore) -> None:
    saved = store.save(example(), author="ana", source="file")
    assert saved.document["worker"]["threads"] == 8
    assert saved.same_as(saved.config())


def test_a_broken_document_saves_nothing_and_lists_its_problems(store: ConfigStore) -> None:
    broken = example(Eng="department:(")
    with pytest.raises(ConfigError) as caught:
        store.save(broken, author="ana", source="cli")
    assert "groups[0].query" in dict(caught.value.problems)
    assert store.history() == []
    assert store.active_number() is None
    with pytest.raises(ConfigVersionNotFoundError, match="hopsync config apply"):
        store.active()


def test_a_document_holding_a_secret_value_is_refused(store: ConfigStore) -> None:
    leaky = example()
    leaky["settings"]["chat_webhook_url"] = "https://chat.example/hook?t=okta-secret-token"
    with pytest.raises(ConfigError, match="secret"):
        store.save(leaky, author="ana", source="cli")
    assert store.history() == []


def test_rollback_is_a_new_version_equal_to_the_old_one(store: ConfigStore) -> None:
    store.save(example(Eng="a:b"), author="ana", source="cli")
    store.save(example(Eng="c:d"), author="ana", source="cli")
    restored = store.rollback(1, author="bo", source="cli")
    assert restored.version == 3
    assert restored.restored_from == 1
    assert restored.digest == store.get(1).digest
    assert store.active().version == 3
    assert store.diff(2, 3)[0].describe() == '~ groups[Eng].query: "c:d" -> "a:b"'


def test_a_draft_is_never_active_and_expires(client: redis.Redis) -> None:
    store = ConfigStore(client, draft_ttl_s=60)
    store.save(example(Eng="a:b"), author="ana", source="cli")
    draft = store.save_draft(example(Eng="c:d"), author="bo", source="console")
    assert draft.draft and draft.label == "draft 1"
    assert store.active().version == 1
    assert [found.version for found in store.history()] == [1]
    assert store.config(1, draft=True).groups[0].query == "c:d"
    assert 0 < client.ttl(constants.config_draft_key(1)) <= 60
    client.delete(constants.config_draft_key(1))  # as when its time is up
    with pytest.raises(ConfigVersionNotFoundError, match="draft 1"):
        store.get(1, draft=True)


def test_a_promoted_draft_becomes_the_active_version(store: ConfigStore) -> None:
    store.save(example(Eng="a:b"), author="ana", source="cli")
    draft = store.save_draft(example(Eng="c:d"), author="bo", source="console")
    promoted = store.promote(draft.version, author="bo", source="console")
    assert promoted.version == 2 and not promoted.draft
    assert store.active().digest == draft.digest


def test_services_starting_together_save_their_file_once(client: redis.Redis) -> None:
    results: list[bool] = []

    def start() -> None:
        results.append(ConfigStore(client).bootstrap(example(), author="svc")[1])

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    store = ConfigStore(client)
    assert [found.version for found in store.history()] == [1]
    assert store.active().source == "file"


def test_bootstrap_leaves_an_existing_configuration_alone(store: ConfigStore) -> None:
    store.save(example(Eng="a:b"), author="ana", source="cli")
    active, saved = store.bootstrap(example(Eng="c:d"), author="svc")
    assert not saved
    assert active.version == 1 and active.config().groups[0].query == "a:b"


def test_a_missing_version_says_how_to_list_them(store: ConfigStore) -> None:
    with pytest.raises(ConfigVersionNotFoundError, match="hopsync config history"):
        store.get(9)
