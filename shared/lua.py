"""Lua scripts kept as .lua files beside the module that runs them.

A script in a file of its own reads, diffs and lints as Lua, with its KEYS and ARGV documented
where they are used. pyproject.toml ships every package's ``*.lua`` as package data, so an
installed hopsync finds them as a working tree does (tests/deploy/test_package.py checks a wheel).
"""

from __future__ import annotations

from importlib import resources


def lua_script(module: str, filename: str) -> str:
    """The text of the Lua script ``filename`` in the folder of ``module`` (pass ``__name__``)."""
    package = module.rpartition(".")[0]
    return resources.files(package).joinpath(filename).read_text(encoding="utf-8")
