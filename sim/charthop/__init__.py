"""A fake ChartHop: a generated org, the v2 people API with fault knobs, and webhook events."""

from sim.charthop.app import STATE, create_app
from sim.charthop.events import (
    SIGNATURE_HEADER,
    event_body,
    event_headers,
    make_event,
    send_event,
    send_event_sync,
    signature,
)
from sim.charthop.generator import email_local, generate_org, hex_id, manager_ref
from sim.charthop.loader import load_org
from sim.charthop.query import decode_cursor, encode_cursor, project, simple_filter
from sim.charthop.serve import build_state, main
from sim.charthop.state import DEFAULT_TOKEN, FakeChartHop, QueryFilter

__all__ = [
    "DEFAULT_TOKEN",
    "SIGNATURE_HEADER",
    "STATE",
    "FakeChartHop",
    "QueryFilter",
    "build_state",
    "create_app",
    "decode_cursor",
    "email_local",
    "encode_cursor",
    "event_body",
    "event_headers",
    "generate_org",
    "hex_id",
    "load_org",
    "main",
    "make_event",
    "manager_ref",
    "project",
    "send_event",
    "send_event_sync",
    "signature",
    "simple_filter",
]
