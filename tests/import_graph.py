"""The import graph of hopsync's packages, read from the source with ``ast`` (nothing is imported).

Every ``import`` and ``from ... import`` counts, including those inside functions (a lazy import
is still a dependency), each resolved to the deepest hopsync module it names. The layer test
(tests/test_layers.py) checks this graph; ``python -m tests.import_graph`` prints the edges
between packages and the import cycles, the figures quoted in docs and closing notes.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("shared", "config", "workers", "producers", "sim", "harness")


@dataclass(frozen=True)
class Import:
    """One import statement's dependency of a module on another hopsync module."""

    source: str
    target: str
    line: int

    @property
    def where(self) -> str:
        """``module:line``, for messages."""
        return f"{self.source}:{self.line}"


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Each hopsync module's dotted name and its file (a package is its ``__init__.py``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: Iterable[str]) -> list[Import]:
    """The hopsync modules one file imports, one entry per statement and target."""
    known = set(modules)
    is_package = path.name == "__init__.py"
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        for target in _targets(node, name, is_package, known):
            entry = Import(name, target, getattr(node, "lineno", 0))
            if target != name and entry not in found:
                found.append(entry)
    return found


def _targets(node: ast.AST, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _known(alias.name, known)
    elif isinstance(node, ast.ImportFrom):
        base = _absolute(node, name, is_package)
        for alias in node.names:
            # ``from shared import constants`` depends on shared.constants, not on shared.
            yield from _known(f"{base}.{alias.name}", known) or _known(base, known)


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if is_package else name.split(".")[:-1]
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _known(dotted: str, known: set[str]) -> list[str]:
    """The deepest hopsync module a dotted name starts with; none for third-party names."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return [candidate]
    return []


def import_graph(root: Path = ROOT) -> list[Import]:
    """Every import between hopsync modules under ``root``."""
    files = module_files(root)
    return [entry for name, path in files.items() for entry in imports_of(name, path, files)]


# shared/'s layer folders, each counted as a package of its own so that edges between layers show
GROUPED = ("shared.core", "shared.infra")


def package_of(module: str) -> str:
    """The package a module belongs to: its top-level one, or one of shared/'s layer folders."""
    for group in GROUPED:
        if module == group or module.startswith(group + "."):
            return group
    return module.split(".", 1)[0]


def package_edges(graph: Iterable[Import]) -> Counter[tuple[str, str]]:
    """How many import statements point from one package into another (places, not modules)."""
    places = {(e.source, e.line, package_of(e.target)) for e in graph}
    return Counter(
        (package_of(source), target) for source, _, target in places if package_of(source) != target
    )


def cycles(graph: Iterable[Import]) -> list[list[str]]:
    """The import cycles between modules: each strongly connected group of two or more."""
    edges: dict[str, set[str]] = {}
    for entry in graph:
        edges.setdefault(entry.source, set()).add(entry.target)
        edges.setdefault(entry.target, set())
    return [sorted(group) for group in _strongly_connected(edges) if len(group) > 1]


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    groups.append(_pop_group(stack, on_stack, node))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _pop_group(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    group = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        group.append(member)
        if member == root:
            return group


def report(root: Path = ROOT) -> str:
    """The edges between packages, most first, and the module cycles, as plain lines."""
    graph = import_graph(root)
    lines = ["import statements between packages (source -> target: places):"]
    for (source, target), count in sorted(
        package_edges(graph).items(), key=lambda item: (-item[1], item[0])
    ):
        lines.append(f"  {source} -> {target}: {count}")
    found = cycles(graph)
    lines.append(f"import cycles between modules: {len(found)}")
    lines.extend(f"  {len(group)} modules: {', '.join(group)}" for group in found)
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
