"""Orgs load from JSON or YAML files, flat or nested, and bad files are reported by entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from shared.errors import ConfigError
from sim.charthop import load_org


def test_a_json_list_loads_with_flat_rows_nested(tmp_path: Path) -> None:
    path = tmp_path / "org.json"
    path.write_text(json.dumps([{"id": "a", "name.first": "Ada", "manager.id": "b"}, {"id": "b"}]))
    assert load_org(path) == [
        {"id": "a", "name": {"first": "Ada"}, "manager": {"id": "b"}},
        {"id": "b"},
    ]


def test_a_yaml_file_with_a_people_key_loads(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump({"people": [{"id": "a", "title": "CEO"}]}))
    assert load_org(str(path)) == [{"id": "a", "title": "CEO"}]


def test_entries_without_an_id_are_listed_by_index(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump([{"id": "a"}, {"title": "no id"}, "text"]))
    with pytest.raises(ConfigError) as caught:
        load_org(path)
    assert [where for where, _ in caught.value.problems] == ["people[1]", "people[2]"]
    assert str(path) in str(caught.value)


def test_a_missing_or_unparsable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read it"):
        load_org(tmp_path / "absent.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_org(broken)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ConfigError, match="expected a list of people"):
        load_org(scalar)
