"""docker-compose.yml is a valid Compose file that runs the documented hopsync commands safely."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from jsonschema.validators import validator_for  # type: ignore[import-untyped]

from shared.infra.metrics import METRICS_PORT_ENV
from tests.deploy.commands import (
    CommandPath,
    mentioned_command_paths,
    resolve,
    without_options,
)
from tests.deploy.files import (
    README,
    SECRET_VARIABLES,
    hopsync_services,
    load_compose,
    load_compose_schema,
)

# Options the compose file passes that the CLI does not take yet; each entry is waiting for a
# change in producers/cli.py, and test_pending_entries_are_still_missing fails once it lands.
# The simulators bind 127.0.0.1 by default, which other containers cannot reach.
PENDING_OPTIONS: dict[CommandPath, set[str]] = {}
# Compose commands the README does not name yet.
PENDING_README_MENTIONS: set[CommandPath] = set()

SIM_SERVICES = {"okta-sim", "charthop-sim"}
ONE_SHOT_SERVICES = {"config"}  # jobs that run once and exit: nothing to probe, no restart
CONFIG_TARGET = "/etc/hopsync/hopsync.yaml"
VARIABLE_REFERENCE = r"^\$\{{{name}(:?[-?][^}}]*)?\}}$"


def validation_errors(document: dict[str, Any]) -> list[str]:
    schema = load_compose_schema()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    errors = validator_class(schema).iter_errors(document)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]


def service_commands() -> dict[str, list[str]]:
    return {name: spec["command"] for name, spec in hopsync_services(load_compose()).items()}


def test_the_compose_file_conforms_to_the_compose_specification() -> None:
    assert validation_errors(load_compose()) == []


def test_the_schema_rejects_a_misspelt_service_key() -> None:
    document = copy.deepcopy(load_compose())
    document["services"]["worker"]["healthckeck"] = document["services"]["worker"]["healthcheck"]

    errors = validation_errors(document)

    assert errors, "the schema accepted an unknown service key"
    assert any("healthckeck" in error for error in errors)


def test_every_container_runs_an_existing_hopsync_subcommand() -> None:
    for service, command in service_commands().items():
        line = resolve(command)
        assert line.path, f"{service}: {command} names no hopsync subcommand"
        pending = PENDING_OPTIONS.get(line.path, set())
        parsed = type(line)(line.path, line.command, without_options(line.arguments, pending))
        assert parsed.usage_error() is None, f"{service}: `hopsync {' '.join(command)}`"


def test_pending_entries_are_still_missing_from_the_cli_and_the_readme() -> None:
    mentioned = mentioned_command_paths(README.read_text(encoding="utf-8"))
    for path, options in PENDING_OPTIONS.items():
        landed = options & resolve(path).option_names()
        assert not landed, f"`hopsync {' '.join(path)}` now takes {landed}: drop it from PENDING"
    landed_mentions = PENDING_README_MENTIONS & mentioned
    assert not landed_mentions, f"README now names {landed_mentions}: drop them from PENDING"


def test_the_readme_names_every_command_the_containers_run() -> None:
    mentioned = mentioned_command_paths(README.read_text(encoding="utf-8"))
    run = {resolve(command).path for command in service_commands().values()}

    assert run - mentioned - PENDING_README_MENTIONS == set()
    assert ("worker",) in mentioned & run


def test_no_service_replaces_the_hopsync_entrypoint() -> None:
    for service, spec in hopsync_services(load_compose()).items():
        assert "entrypoint" not in spec, service


def test_redis_keeps_an_append_only_file_fsynced_every_second_on_a_volume() -> None:
    compose = load_compose()
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])

    assert "--appendonly yes" in command
    assert "--appendfsync everysec" in command
    volume, _, target = redis["volumes"][0].partition(":")
    assert target == "/data"
    assert volume in compose["volumes"]


def test_every_service_has_a_healthcheck_whose_python_probe_compiles() -> None:
    for service, spec in load_compose()["services"].items():
        if service in ONE_SHOT_SERVICES:
            assert spec["restart"] == "no" and spec["healthcheck"]["disable"] is True, service
            continue
        test = spec["healthcheck"]["test"]
        assert test[0] == "CMD" and len(test) > 1, service
        assert not spec["healthcheck"].get("disable", False), service
        if test[1] == "python":
            assert test[2] == "-c", service
            compile(test[3], f"<{service} healthcheck>", "exec")


def test_the_hopsync_services_wait_for_a_healthy_redis() -> None:
    for service, spec in hopsync_services(load_compose()).items():
        if service in SIM_SERVICES:
            continue
        assert spec["depends_on"]["redis"]["condition"] == "service_healthy", service


def test_secrets_are_references_to_the_environment_never_values() -> None:
    for service, spec in load_compose()["services"].items():
        environment = spec.get("environment", {})
        assert isinstance(environment, dict), f"{service}: use the mapping form of environment"
        for name in SECRET_VARIABLES:
            if name in environment:
                reference = VARIABLE_REFERENCE.format(name=name)
                assert re.match(reference, str(environment[name])), f"{service}: {name}"
        assert "env_file" not in spec, f"{service}: secrets are interpolated, not env_file-loaded"


def test_the_api_tokens_are_required_rather_than_defaulted() -> None:
    environment = load_compose()["services"]["worker"]["environment"]
    for name in ("OKTA_API_TOKEN", "CHARTHOP_API_TOKEN", "HOPSYNC_WEBHOOK_SECRET"):
        assert environment[name].startswith(f"${{{name}:?"), name


def test_the_configuration_file_is_mounted_once_and_applied_once() -> None:
    config = load_compose()["services"]["config"]
    (mount,) = [m for m in config["volumes"] if m["target"] == CONFIG_TARGET]
    assert mount["read_only"] is True
    assert mount["bind"]["create_host_path"] is False
    assert config["environment"]["HOPSYNC_CONFIG"] == CONFIG_TARGET
    line = resolve(config["command"])
    assert line.path == ("config", "apply") and line.usage_error() is None
    assert CONFIG_TARGET in config["command"] and "--if-none" in config["command"]


def test_the_services_run_the_version_in_redis_without_the_file() -> None:
    for service, spec in hopsync_services(load_compose()).items():
        if service in SIM_SERVICES | ONE_SHOT_SERVICES:
            continue
        assert "volumes" not in spec, service
        assert "HOPSYNC_CONFIG" not in spec["environment"], service
        condition = spec["depends_on"]["config"]["condition"]
        assert condition == "service_completed_successfully", service


def test_the_processes_that_serve_metrics_are_probed_on_the_metrics_port() -> None:
    services = load_compose()["services"]
    for service in ("worker", "scheduler"):
        assert METRICS_PORT_ENV in services[service]["environment"], service
        assert METRICS_PORT_ENV in services[service]["healthcheck"]["test"][3], service


def test_the_webhook_probe_asks_healthz_on_the_port_it_serves_and_publishes() -> None:
    webhook = load_compose()["services"]["webhook"]
    command = webhook["command"]
    port = command[command.index("--port") + 1]

    assert f"http://127.0.0.1:{port}/healthz" in webhook["healthcheck"]["test"][3]
    assert webhook["ports"] == [f"{port}:{port}"]


def test_two_worker_replicas_run_by_default() -> None:
    assert load_compose()["services"]["worker"]["deploy"]["replicas"] == 2


@pytest.mark.parametrize("service", sorted(SIM_SERVICES))
def test_a_simulator_starts_only_with_the_sim_profile_and_listens_beyond_loopback(
    service: str,
) -> None:
    spec = load_compose()["services"][service]
    command = spec["command"]

    assert spec["profiles"] == ["sim"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    port = command[command.index("--port") + 1]
    assert f"('127.0.0.1', {port})" in spec["healthcheck"]["test"][3]


def test_only_the_simulators_sit_behind_a_profile() -> None:
    for service, spec in load_compose()["services"].items():
        assert ("profiles" in spec) == (service in SIM_SERVICES), service
