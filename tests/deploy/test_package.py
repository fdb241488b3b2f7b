"""A wheel built from the tree holds every Lua script, and an installed copy loads them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.files import REPO

pytestmark = pytest.mark.slow  # builds a wheel: about 15 s

PACKAGES = ("shared", "workers", "producers", "config", "sim", "harness")


def lua_files() -> list[str]:
    return sorted(
        str(path.relative_to(REPO))
        for package in PACKAGES
        for path in (REPO / package).rglob("*.lua")
    )


def modules_running_lua() -> list[str]:
    return sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "lua_script(__name__" in path.read_text(encoding="utf-8")
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of what the image's build gets (.dockerignore): a working tree's
    # *.egg-info would let setuptools ship files that pyproject.toml does not declare.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in PACKAGES:
        skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
        shutil.copytree(REPO / package, source / package, ignore=skip)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("hopsync-*.whl")
    return built


def test_the_wheel_holds_every_lua_script_of_the_tree(wheel: Path) -> None:
    assert lua_files(), "no Lua scripts found: the search is wrong"
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(name for name in archive.namelist() if name.endswith(".lua"))
    assert shipped == lua_files()


def test_an_installed_copy_loads_its_scripts_from_where_it_is_installed(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), wheel],
        check=True,
        capture_output=True,
    )
    modules = modules_running_lua()
    assert modules, "no module loads a Lua script: the search is wrong"
    probe = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]: print(importlib.import_module(name).__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, *modules],
        cwd=tmp_path,  # not the working tree, so only the installed copy can answer
        env={**os.environ, "PYTHONPATH": str(site)},
        check=True,
        capture_output=True,
        text=True,
    )
    files = result.stdout.split()
    assert len(files) == len(modules)
    assert all(Path(file).is_relative_to(site) for file in files), files
