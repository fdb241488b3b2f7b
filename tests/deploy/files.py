"""Read the deployment files: the compose file and its schema, the Dockerfile, and .dockerignore."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
COMPOSE_SCHEMA = Path(__file__).with_name("compose-spec.json")
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
README = REPO / "README.md"
DEPLOYMENT_DOC = REPO / "docs" / "deployment.md"

# The environment variables that hold secrets (REDIS_URL may carry a password).
SECRET_VARIABLES = (
    "OKTA_API_TOKEN",
    "CHARTHOP_API_TOKEN",
    "HOPSYNC_WEBHOOK_SECRET",
    "SMTP_PASSWORD",
    "REDIS_URL",
)


def load_compose() -> dict[str, Any]:
    """The compose file as Compose reads it, YAML anchors and merge keys resolved."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


def load_compose_schema() -> dict[str, Any]:
    """The Compose Specification's JSON schema (tests/deploy/SOURCE.md says where it is from)."""
    schema: dict[str, Any] = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    return schema


def hopsync_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run this repository's image (those Compose builds from it)."""
    return {name: spec for name, spec in compose["services"].items() if "build" in spec}


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: its keyword (upper case) and its argument text."""

    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form instruction (ENTRYPOINT, CMD); ValueError otherwise."""
        parsed = json.loads(self.arguments)
        if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
            raise ValueError(f"{self.keyword} {self.arguments} is not in exec form")
        return parsed


def dockerfile_instructions(text: str) -> list[Instruction]:
    """Split a Dockerfile into instructions, joining continued lines and dropping comments."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(arguments.split())))
        pending = ""
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """The build stages, each starting with its FROM instruction."""
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def dockerignore_patterns() -> list[str]:
    """The patterns of .dockerignore, in order."""
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def excluded_from_context(patterns: list[str], path: str) -> bool:
    """Whether Docker leaves ``path`` out of the build context under ``patterns``.

    Docker's rules: the last pattern that matches the path or one of its parent directories
    decides; a pattern starting with ``!`` re-includes.
    """
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _pattern_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    cleaned = pattern.strip().strip("/")
    out = ""
    index = 0
    while index < len(cleaned):
        if cleaned.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
        elif cleaned.startswith("**", index):
            out, index = out + ".*", index + 2
        elif cleaned[index] == "*":
            out, index = out + "[^/]*", index + 1
        elif cleaned[index] == "?":
            out, index = out + "[^/]", index + 1
        else:
            out, index = out + re.escape(cleaned[index]), index + 1
    return re.compile(out)


def fenced_blocks(markdown: str, info: str) -> list[str]:
    """The bodies of the fenced code blocks whose info string is ``info``, list indent removed."""
    fence = rf"^[ \t]*```{re.escape(info)}[ \t]*\n(.*?)^[ \t]*```[ \t]*$"
    pattern = re.compile(fence, re.MULTILINE | re.DOTALL)
    return [textwrap.dedent(match.group(1)) for match in pattern.finditer(markdown)]
