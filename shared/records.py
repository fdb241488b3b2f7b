"""Person records as ChartHop sends them: flat dotted keys, nested objects, or a mix of both.

``nest`` turns any of these into nested dicts, ``flatten`` goes the other way, ``get_path`` reads
a dotted path (with list indexes such as ``grants[0].shares``) from either form, and ``merge``
applies changes given in either form. When a record names the same leaf both ways, the dotted key
wins; when a scalar and an object collide on one key, the object wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

__all__ = ["Person", "flatten", "get_path", "merge", "nest", "nested"]

Person = dict[str, Any]
"""One person record, nested: ``{"name": {"first": "Ada"}, "contact": {"workEmail": ...}}``."""

_TOKEN: Final = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_MISSING: Final = object()


def nest(row: Mapping[str, Any]) -> dict[str, Any]:
    """A new nested dict from a flat, nested or mixed row; nested values are nested too."""
    if not any("." in key for key in row):
        # Already nested (ChartHop's JSON): no two keys can collide, so a copy is the answer.
        return {key: _nest_value(value) for key, value in row.items()}
    out: dict[str, Any] = {}
    dotted: list[tuple[str, Any]] = []
    for key, value in row.items():
        if "." in key:
            dotted.append((key, value))
        else:
            _put(out, key, _nest_value(value))
    # Dotted keys go last so that they win over a nested leaf of the same name.
    for key, value in dotted:
        *parents, leaf = key.split(".")
        _put(_descend(out, parents), leaf, _nest_value(value))
    return out


def nested(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` itself when nested at every depth (ChartHop's JSON), else ``nest(row)``.

    For rows the caller owns (just parsed): checking is several times cheaper than copying, and
    a resync reads every person of the org this way.
    """
    return row if _is_nested(row) else nest(row)


# The types parsed JSON holds besides dict and list: checked by identity first, because an
# isinstance() against the Mapping ABC costs several times more and runs for every field.
_JSON_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _is_nested(record: dict[str, Any]) -> bool:
    # A plain loop, not all(): this runs over every field of every person in a resync.
    for key, value in record.items():
        if "." in key:
            return False
        if type(value) not in _JSON_SCALARS and not _is_nested_value(value):
            return False
    return True


def _is_nested_value(value: Any) -> bool:
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is dict:
        return _is_nested(value)
    if kind is list:
        return all(_is_nested_value(item) for item in value)
    return not isinstance(value, Mapping)  # another Mapping type is copied into a dict by nest


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A flat dict with dotted keys for every leaf; lists stay whole values."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def get_path(record: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path such as ``manager.contact.workEmail`` or ``grants[0].shares``.

    Works on flat, nested and mixed records; a path through anything missing gives None.
    """
    found = _walk(record, _tokens(path), 0)
    return None if found is _MISSING else found


def merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A new nested record: ``base`` with ``changes`` (flat or nested) merged in; None removes."""
    out = nest(base)
    _merge_into(out, nest(changes))
    return out


def _nest_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return nest(value)
    if isinstance(value, list):
        return [_nest_value(item) for item in value]
    return value


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    current = target.get(key)
    if isinstance(current, dict) and isinstance(value, dict):
        _deep_update(current, value)
    elif isinstance(current, dict):
        return  # an object beats a scalar: it carries more of the record
    else:
        target[key] = value


def _descend(target: dict[str, Any], parents: Sequence[str]) -> dict[str, Any]:
    node = target
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    return node


def _deep_update(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        _put(target, key, value)


def _merge_into(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        current = target.get(key)
        if value is None:
            target.pop(key, None)
        elif isinstance(current, dict) and isinstance(value, dict):
            _merge_into(current, value)
        else:
            target[key] = value


@lru_cache(maxsize=4096)
def _tokens(path: str) -> tuple[str | int, ...]:
    return tuple(int(index) if index else name for index, name in _TOKEN.findall(path))


def _walk(node: Any, tokens: tuple[str | int, ...], start: int) -> Any:
    if start == len(tokens):
        return node
    token = tokens[start]
    if isinstance(token, int):
        if isinstance(node, Sequence) and not isinstance(node, str) and token < len(node):
            return _walk(node[token], tokens, start + 1)
        return _MISSING
    if not isinstance(node, Mapping):
        return _MISSING
    for key, stop in _keys_from(tokens, start):
        if key in node:
            found = _walk(node[key], tokens, stop)
            if found is not _MISSING:
                return found
    return _MISSING


@lru_cache(maxsize=4096)
def _keys_from(tokens: tuple[str | int, ...], start: int) -> tuple[tuple[str, int], ...]:
    """The keys a record may hold the path under at ``start``, longest dotted key first.

    A flat "contact.workEmail" beats a nested "contact". Cached: records are read millions of
    times along the same few paths.
    """
    end = start
    while end < len(tokens) and isinstance(tokens[end], str):
        end += 1
    return tuple(
        (".".join(str(part) for part in tokens[start:stop]), stop) for stop in range(end, start, -1)
    )
