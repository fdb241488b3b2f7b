"""Configuration loading: a good file loads; a bad one lists every problem by path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from config import load_config
from shared.errors import ConfigError

EXAMPLE = Path(__file__).parents[2] / "config" / "hopsync.example.yaml"
ENV = {
    "OKTA_API_TOKEN": "okta-secret-token",
    "CHARTHOP_API_TOKEN": "charthop-secret-token",
    "HOPSYNC_WEBHOOK_SECRET": "webhook-secret",
}


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "hopsync.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def example() -> dict[str, object]:
    return dict(yaml.safe_load(EXAMPLE.read_text()))


def problems_of(path: str, env: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=ENV if env is None else env)
    return dict(caught.value.problems)


def test_the_example_file_loads_with_its_secrets_from_the_environment() -> None:
    loaded = load_config(str(EXAMPLE), environ=ENV)
    assert loaded.config.okta.url == "https://acme.okta.com"
    assert [group.name for group in loaded.config.groups] == ["Engineering", "Managers"]
    assert loaded.okta_token().get_secret_value() == "okta-secret-token"
    assert loaded.config.settings.timezone == "America/New_York"


def test_every_problem_is_listed_by_its_path(tmp_path: Path) -> None:
    data = example()
    data["okta"] = {"domain": "acme.okta.com", "rate_limit_share": 1.5, "colour": "red"}
    data["groups"] = [
        {"name": "A", "query": "department:x"},
        {"name": "B", "query": "department:&& title:vp"},
    ]
    data["settings"] = {"chat_webhook_url": "ftp://chat.example/hook", "daily_at": "25:00"}
    data["profile_fields"] = {"login": "contact.workEmail", "title": "nosuchfunction(title)"}
    problems = problems_of(write(tmp_path, data))
    assert "rate_limit_share" in next(iter(k for k in problems if k.startswith("okta.rate")))
    assert problems["okta.colour"].startswith("unknown key")
    assert "expected a value after ':'" in problems["groups[1].query"]
    assert "^" in problems["groups[1].query"]
    assert "http" in problems["settings.chat_webhook_url"]
    assert "HH:MM" in problems["settings.daily_at"]
    assert "nosuchfunction" in problems["profile_fields.title"].lower()


def test_missing_secrets_are_problems_named_after_their_variables() -> None:
    problems = problems_of(str(EXAMPLE), env={})
    assert set(problems) == {
        "env.OKTA_API_TOKEN",
        "env.CHARTHOP_API_TOKEN",
        "env.HOPSYNC_WEBHOOK_SECRET",
    }


def test_a_missing_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    problems = problems_of(str(tmp_path / "absent.yaml"))
    assert "--config" in problems["(file)"]


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "okta: [unclosed\n"))
    assert any(path.startswith("line ") for path in problems)


def test_duplicate_group_names_are_reported(tmp_path: Path) -> None:
    data = example()
    data["groups"] = [
        {"name": "Sales", "query": "department:sales"},
        {"name": "sales", "query": "department:sales"},
    ]
    problems = problems_of(write(tmp_path, data))
    assert problems["groups[1].name"] == "duplicates groups[0].name"


def test_secrets_never_appear_in_a_config_error(tmp_path: Path) -> None:
    data = example()
    data["okta"] = {"domain": ENV["OKTA_API_TOKEN"] * 0 + "", "rate_limit_share": 0}
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data), environ=ENV)
    for secret in ENV.values():
        assert secret not in str(caught.value)


def test_the_config_path_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    path = write(tmp_path, example())
    loaded = load_config(None, environ={**ENV, "HOPSYNC_CONFIG": path})
    assert loaded.path == path


def test_an_unquoted_leavers_time_of_day_is_read_as_the_time_it_looks_like(
    tmp_path: Path,
) -> None:
    text = EXAMPLE.read_text().replace('time_of_day: "09:00"', "time_of_day: 18:00")
    assert "time_of_day: 18:00" in text  # YAML 1.1 reads it as 1080 (base 60)
    path = tmp_path / "hopsync.yaml"
    path.write_text(text)
    loaded = load_config(str(path), environ=ENV)
    assert loaded.config.settings.leavers.time_of_day == "18:00"
