"""Opaque paging cursors of the fake Okta: the position after which a page starts, plus a nonce.

Clients must follow Link headers, never build cursors; the nonce makes cursors unguessable so a
client that builds or edits one gets an error rather than a lucky page.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets

from shared.errors import OktaError


def encode_cursor(after_seq: int) -> str:
    """The cursor for a page that starts after the item with sequence number ``after_seq``."""
    raw = json.dumps({"a": after_seq, "n": secrets.token_hex(4)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The sequence number a cursor points after; raises a 400 E0000001 OktaError if invalid."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after = data["a"]
        if not isinstance(after, int) or not isinstance(data["n"], str):
            raise ValueError(cursor)
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise OktaError(
            status=400,
            error_code="E0000001",
            error_summary="Api validation failed: after",
            error_causes=["after: the cursor is not valid; follow the Link header's next URL"],
        ) from None
    return after
