"""The Settings form is built from the configuration models: every setting appears, and submitting
the form unchanged gives back the same configuration."""

from __future__ import annotations

from typing import Any

from config.loader import parse_config
from config.settings import HopsyncConfig
from harness.world import DEFAULT_CONFIG
from producers.webconsole.settings_form import OWN_PAGES, apply, sections
from shared.infra.config_store import canonical


def leaf_paths(document: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in document.items():
        if not prefix and key in OWN_PAGES:
            continue
        if isinstance(value, dict):
            paths |= leaf_paths(value, f"{prefix}{key}.")
        else:
            paths.add(f"{prefix}{key}")
    return paths


def submitted_as_is(document: dict[str, Any]) -> dict[str, str]:
    """What a browser sends for the form as rendered (checkboxes only when checked)."""
    form: dict[str, str] = {}
    for section in sections(document):
        if section.optional and section.enabled:
            form[f"{section.path}.__enabled"] = "on"
        for item in section.inputs:
            if item.kind == "bool":
                if item.value:
                    form[item.path] = "on"
            else:
                form[item.path] = "" if item.value is None else str(item.value)
    return form


def test_every_setting_of_the_configuration_has_an_input() -> None:
    document = canonical(
        parse_config(
            {
                **DEFAULT_CONFIG,
                "settings": {"safety": {"max_updates": "5%"}},
                "smtp": {"host": "mail.example.com"},
            }
        )
    )
    shown = {item.path for section in sections(document) for item in section.inputs}
    assert leaf_paths(document) <= shown
    assert {"settings.daily_at", "settings.timezone", "settings.notify_emails"} <= shown
    assert "settings.safety.max_updates" in shown


def test_submitting_the_form_unchanged_gives_back_the_same_configuration() -> None:
    config = parse_config(DEFAULT_CONFIG)
    document = canonical(config)
    again = parse_config(apply(document, submitted_as_is(document)))
    assert again == config


def test_switching_an_optional_section_off_removes_it_and_on_fills_its_defaults() -> None:
    document = canonical(parse_config(DEFAULT_CONFIG))
    form = submitted_as_is(document)
    form["settings.safety.__enabled"] = "on"
    enabled = parse_config(apply(document, form))
    assert enabled.settings.safety is not None
    off = apply(canonical(enabled), submitted_as_is(document))
    assert parse_config(off).settings.safety == parse_config(DEFAULT_CONFIG).settings.safety


def test_a_list_is_one_entry_per_line_and_blank_lines_are_dropped() -> None:
    document = canonical(parse_config(DEFAULT_CONFIG))
    form = submitted_as_is(document)
    form["settings.notify_emails"] = "a@example.com\n\n  b@example.com  \n"
    assert apply(document, form)["settings"]["notify_emails"] == ["a@example.com", "b@example.com"]


def test_the_models_are_the_source_of_the_form() -> None:
    top_level = {name for name in HopsyncConfig.model_fields if name not in OWN_PAGES}
    assert top_level <= {section.path.split(".")[0] for section in sections({})} | {"runs_ttl_days"}
