"""docs/deployment.md agrees with the compose file and the CLI it describes."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import click
import yaml

from config.loader import parse_config
from tests.deploy.commands import resolve
from tests.deploy.files import DEPLOYMENT_DOC, fenced_blocks, load_compose

SIMULATORS = {"okta": "okta-sim", "charthop": "charthop-sim"}
TOKEN_VARIABLES = {"okta": "OKTA_API_TOKEN", "charthop": "CHARTHOP_API_TOKEN"}


def doc() -> str:
    return DEPLOYMENT_DOC.read_text(encoding="utf-8")


def trial_config_text() -> str:
    (text,) = [block for block in fenced_blocks(doc(), "yaml") if "-sim:" in block]
    return text


def trial_env() -> dict[str, str]:
    blocks = [block for block in fenced_blocks(doc(), "dotenv") if "sim-" in block]
    (text,) = blocks
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def served_port(service: str) -> int:
    command = load_compose()["services"][service]["command"]
    return int(command[command.index("--port") + 1])


def option_default(path: tuple[str, ...], option: str) -> object:
    command = resolve(path).command
    (param,) = [p for p in command.params if isinstance(p, click.Option) and option in p.opts]
    return param.default


def test_the_trial_configuration_is_valid_and_points_at_the_simulators() -> None:
    config = parse_config(yaml.safe_load(trial_config_text()), source="docs/deployment.md")
    urls = {"okta": config.okta.url, "charthop": config.charthop.base_url}

    for name, url in urls.items():
        parts = urlsplit(url)
        assert parts.hostname == SIMULATORS[name], url
        assert parts.port == served_port(SIMULATORS[name]), url


def test_the_trial_tokens_are_the_ones_the_simulators_accept() -> None:
    env = trial_env()
    for name, variable in TOKEN_VARIABLES.items():
        assert env[variable] == option_default(("sim", name), "--token"), variable


def service_table() -> dict[str, str]:
    """The guide's first table: each service name and the command documented for it."""
    table = doc().split("\n## ", 1)[0]
    documented: dict[str, str] = {}
    for row in re.findall(r"^\|.*\|$", table, re.MULTILINE):
        cells = row.split("|")
        names, commands = re.findall(r"`([^`]+)`", cells[1]), re.findall(r"`([^`]+)`", cells[2])
        if len(commands) == 1:
            commands = commands * len(names)
        documented.update(zip(names, commands, strict=True))
    return documented


def test_the_service_table_matches_the_compose_commands() -> None:
    documented = service_table()
    for service, spec in load_compose()["services"].items():
        entrypoint = [] if service == "redis" else ["hopsync"]
        actual = " ".join([*entrypoint, *spec["command"]])
        assert service in documented, f"docs/deployment.md's table lacks {service}"
        assert actual.startswith(documented[service].removesuffix(" …")), service


def test_every_documented_compose_run_is_a_valid_hopsync_command_line() -> None:
    runs = re.findall(r"docker compose run --rm (?:worker|config) ([^#\n]+)", doc())
    assert runs, "the guide shows no `docker compose run` example"
    for run in runs:
        line = resolve(run.split())
        assert line.path, run
        assert line.usage_error() is None, run
