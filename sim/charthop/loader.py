"""Read an org of person records from a JSON or YAML file (a list, or ``{"people": [...]}``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from shared.errors import ConfigError
from shared.records import nest


def load_org(path: str | Path) -> list[dict[str, Any]]:
    """The person records of a JSON or YAML file, nested; each needs a string ``id``."""
    source = Path(path)
    where = str(source)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([("(file)", f"cannot read it: {exc.strerror}")], source=where) from None
    kind = "JSON" if source.suffix == ".json" else "YAML"
    try:
        data = json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError([("(file)", f"not valid {kind}: {exc}")], source=where) from None
    if isinstance(data, dict) and "people" in data:
        data = data["people"]
    if not isinstance(data, list):
        raise ConfigError([("(file)", 'expected a list of people or {"people": [...]}')], where)
    people = [nest(item) if isinstance(item, dict) else item for item in data]
    problems = [
        (f"people[{index}]", "needs to be a mapping with a string id")
        for index, item in enumerate(people)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str)
    ]
    if problems:
        raise ConfigError(problems, source=where)
    return people
