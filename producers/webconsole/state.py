"""What every console request uses: the configuration, Redis and the stores on it, the templates."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
import redis
from aiohttp import web

from config.loader import LoadedConfig
from producers.webconsole.accounts import AccountStore
from producers.webconsole.audit import AuditLog
from producers.webconsole.org_knowledge import OrgKnowledge
from producers.webconsole.sessions import SessionStore
from producers.webconsole.signin_limits import SigninLimits
from shared.infra.config_store import ConfigStore
from shared.infra.stores import Stores


@dataclass(frozen=True)
class ConsoleOptions:
    """How the console serves: Secure cookies behind TLS, and its session lifetime."""

    secure_cookies: bool = False
    session_ttl_s: int = 8 * 3600


@dataclass
class ConsoleState:
    """The console's long-lived objects, one per application."""

    loaded: LoadedConfig
    stores: Stores
    options: ConsoleOptions
    accounts: AccountStore
    sessions: SessionStore
    limits: SigninLimits
    audit: AuditLog
    config_store: ConfigStore
    knowledge: OrgKnowledge
    templates: jinja2.Environment = field(repr=False)

    @classmethod
    def create(cls, loaded: LoadedConfig, options: ConsoleOptions) -> ConsoleState:
        """Connect to the configuration's Redis and load the templates."""
        stores = Stores.for_command(loaded)
        client: redis.Redis = stores.client
        return cls(
            loaded=loaded,
            stores=stores,
            options=options,
            accounts=AccountStore(client),
            sessions=SessionStore(client, options.session_ttl_s),
            limits=SigninLimits(client),
            audit=AuditLog(client),
            config_store=ConfigStore(client, secrets=loaded.secrets.values()),
            knowledge=OrgKnowledge(),
            templates=template_environment(),
        )


def template_environment() -> jinja2.Environment:
    """The page templates, HTML-escaped by default."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("producers.webconsole", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


STATE = web.AppKey("console_state", ConsoleState)
