"""Fuzz the configuration loader and Carrot: bad input raises ConfigError or CarrotError only."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from config.loader import load_config, parse_config
from harness.world import DEFAULT_CONFIG
from shared.carrot import compile_expression, compile_filter, compile_source, compile_template
from shared.errors import CarrotError, ConfigError

ENV = {
    "OKTA_API_TOKEN": "t-okta",
    "CHARTHOP_API_TOKEN": "t-charthop",
    "HOPSYNC_WEBHOOK_SECRET": "t-webhook",
}
YAML_ALPHABET = st.sampled_from(
    [*list(":-[]{},&*!|>'\"#%@` \n\t?=~.0123456789abcxyz\\"), "\x00", "é"]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=15,
)
SECTIONS = st.sampled_from(sorted(DEFAULT_CONFIG))
CARROT_ALPHABET = st.sampled_from(
    [
        *list("()[]{}:!?,.'\"=<>+-*/%&| \t\n_@$#0123456789"),
        "is",
        "name",
        "department",
        "?:",
        "&&",
        "||",
        "date(",
        "today",
        "manager",
        "é",
    ]
)
CARROT_TEXT = st.one_of(st.text(max_size=60), st.lists(CARROT_ALPHABET, max_size=30).map("".join))
RECORD = {
    "name": {"first": "Ada", "last": "Lovelace"},
    "department": {"name": "Engineering"},
    "title": "Engineer",
    "startDate": "2020-01-02",
    "directReports": 2,
    "contact": {"workEmail": "ada@acme.example"},
}


def load_text(text: str | bytes) -> None:
    """Load a configuration file holding ``text``; only ConfigError may escape."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hopsync.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        try:
            load_config(str(path), environ=ENV)
        except ConfigError as error:
            assert "t-okta" not in str(error) and "t-webhook" not in str(error)


@settings(max_examples=600, deadline=None, database=None)
@given(
    st.one_of(
        st.lists(YAML_ALPHABET, max_size=120).map("".join),
        st.text(max_size=200),
        st.binary(max_size=200),
    )
)
def test_any_yaml_ish_file_is_loaded_or_refused_with_a_config_error(text: str | bytes) -> None:
    load_text(text)


@settings(max_examples=600, deadline=None, database=None)
@given(section=SECTIONS, key=st.text(max_size=20), value=VALUES, replace=st.booleans())
def test_a_valid_configuration_with_any_section_mutated_raises_only_config_error(
    section: str, key: str, value: Any, replace: bool
) -> None:
    raw: dict[str, Any] = {
        name: dict(part) if isinstance(part, dict) else part
        for name, part in DEFAULT_CONFIG.items()
    }
    if replace or not isinstance(raw[section], dict):
        raw[section] = value
    else:
        raw[section][key] = value
    with contextlib.suppress(ConfigError):
        parse_config(raw)
    load_text(yaml.safe_dump(raw, allow_unicode=True))


@settings(max_examples=1500, deadline=None, database=None)
@given(CARROT_TEXT)
def test_any_carrot_text_compiles_and_evaluates_or_raises_only_carrot_error(text: str) -> None:
    for compile_text in (compile_filter, compile_source, compile_expression, compile_template):
        try:
            compiled = compile_text(text)
        except CarrotError:
            continue
        try:
            compiled.evaluate(RECORD)
            compiled.matches(RECORD)
        except CarrotError:
            pass


def test_a_yaml_alias_bomb_is_refused_quickly_with_a_config_error() -> None:
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * 10) + "]"]
    lines += [f"a{n}: &a{n} [" + ",".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    document = "\n".join(lines) + "\ncharthop: {org: acme}\nokta: {domain: x}\ngroups: *a8\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hopsync.yaml"
        path.write_text(document)
        try:
            load_config(str(path), environ=ENV)
        except ConfigError as error:
            assert "a0" in str(error)
        else:
            raise AssertionError("an alias bomb was accepted as a configuration")
