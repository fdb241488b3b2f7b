"""Reading a field path from a record that may be nested, flat (dotted keys) or a mix of both.

Each path is turned once into a getter specialised for its shape. The fast path tries the exact
flat dotted key, then the exact nested keys. When that misses, the slow path tries every split
of the path into dotted keys (longest first, as a flat key wins over the nested one it names);
only when no key of the path exists at all does it try keys in another letter case, and then the
flat keys under a prefix gathered into one object (so ``department`` on a flat record is
``{"name": ...}`` from ``department.name``). A miss anywhere is None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from shared.carrot.nodes import Path, Segment

Record = Mapping[str, Any]
Getter = Callable[[Record], Any]
# For each segment position: the (end, key, lower-case key) of every dotted key starting there.
Splits = tuple[tuple[tuple[int, str, str], ...], ...]

_MISSING: Final = object()


def path_getter(path: Path, *, exact: bool = False) -> Getter:
    """A function reading ``path`` from a record; ``exact`` skips the letter-case fallback."""
    segments = path.segments
    splits = _splits(segments)
    if len(segments) == 1 and isinstance(segments[0], str):
        return _one(segments[0], splits, exact)
    if len(segments) == 2 and all(isinstance(segment, str) for segment in segments):
        return _two(str(segments[0]), str(segments[1]), splits, exact)
    return _many(segments, splits, exact)


def _splits(segments: tuple[Segment, ...]) -> Splits:
    out: list[tuple[tuple[int, str, str], ...]] = []
    for start in range(len(segments)):
        stop = start
        while stop < len(segments) and isinstance(segments[stop], str):
            stop += 1
        keys = [".".join(map(str, segments[start:end])) for end in range(stop, start, -1)]
        out.append(tuple((stop - n, key, key.lower()) for n, key in enumerate(keys)))
    return tuple(out)


def _one(key: str, splits: Splits, exact: bool) -> Getter:
    segments = (key,)
    prefix = f"{key}."
    name_key = f"{key}.name"

    def get(record: Record) -> Any:
        value = record.get(key, _MISSING)
        if value is _MISSING:
            if exact:
                return None
            if name_key in record:  # the flat shape of an object with a name
                return FlatView(record, prefix)
            return _slow(record, segments, splits, 0, exact)
        return value

    return get


def _two(first: str, second: str, splits: Splits, exact: bool) -> Getter:
    segments = (first, second)
    dotted = f"{first}.{second}"

    def get(record: Record) -> Any:
        value = record.get(dotted, _MISSING)
        if value is not _MISSING:
            return value
        inner = record.get(first, _MISSING)
        if inner is None:
            return None
        if type(inner) is dict:
            value = inner.get(second, _MISSING)
            if value is not _MISSING:
                return value
        return _slow(record, segments, splits, 0, exact)

    return get


def _many(segments: tuple[Segment, ...], splits: Splits, exact: bool) -> Getter:
    dotted = Path(segments).dotted

    def get(record: Record) -> Any:
        value = record.get(dotted, _MISSING)
        if value is not _MISSING:
            return value
        current: Any = record
        for segment in segments:
            if type(segment) is int:
                if type(current) is list and -len(current) <= segment < len(current):
                    current = current[segment]
                    continue
                break
            if type(current) is not dict:
                break
            current = current.get(segment, _MISSING)
            if current is None:
                return None
            if current is _MISSING:
                break
        else:
            return current
        return _slow(record, segments, splits, 0, exact)

    return get


def _slow(
    current: Any, segments: tuple[Segment, ...], splits: Splits, index: int, exact: bool
) -> Any:
    """The value at ``segments[index:]`` below ``current``, by the rules in the module doc."""
    if index == len(segments):
        return current
    position = segments[index]
    if isinstance(position, int):
        if isinstance(current, list | tuple) and -len(current) <= position < len(current):
            return _slow(current[position], segments, splits, index + 1, exact)
        return None
    if not isinstance(current, Mapping):
        return None
    any_found = False
    for end, key, _lowered in splits[index]:
        value = current.get(key, _MISSING)
        if value is not _MISSING:
            any_found = True
            result = _slow(value, segments, splits, end, exact)
            if result is not None:
                return result
    if any_found or exact:
        return None
    return _fallback(current, segments, splits, index)


def _fallback(
    current: Mapping[Any, Any], segments: tuple[Segment, ...], splits: Splits, index: int
) -> Any:
    """Keys in another letter case, else the flat keys under the first segment gathered."""
    longest_end, longest, _lowered = splits[index][0]
    if longest_end == len(segments) and f"{longest}.name" in current:
        # The common flat shape (``department.name``): a view avoids scanning every key.
        return FlatView(current, f"{longest}.")
    wanted = {lowered: end for end, _key, lowered in splits[index]}
    prefix = splits[index][-1][2] + "."
    matches: list[tuple[int, Any]] = []
    gathered: dict[str, Any] = {}
    for candidate, value in current.items():
        if not isinstance(candidate, str):
            continue
        lowered = candidate.lower()
        if lowered in wanted:
            matches.append((wanted[lowered], value))
        elif lowered.startswith(prefix):
            gathered[candidate[len(prefix) :]] = value
    for end, value in sorted(matches, key=lambda match: -match[0]):
        result = _slow(value, segments, splits, end, False)
        if result is not None:
            return result
    if gathered:
        rest = segments[index + 1 :]
        return _slow(gathered, rest, _splits(rest), 0, False)
    return None


class FlatView(Mapping[str, Any]):
    """The flat keys of a record under a prefix, read as one object (``department.*``)."""

    __slots__ = ("_prefix", "_record")

    def __init__(self, record: Mapping[Any, Any], prefix: str) -> None:
        self._record = record
        self._prefix = prefix

    def __getitem__(self, key: str) -> Any:
        return self._record[self._prefix + key]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._prefix + key in self._record

    def __iter__(self) -> Iterator[str]:
        size = len(self._prefix)
        for key in self._record:
            if isinstance(key, str) and key.startswith(self._prefix):
                yield key[size:]

    def __len__(self) -> int:
        return sum(1 for _key in self)

    def __repr__(self) -> str:
        return f"FlatView({dict(self)!r})"


def lookup(mapping: Mapping[Any, Any], key: str) -> Any:
    """``mapping[key]``, else the value of a key equal to it ignoring case, else a sentinel."""
    value = mapping.get(key, _MISSING)
    if value is not _MISSING:
        return value
    lowered = key.lower()
    for candidate, value in mapping.items():
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return value
    return _MISSING


def get_key(mapping: Any, key: str) -> Any:
    """``mapping[key]`` ignoring case, or None when the value is not a mapping or lacks it."""
    if not isinstance(mapping, Mapping):
        return None
    value = lookup(mapping, key)
    return None if value is _MISSING else value
