"""A readable diff of two configuration documents: one line per setting that differs.

Pure: documents are the JSON-shaped dicts a configuration version stores. Lists of named entries
(``groups``) are compared by name, so reordering groups is no change and a changed filter reads
``groups[Engineering].query``, not a shifted index.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ChangeKind = Literal["added", "removed", "changed"]
_ABSENT: Any = object()


class ConfigChange(BaseModel):
    """One setting that differs between two documents; ``old``/``new`` are None when absent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    kind: ChangeKind
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        """``groups[Engineering].query: "a" -> "b"`` (or ``+``/``-`` for an added/removed one)."""
        if self.kind == "added":
            return f"+ {self.path}: {_show(self.new)}"
        if self.kind == "removed":
            return f"- {self.path}: {_show(self.old)}"
        return f"~ {self.path}: {_show(self.old)} -> {_show(self.new)}"


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[ConfigChange]:
    """Every setting that differs from ``old`` to ``new``, in document order."""
    changes: list[ConfigChange] = []
    _diff(old, new, "", changes)
    return changes


def _diff(old: Any, new: Any, path: str, changes: list[ConfigChange]) -> None:
    if old is _ABSENT:
        changes.append(ConfigChange(path=path, kind="added", new=new))
    elif new is _ABSENT:
        changes.append(ConfigChange(path=path, kind="removed", old=old))
    elif isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in [*old, *(key for key in new if key not in old)]:
            _diff(old.get(key, _ABSENT), new.get(key, _ABSENT), _join(path, str(key)), changes)
    elif _named_list(old) and _named_list(new):
        _diff(_by_name(old), _by_name(new), path, changes)
    elif old != new:
        changes.append(ConfigChange(path=path, kind="changed", old=old, new=new))


def _join(path: str, key: str) -> str:
    if not path or key.startswith("["):
        return f"{path}{key}"
    return f"{path}.{key}"


def _named_list(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    names = [entry.get("name") for entry in value if isinstance(entry, Mapping)]
    return (
        len(names) == len(value)
        and all(isinstance(n, str) for n in names)
        and (len(set(names)) == len(names))
    )


def _by_name(entries: list[Mapping[str, Any]]) -> dict[str, Any]:
    # Keys carry brackets so that the joined path reads groups[Engineering].query.
    return {f"[{entry['name']}]": entry for entry in entries}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
