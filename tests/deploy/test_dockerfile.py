"""The Dockerfile installs hopsync as a non-root user, runs `hopsync`, and bakes in no secret."""

from __future__ import annotations

import re
import tomllib

from shared.infra.metrics import METRICS_PORT_ENV
from tests.deploy.commands import resolve
from tests.deploy.files import (
    DOCKERFILE,
    REPO,
    SECRET_VARIABLES,
    Instruction,
    dockerfile_instructions,
    dockerignore_patterns,
    excluded_from_context,
    load_compose,
    stages,
)

BASE_IMAGE = "python:3.11-slim"


def all_stages() -> list[list[Instruction]]:
    return stages(dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8")))


def runtime_stage() -> list[Instruction]:
    return all_stages()[-1]


def arguments_of(keyword: str, stage: list[Instruction]) -> list[str]:
    return [item.arguments for item in stage if item.keyword == keyword]


def environment_of(stage: list[Instruction]) -> dict[str, str]:
    pairs = re.findall(r"(\w+)=(\S+)", " ".join(arguments_of("ENV", stage)))
    return dict(pairs)


def copied_sources() -> list[str]:
    sources: list[str] = []
    for stage in all_stages():
        for arguments in arguments_of("COPY", stage):
            if not arguments.startswith("--from="):
                sources.extend(arguments.split()[:-1])
    return sources


def test_every_stage_builds_on_python_3_11_slim() -> None:
    for stage in all_stages():
        assert stage[0].arguments.split()[0] == BASE_IMAGE


def test_the_runtime_stage_runs_as_a_created_non_root_user() -> None:
    stage = runtime_stage()
    users = arguments_of("USER", stage)
    assert users, "the runtime stage never leaves root"
    user = users[-1]
    assert user not in ("root", "0") and not user.startswith("0:")
    created = " ".join(arguments_of("RUN", stage))
    match = re.search(rf"useradd\b[^&]*--uid (\d+)[^&]*\b{re.escape(user)}\b", created)
    assert match is not None, f"no RUN useradd creates {user!r}"
    assert int(match.group(1)) != 0


def test_the_user_switch_comes_after_every_install_step() -> None:
    stage = runtime_stage()
    user_at = max(index for index, item in enumerate(stage) if item.keyword == "USER")
    assert all(item.keyword != "RUN" for item in stage[user_at:])


def test_the_entrypoint_is_hopsync_and_the_default_command_parses() -> None:
    stage = runtime_stage()
    (entrypoint,) = [item for item in stage if item.keyword == "ENTRYPOINT"]
    (command,) = [item for item in stage if item.keyword == "CMD"]

    assert entrypoint.exec_form() == ["hopsync"]
    line = resolve(command.exec_form())
    assert line.path, f"CMD {command.arguments} names no hopsync subcommand"
    assert line.usage_error() is None


def test_the_package_is_built_from_the_repository_and_installed_without_extras() -> None:
    build, runtime = all_stages()[0], runtime_stage()
    built = " ".join(arguments_of("RUN", build))
    installed = " ".join(arguments_of("RUN", runtime))

    assert re.search(r"pip wheel .*--no-deps .*--wheel-dir /wheels \.$", built)
    assert "COPY --from=build /wheels/ /tmp/wheels/" in [
        f"COPY {arguments}" for arguments in arguments_of("COPY", runtime)
    ]
    assert re.search(r"pip install /tmp/wheels/hopsync-\*\.whl\b", installed)
    assert "[" not in built + installed, "an extra such as [dev] is installed"
    assert " -e " not in f" {built} {installed} "


def test_every_package_the_project_declares_is_copied_into_the_build() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    declared = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in declared}
    copied = {source.rstrip("/") for source in copied_sources()}

    assert packages <= copied
    assert {"pyproject.toml", pyproject["project"]["readme"]} <= copied


def test_dockerignore_lets_in_what_the_build_copies_and_keeps_secrets_out() -> None:
    patterns = dockerignore_patterns()
    for source in copied_sources():
        assert not excluded_from_context(patterns, source), source
    for module in (REPO / "shared").rglob("*.py"):
        assert not excluded_from_context(patterns, str(module.relative_to(REPO))), module
    for kept_out in (".env", "hopsync.yaml", ".venv/bin/python", ".git/config", "tests/x.py"):
        assert excluded_from_context(patterns, kept_out), kept_out


def test_no_secret_is_set_in_the_image() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    names = environment_of(runtime_stage()).keys() | set(
        " ".join(arguments_of("ARG", runtime_stage())).split()
    )
    for secret in SECRET_VARIABLES:
        assert secret not in text, secret
    assert not {name for name in names if re.search("TOKEN|SECRET|PASSWORD|KEY", name)}


def test_the_image_and_compose_agree_on_the_config_path_and_metrics_port() -> None:
    environment = environment_of(runtime_stage())
    worker = load_compose()["services"]["worker"]["environment"]
    config = load_compose()["services"]["config"]["environment"]

    assert environment["HOPSYNC_CONFIG"] == config["HOPSYNC_CONFIG"]
    assert environment[METRICS_PORT_ENV] == worker[METRICS_PORT_ENV]
    assert environment[METRICS_PORT_ENV] in arguments_of("EXPOSE", runtime_stage())[0].split()
