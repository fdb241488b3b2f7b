"""hopsync's layers: which module may import which. The one table tests/test_layers.py enforces.

Layers run bottom to top; a module may import its own layer's modules and any layer below, never
one above. A layer may hold columns side by side (workers, producers, sim): a column never
imports another column of its layer. Each entry is a module or a package prefix; a module belongs
to its longest matching entry, and every module must belong to one. shared/ keeps one folder
a layer (core/, infra/), so its libraries are the only modules listed one by one. CONTRIBUTING.md
explains each layer.
"""

from __future__ import annotations

from dataclasses import dataclass

Column = tuple[str, ...]


@dataclass(frozen=True)
class Layer:
    """One layer: its name and its columns (lists of module prefixes)."""

    name: str
    columns: tuple[Column, ...]


LAYERS: tuple[Layer, ...] = (
    Layer(
        "libraries",
        (
            (
                "shared",  # the package's own __init__ only (see WHOLE_NAME_ONLY)
                "shared.errors",
                "shared.constants",
                "shared.records",
                "shared.json_codec",
                "shared.gc_pause",
                "shared.lua",
                "shared.carrot",
                "shared.okta",
                "shared.charthop",
            ),
        ),
    ),
    Layer("config", (("config",),)),
    # The pure core: the diff, decided without Redis or the network.
    Layer("core", (("shared.core",),)),
    # Redis, Dramatiq, the stores, the API clients' assembly, notifications, metrics, logging.
    Layer("infrastructure", (("shared.infra",),)),
    Layer("services", (("workers",), ("producers",), ("sim",))),
    # A whole simulated world (simulators, a configuration, worker processes) for the demo, the
    # tests and the benchmarks: above the simulators it starts, below the demo that uses it.
    Layer("orchestration", (("harness",),)),
    # The composition roots: the `hopsync` command and the demo run workers, producers and
    # simulators in one process. They stay where pyproject's `hopsync` script and the docs point.
    Layer("entry points", (("producers.cli", "producers.demo"),)),
)

# Entries that name one module, not a package prefix: shared/ holds three layers (libraries at its
# top level, core/, infra/), so its own (empty) __init__ sits at the bottom with the libraries.
WHOLE_NAME_ONLY = frozenset({"shared"})

# Imports forbidden although the layers allow them, with the reason the test prints.
FORBIDDEN: tuple[tuple[str, str, str], ...] = tuple(
    (
        "sim",
        client_module,
        "the fake Okta models Okta from the reference, not from the client it tests",
    )
    for client_module in (
        "shared.okta.buckets",
        "shared.okta.headers",
        "shared.okta.ratelimit",
        "shared.okta.redis_ratelimit",
        "shared.okta.budget",
        "shared.okta.transport",
        "shared.okta.client",
    )
)


@dataclass(frozen=True)
class Place:
    """Where a module sits: its layer's index, its column's index, and the entry it matched."""

    layer: int
    column: int
    entry: str

    def describe(self) -> str:
        """``layer (column entry)`` for messages."""
        layer = LAYERS[self.layer]
        if len(layer.columns) == 1:
            return layer.name
        return f"{layer.name} ({layer.columns[self.column][0]} column)"


def place_of(module: str) -> Place | None:
    """The layer and column of a module: its longest matching entry; None when it has none."""
    best: Place | None = None
    for layer_index, layer in enumerate(LAYERS):
        for column_index, column in enumerate(layer.columns):
            for entry in column:
                matches = module == entry if entry in WHOLE_NAME_ONLY else _within(module, entry)
                if matches and (best is None or len(entry) > len(best.entry)):
                    best = Place(layer_index, column_index, entry)
    return best


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violation(source: str, target: str) -> str | None:
    """Why ``source`` may not import ``target``; None when it may."""
    for importer, imported, reason in FORBIDDEN:
        if _within(source, importer) and _within(target, imported):
            return reason
    here, there = place_of(source), place_of(target)
    if here is None or there is None:
        return None  # reported by the test that every module has a place
    if there.layer > here.layer:
        return f"{here.describe()} may not import {there.describe()}, a layer above it"
    if there.layer == here.layer and there.column != here.column:
        return (
            f"{here.describe()} and {there.describe()} are side by side: neither imports the other"
        )
    return None
