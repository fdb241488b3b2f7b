"""Which configuration a process runs with: version 1 from the file, then the active version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from shared.errors import ConfigError
from shared.infra.active_config import ConfigFollower, preview_config, resolve_config
from shared.infra.config_store import ConfigStore

EXAMPLE = Path(__file__).parents[3] / "config" / "hopsync.example.yaml"
ENV = {
    "OKTA_API_TOKEN": "okta-secret-token",
    "CHARTHOP_API_TOKEN": "charthop-secret-token",
    "HOPSYNC_WEBHOOK_SECRET": "webhook-secret",
}


def document(query: str = "department:engineering") -> dict[str, Any]:
    raw = dict(yaml.safe_load(EXAMPLE.read_text()))
    raw["groups"] = [{"name": "Engineering", "query": query}]
    return raw


def write(tmp_path: Path, name: str, raw: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def env_for(path: str) -> dict[str, str]:
    return {**ENV, "HOPSYNC_CONFIG": path}


def test_with_nothing_in_redis_the_file_becomes_version_1(
    client: redis.Redis, tmp_path: Path
) -> None:
    path = write(tmp_path, "hopsync.yaml", document())
    loaded = resolve_config(client, explicit=None, author="test", environ=env_for(path))
    assert (loaded.version, loaded.draft) == (1, False)
    assert ConfigStore(client).active().source == "file"


def test_once_a_version_is_active_the_environments_file_is_not_read_again(
    client: redis.Redis, tmp_path: Path
) -> None:
    ConfigStore(client).save(document("department:sales"), author="ana", source="cli")
    path = write(tmp_path, "hopsync.yaml", document())
    loaded = resolve_config(client, explicit=None, author="test", environ=env_for(path))
    assert loaded.version == 1 and loaded.config.groups[0].query == "department:sales"


def test_an_explicit_file_that_differs_from_the_active_version_says_to_apply_it(
    client: redis.Redis, tmp_path: Path
) -> None:
    ConfigStore(client).save(document(), author="ana", source="cli")
    path = write(tmp_path, "new.yaml", document("department:sales"))
    with pytest.raises(ConfigError, match=r"hopsync config apply .*new\.yaml"):
        resolve_config(client, explicit=path, author="test", environ=ENV)
    same = write(tmp_path, "same.yaml", document())
    assert resolve_config(client, explicit=same, author="test", environ=ENV).version == 1


def test_a_version_needing_an_unset_secret_is_a_config_error(
    client: redis.Redis, tmp_path: Path
) -> None:
    ConfigStore(client).save(document(), author="ana", source="cli")
    with pytest.raises(ConfigError, match="OKTA_API_TOKEN"):
        resolve_config(client, explicit=None, author="test", environ={"CHARTHOP_API_TOKEN": "x"})


def test_a_preview_of_another_file_is_a_draft_and_of_the_same_file_the_active_version(
    client: redis.Redis, tmp_path: Path
) -> None:
    ConfigStore(client).save(document(), author="ana", source="cli")
    other = write(tmp_path, "other.yaml", document("department:sales"))
    draft = preview_config(client, other, author="test", environ=ENV)
    assert (draft.version, draft.draft) == (1, True)
    assert draft.config.groups[0].query == "department:sales"
    assert ConfigStore(client).active_number() == 1  # nothing saved
    same = write(tmp_path, "same.yaml", document())
    assert preview_config(client, same, author="test", environ=ENV).draft is False


def test_a_follower_sees_a_new_active_version_after_its_poll(
    client: redis.Redis, tmp_path: Path
) -> None:
    path = write(tmp_path, "hopsync.yaml", document())
    loaded = resolve_config(client, explicit=None, author="test", environ=env_for(path))
    now = [0.0]
    follower = ConfigFollower(ConfigStore(client), loaded, poll_s=2.0, clock=lambda: now[0])
    ConfigStore(client).save(document("department:sales"), author="ana", source="cli")
    now[0] = 1.0
    assert follower.current().version == 1  # not polled yet
    now[0] = 2.5
    assert follower.current().version == 2
    assert follower.current().config.groups[0].query == "department:sales"


def test_a_follower_keeps_its_version_when_the_new_one_lacks_a_secret(
    client: redis.Redis, tmp_path: Path
) -> None:
    path = write(tmp_path, "hopsync.yaml", document())
    loaded = resolve_config(client, explicit=None, author="test", environ=env_for(path))
    follower = ConfigFollower(ConfigStore(client), loaded, poll_s=0)
    smtp = {**document(), "smtp": {"host": "mail", "user": "hop"}}
    ConfigStore(client).save(smtp, author="ana", source="cli")  # needs SMTP_PASSWORD
    assert follower.current().version == 1
