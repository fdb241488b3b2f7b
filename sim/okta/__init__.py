"""A fake Okta org over HTTP: Okta's users and groups endpoints, rate limits, errors and faults."""

from sim.okta.app import create_app, main
from sim.okta.counters import FakeCounters, RequestRecord
from sim.okta.directory import EVERYONE
from sim.okta.faults import StormKind
from sim.okta.handlers import STATE
from sim.okta.settings import FakeOktaSettings
from sim.okta.state import FakeOkta

__all__ = [
    "EVERYONE",
    "STATE",
    "FakeCounters",
    "FakeOkta",
    "FakeOktaSettings",
    "RequestRecord",
    "StormKind",
    "create_app",
    "main",
]
