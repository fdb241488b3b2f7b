"""`hopsync console`: serve the browser console; `hopsync console add-user`: make an account."""

from __future__ import annotations

import sys

import click
import redis

from producers.cli_helpers import active_or_exit, config_option
from producers.exits import UNAVAILABLE, USAGE, stop
from producers.ops.output import say
from producers.webconsole.accounts import ROLES, AccountError, AccountStore
from producers.webconsole.audit import AuditLog
from shared.infra.active_config import service_author
from shared.infra.redis_client import COMMAND_RETRIES, connect_redis


@click.group(invoke_without_command=True)
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8090, show_default=True, help="Port to listen on.")
@click.option(
    "--secure-cookies/--no-secure-cookies",
    envvar="HOPSYNC_CONSOLE_SECURE_COOKIES",
    default=False,
    show_default=True,
    help="Mark cookies Secure (serve behind TLS). Env: HOPSYNC_CONSOLE_SECURE_COOKIES.",
)
@click.pass_context
def console(
    ctx: click.Context, config_path: str | None, host: str, port: int, secure_cookies: bool
) -> None:
    """Serve the settings console in a browser (sign-in required; see add-user)."""
    if ctx.invoked_subcommand is not None:
        return
    from aiohttp import web

    from producers.webconsole.app import create_app
    from producers.webconsole.state import ConsoleOptions, ConsoleState

    # The active configuration version in Redis (the file saved as version 1 when none is);
    # a HOPSYNC_REDIS_URL set to another Redis is refused there, as by every command.
    loaded = active_or_exit(config_path, author=service_author("console"), log_level="INFO")
    state = ConsoleState.create(loaded, ConsoleOptions(secure_cookies=secure_cookies))
    try:
        state.stores.client.ping()
    except redis.RedisError as error:
        stop(f"console: Redis does not answer at the configured REDIS_URL: {error}", UNAVAILABLE)
    if not state.accounts.all():
        say("no console accounts yet: make one with `hopsync console add-user NAME --role admin`")
    say(f"hopsync console on http://{host}:{port}/")
    web.run_app(create_app(state), host=host, port=port, print=None, access_log=None)


@console.command("add-user")
@config_option
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@click.option("--replace", is_flag=True, help="Reset an existing account's password and role.")
def add_user(
    config_path: str | None, name: str, role: str, password_stdin: bool, replace: bool
) -> None:
    """Create a console account: viewer reads; operator also runs; admin also edits."""
    loaded = active_or_exit(config_path, require_secrets=False)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    client = connect_redis(loaded.secrets.redis_url, retries=COMMAND_RETRIES)
    try:
        AccountStore(client).add(name, password, role, replace=replace)  # type: ignore[arg-type]
    except AccountError as error:
        stop(str(error), USAGE)
    except redis.RedisError as error:
        stop(f"add-user: Redis does not answer at the configured REDIS_URL: {error}", UNAVAILABLE)
    AuditLog(client).record(
        "(command line)",
        f"account {'reset' if replace else 'created'}",
        [f"account:{name}"],
        f"role {role}",
    )
    say(f"account {name} ({role}) {'reset' if replace else 'created'}")
