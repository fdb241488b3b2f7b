"""Every settings.safety key is documented with its default, in the README and the example file."""

from __future__ import annotations

from pathlib import Path

import yaml

from config.settings import SafetyConfig

ROOT = Path(__file__).parents[2]


def test_the_readme_lists_every_safety_key_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for key, field in SafetyConfig.model_fields.items():
        default = field.default
        shown = f'`"{default}"`' if isinstance(default, str) else f"`{default}`"
        shown = "`null`" if default is None else shown
        assert f"| `settings.safety.{key}` | default {shown}" in readme, key


def test_the_example_configuration_spells_out_the_defaults() -> None:
    example = yaml.safe_load((ROOT / "config" / "hopsync.example.yaml").read_text("utf-8"))
    assert SafetyConfig.model_validate(example["settings"]["safety"]) == SafetyConfig()
    assert set(example["settings"]["safety"]) == set(SafetyConfig.model_fields)
