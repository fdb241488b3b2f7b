"""Load the configuration file and the secrets from the environment, listing every problem by path.

Nothing runs on a configuration that has a problem: load_config raises ConfigError with all of them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from config.settings import HopsyncConfig
from shared.errors import ConfigError

DEFAULT_PATH = "hopsync.yaml"
CONFIG_ENV = "HOPSYNC_CONFIG"


class Secrets(BaseModel):
    """Secrets and connection strings, read only from the environment."""

    model_config = ConfigDict(frozen=True)

    okta_api_token: SecretStr | None = None
    charthop_api_token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    smtp_password: SecretStr | None = None
    redis_url: str = "redis://127.0.0.1:6379/0"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Secrets:
        """Read the secrets from an environment mapping; empty values count as missing."""

        def secret(name: str) -> SecretStr | None:
            value = environ.get(name, "")
            return SecretStr(value) if value else None

        return cls(
            okta_api_token=secret("OKTA_API_TOKEN"),
            charthop_api_token=secret("CHARTHOP_API_TOKEN"),
            webhook_secret=secret("HOPSYNC_WEBHOOK_SECRET"),
            smtp_password=secret("SMTP_PASSWORD"),
            redis_url=environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        )

    def values(self) -> list[str]:
        """Every secret value that is set, for redaction."""
        found = [
            self.okta_api_token,
            self.charthop_api_token,
            self.webhook_secret,
            self.smtp_password,
        ]
        return [secret.get_secret_value() for secret in found if secret is not None]


@dataclass(frozen=True)
class LoadedConfig:
    """A validated configuration with the secrets it runs with."""

    config: HopsyncConfig
    secrets: Secrets
    path: str
    # The configuration version (or draft) in Redis this is; None when read from a file alone.
    version: int | None = None
    draft: bool = False

    def okta_token(self) -> SecretStr:
        """The Okta API token (load_config has checked that it is set)."""
        assert self.secrets.okta_api_token is not None
        return self.secrets.okta_api_token

    def charthop_token(self) -> SecretStr:
        """The ChartHop API token (load_config has checked that it is set)."""
        assert self.secrets.charthop_api_token is not None
        return self.secrets.charthop_api_token


def config_path(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The file to read: --config, else $HOPSYNC_CONFIG, else hopsync.yaml."""
    env = os.environ if environ is None else environ
    return explicit or env.get(CONFIG_ENV) or DEFAULT_PATH


def load_config(
    path: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    require_secrets: bool = True,
) -> LoadedConfig:
    """Read, validate and return the configuration; raise ConfigError listing every problem."""
    env = os.environ if environ is None else environ
    source = config_path(path, env)
    raw = _read_yaml(source)
    config, problems = _validate(raw)
    secrets = Secrets.from_env(env)
    if config is not None:
        problems += _cross_checks(config)
        if require_secrets:
            problems += missing_secrets(config, secrets)
    if problems or config is None:
        raise ConfigError(problems, source=source)
    return LoadedConfig(config=config, secrets=secrets, path=source)


def parse_config(raw: Mapping[str, Any], source: str = "configuration") -> HopsyncConfig:
    """Validate an already-parsed mapping (no secrets checked); raise ConfigError on problems."""
    config, problems = _validate(raw)
    if config is not None:
        problems += _cross_checks(config)
    if problems or config is None:
        raise ConfigError(problems, source=source)
    return config


def _read_yaml(source: str) -> Any:
    file = Path(source)
    if not file.is_file():
        raise ConfigError(
            [("(file)", f"no such file; pass --config PATH or set {CONFIG_ENV}")], source=source
        )
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(error, "problem", None) or "is not valid YAML"
        raise ConfigError([(where, f"invalid YAML: {problem}")], source=source) from None
    except UnicodeDecodeError:
        raise ConfigError([("(file)", "is not UTF-8 text")], source=source) from None


def _validate(raw: Any) -> tuple[HopsyncConfig | None, list[tuple[str, str]]]:
    if not isinstance(raw, Mapping):
        kind = "empty" if raw is None else type(raw).__name__
        return None, [("(file)", f"must be a mapping of settings, got {kind}")]
    try:
        return HopsyncConfig.model_validate(dict(raw)), []
    except ValidationError as error:
        return None, [(_path(item["loc"]), _message(item)) for item in error.errors()]


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in part or "function-after" in part:
            continue  # pydantic's internal validator names, not part of the user's file
        else:
            path += f".{part}" if path else part
    return path or "(file)"


def _message(item: Mapping[str, Any]) -> str:
    message = str(item["msg"])
    if item["type"] == "extra_forbidden":
        return "unknown key; check its spelling against the configuration reference"
    if item["type"] == "missing":
        return "is required"
    return message.removeprefix("Value error, ")


def _cross_checks(config: HopsyncConfig) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for index, group in enumerate(config.groups):
        key = group.name.casefold()
        if key in seen:
            problems.append((f"groups[{index}].name", f"duplicates groups[{seen[key]}].name"))
        seen.setdefault(key, index)
    if config.settings.notify_emails and config.smtp is None:
        problems.append(("smtp", "is required when settings.notify_emails is set"))
    if config.match.okta_attribute not in config.profile_fields and config.settings.create_profiles:
        problems.append(
            (
                "profile_fields",
                f"must set the match attribute {config.match.okta_attribute!r} to create profiles",
            )
        )
    return problems


def missing_secrets(config: HopsyncConfig, secrets: Secrets) -> list[tuple[str, str]]:
    """The secrets a configuration needs that the environment does not set, by env path."""
    needed = {
        "OKTA_API_TOKEN": secrets.okta_api_token,
        "CHARTHOP_API_TOKEN": secrets.charthop_api_token,
    }
    if config.settings.live_sync:
        needed["HOPSYNC_WEBHOOK_SECRET"] = secrets.webhook_secret
    if config.smtp is not None and config.smtp.user:
        needed["SMTP_PASSWORD"] = secrets.smtp_password
    return [
        (f"env.{name}", "is not set; secrets come only from the environment")
        for name, value in needed.items()
        if value is None
    ]
