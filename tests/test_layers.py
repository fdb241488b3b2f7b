"""Layers only point down, and no module imports itself round a loop (tests/layers.py's table)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.import_graph import Import, cycles, import_graph, module_files
from tests.layers import LAYERS, place_of, violation


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    return import_graph()


def test_every_module_has_a_place_in_the_layer_table() -> None:
    homeless = [name for name in module_files() if place_of(name) is None]
    assert homeless == [], (
        f"{', '.join(homeless)}: in no layer; add each to LAYERS in tests/layers.py "
        "(CONTRIBUTING.md says which layer)"
    )


def test_no_module_imports_a_layer_above_it_or_a_column_beside_it(graph: list[Import]) -> None:
    wrong = [
        f"{entry.where} imports {entry.target}: {reason}"
        for entry in graph
        if (reason := violation(entry.source, entry.target))
    ]
    assert wrong == [], "\n".join(wrong)


def test_no_modules_import_each_other_round_a_loop(graph: list[Import]) -> None:
    loops = [" <-> ".join(group) for group in cycles(graph)]
    assert loops == [], "import cycles:\n" + "\n".join(loops)


def test_every_entry_of_the_layer_table_names_a_module_that_exists() -> None:
    modules = set(module_files())
    stale = [
        entry
        for layer in LAYERS
        for column in layer.columns
        for entry in column
        if not any(name == entry or name.startswith(entry + ".") for name in modules)
    ]
    assert stale == [], f"{', '.join(stale)}: no such module; update tests/layers.py"


def write(root: Path, module: str, source: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        (root / parent / "__init__.py").touch()
    path.write_text(source)


def test_the_check_finds_a_back_edge_and_a_loop_in_a_tree_that_has_them(tmp_path: Path) -> None:
    write(tmp_path, "producers.run", "from workers.apply import apply\n")
    write(tmp_path, "workers.apply", "def apply() -> None: ...\n")
    write(
        tmp_path, "shared.core.models", "def later() -> None:\n    from shared.core.plan import x\n"
    )
    write(tmp_path, "shared.core.plan", "from shared.core.models import later\nx = 1\n")
    write(tmp_path, "shared.errors", "from config.settings import Settings\n")
    write(tmp_path, "config.settings", "class Settings: ...\n")
    graph = import_graph(tmp_path)
    reasons = {(e.source, e.target): violation(e.source, e.target) for e in graph}
    assert reasons[("producers.run", "workers.apply")] is not None
    assert reasons[("shared.errors", "config.settings")] is not None
    assert reasons[("shared.core.plan", "shared.core.models")] is None
    assert cycles(graph) == [["shared.core.models", "shared.core.plan"]]


def test_the_fake_okta_may_not_borrow_the_clients_bucket_logic() -> None:
    assert violation("sim.okta.gate", "shared.okta.buckets") is not None
    assert violation("sim.okta.state", "shared.okta.models") is None


# Modules that open a Redis client themselves, with the reason; everyone else uses
# shared/infra/redis_client.py (connect_redis, connect_async_redis).
OWN_REDIS_CLIENTS = {
    "shared.infra.redis_client": "the one connection helper",
    "producers.webhook.app": "a bounded blocking pool that fails within seconds (senders retry)",
}


def test_redis_clients_are_opened_through_the_one_connection_helper() -> None:
    found = []
    for name, path in module_files().items():
        if name in OWN_REDIS_CLIENTS:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and _opens_redis(node.func):
                found.append(f"{name}:{node.lineno}")
    assert found == [], "use shared.infra.redis_client.connect_redis instead: " + ", ".join(found)


def _opens_redis(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute) and func.attr in ("from_url", "from_pool"):
        return "Redis" in ast.unparse(func.value) or "ConnectionPool" in ast.unparse(func.value)
    return isinstance(func, ast.Attribute | ast.Name) and ast.unparse(func) in (
        "redis.Redis",
        "aioredis.Redis",
        "Redis",
    )
