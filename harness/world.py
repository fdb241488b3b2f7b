"""A whole simulated world for the demo, end-to-end tests and benchmarks.

It serves a fake ChartHop with a generated org and a fake Okta seeded from it (part of the people
present and some of them out of date), writes a configuration pointing at both, and can start real
Dramatiq worker processes against a Redis URL.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from aiohttp.typedefs import Middleware

from config import parse_config
from shared.core.rules import Rules
from shared.infra.worker_launch import worker_command, worker_env
from sim.charthop import FakeChartHop
from sim.charthop import create_app as charthop_app
from sim.okta import FakeOkta, FakeOktaSettings
from sim.okta import create_app as okta_app
from sim.server import BackgroundServer

OKTA_TOKEN = "sim-okta-token-0f3c9a"
CHARTHOP_TOKEN = "sim-charthop-token-7be21d"
WEBHOOK_SECRET = "sim-webhook-secret-52e8aa"

DEFAULT_CONFIG: dict[str, Any] = {
    "charthop": {"org": "acme"},
    "okta": {"domain": "acme.okta.example", "rate_limit_share": 1.0, "max_in_flight": 20},
    "match": {"okta_attribute": "login", "charthop": "contact.workEmail"},
    "profile_fields": {
        "firstName": "name.pref ?: name.first",
        "lastName": "name.last",
        "email": "contact.workEmail",
        "login": "contact.workEmail",
        "title": "title",
        "department": "department.name",
        "city": "location.address.city",
    },
    "groups": [
        {"name": "Engineering", "query": "department:engineering"},
        {"name": "Managers", "query": "is:manager"},
        {"name": "Sales", "query": 'department:sales,"customer success"'},
        {"name": "London", "query": "location.address.city:london"},
        {"name": "Remote", "query": "location.name:remote"},
    ],
    "settings": {"live_sync": True, "resync_daily": True, "timezone": "UTC"},
    "worker": {
        "processes": 2,
        "threads": 8,
        "max_retries": 3,
        "min_backoff_ms": 100,
        "max_backoff_ms": 2000,
        "heartbeat_timeout_ms": 5000,
    },
}


@dataclass
class SeedReport:
    """How the fake Okta was seeded from the org."""

    existing: int = 0
    drifted: int = 0
    drifted_keys: list[str] = field(default_factory=list)


@dataclass
class Simulation:
    """Both simulators serving, and the configuration and environment that point at them."""

    charthop: FakeChartHop
    okta: FakeOkta
    charthop_server: BackgroundServer
    okta_server: BackgroundServer
    config_path: Path
    config: dict[str, Any]
    redis_url: str
    seed_report: SeedReport = field(default_factory=SeedReport)

    @property
    def env(self) -> dict[str, str]:
        """The environment a hopsync process needs to run against this simulation."""
        return {
            "HOPSYNC_CONFIG": str(self.config_path),
            "OKTA_API_TOKEN": OKTA_TOKEN,
            "CHARTHOP_API_TOKEN": CHARTHOP_TOKEN,
            "HOPSYNC_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "REDIS_URL": self.redis_url,
        }

    def rules(self, today: date | None = None) -> Rules:
        """The rules of this simulation's configuration."""
        config = parse_config(self.config)
        return Rules.build(config, clock=(lambda: today) if today else None)

    def close(self) -> None:
        """Stop both servers."""
        self.charthop_server.stop()
        self.okta_server.stop()


def start_simulation(
    workdir: Path,
    redis_url: str,
    *,
    people: int = 500,
    seed: int = 1,
    existing: float = 0.6,
    drifted: float = 0.2,
    config: Mapping[str, Any] | None = None,
    okta_settings: Mapping[str, Any] | None = None,
    okta_middlewares: Sequence[Middleware] = (),
    missing_groups: int = 1,
    **org_shares: Any,
) -> Simulation:
    """Serve a generated org and an Okta seeded from it; write the configuration to workdir."""
    charthop = FakeChartHop.generated(people, seed=seed, token=CHARTHOP_TOKEN, **org_shares)
    okta = FakeOkta(FakeOktaSettings(token=OKTA_TOKEN, **(okta_settings or {})))
    charthop_server = BackgroundServer(charthop_app(charthop)).start()
    okta_server = BackgroundServer(okta_app(okta, middlewares=okta_middlewares)).start()
    raw = merge_config(DEFAULT_CONFIG, config or {})
    raw["charthop"] = {**raw["charthop"], "base_url": charthop_server.url}
    raw["okta"] = {**raw["okta"], "base_url": okta_server.url}
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "hopsync.yaml"
    config_path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    simulation = Simulation(
        charthop, okta, charthop_server, okta_server, config_path, raw, redis_url
    )
    simulation.seed_report = seed_okta(
        simulation, existing=existing, drifted=drifted, seed=seed, missing_groups=missing_groups
    )
    return simulation


def merge_config(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A configuration with nested overrides applied (mappings merged, other values replaced)."""
    merged = {
        key: (dict(value) if isinstance(value, Mapping) else value) for key, value in base.items()
    }
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_config(merged[key], value)
        else:
            merged[key] = value
    return merged


def seed_okta(
    simulation: Simulation, *, existing: float, drifted: float, seed: int, missing_groups: int = 1
) -> SeedReport:
    """Give a share of the people an Okta user in sync, and a share of those some drift.

    The last ``missing_groups`` managed groups are left out of Okta, for the run to create.
    """
    rng = random.Random(seed)
    rules = simulation.rules()
    okta = simulation.okta
    names = list(rules.groups)
    present = names[: len(names) - missing_groups] if missing_groups else names
    groups = {name: okta.add_group(name).id for name in present}
    report = SeedReport()
    people = sorted(simulation.charthop.people.values(), key=lambda person: person["id"])
    for person in people:
        if rules.match_value(person) is None or rules.starts_in_future(person):
            continue
        if rng.random() >= existing:
            continue
        prepared = rules.prepare(person)
        profile = {k: v for k, v in rules.desired_profile(prepared).items() if v is not None}
        member_of = [groups[name] for name in rules.desired_groups(prepared) if name in groups]
        if rng.random() < drifted:
            profile, member_of = _drift(rng, profile, member_of, list(groups.values()))
            report.drifted += 1
            report.drifted_keys.append(person["id"])
        okta.add_user(profile, group_ids=member_of)
        report.existing += 1
    return report


def _drift(
    rng: random.Random, profile: dict[str, str], groups: list[str], all_groups: list[str]
) -> tuple[dict[str, str], list[str]]:
    kind = rng.choice(("title", "city", "group-add", "group-remove"))
    if kind == "title":
        profile = {**profile, "title": "Out Of Date Title"}
    elif kind == "city":
        profile = {**profile, "city": "Atlantis"}
    elif kind == "group-remove" and groups:
        groups = groups[1:]
    else:
        extra = [group for group in all_groups if group not in groups]
        groups = [*groups, rng.choice(extra)] if extra else groups[1:]
        if not extra:
            profile = {**profile, "title": "Out Of Date Title"}
    return profile, groups


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WorkerFleet:
    """Real `dramatiq workers.entry` worker processes, as `hopsync worker` starts them."""

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        processes: int = 2,
        threads: int = 8,
        log_path: Path | None = None,
    ) -> None:
        self.metrics_port = free_port()
        self.metrics_dir = tempfile.mkdtemp(prefix="hopsync-prom-")
        self.env = {
            **os.environ,
            **env,
            "dramatiq_prom_host": "127.0.0.1",
            "dramatiq_prom_port": str(self.metrics_port),
            "dramatiq_prom_db": self.metrics_dir,
        }
        self.processes = processes
        self.threads = threads
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self) -> WorkerFleet:
        """Start the worker processes (returns at once; they boot in about a second)."""
        command = worker_command(self.processes, self.threads)
        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            env=worker_env(self.env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def stop(self, timeout_s: float = 20) -> None:
        """Stop the workers gracefully, killing them past the timeout."""
        if self.process is None:
            return
        if self.process.poll() is None:
            # The main process, as Docker does; it stops its workers (a group signal works too).
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout_s)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self.process = None

    def __enter__(self) -> WorkerFleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
