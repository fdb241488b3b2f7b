"""Authenticate a webhook sender by the shared secret, in constant time.

The secret comes as ``Authorization: Bearer <secret>`` or, for senders that cannot set headers,
as the ``token`` query parameter. An ``X-Hopsync-Signature: sha256=<hex>`` header, when sent, must
also be the HMAC-SHA256 of the raw body under the secret. Reasons never include what was sent.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

SIGNATURE_HEADER: Final = "X-Hopsync-Signature"
TOKEN_PARAM: Final = "token"
_SIGNATURE_PREFIX: Final = "sha256="


def credential_problem(secret: str, authorization: str | None, token: str | None) -> str | None:
    """Why the bearer header or token parameter does not carry the secret; None when it does."""
    if authorization is not None:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return "the Authorization header is not a Bearer token"
        return None if _same(value.strip(), secret) else "the bearer token is wrong"
    if token is not None:
        return None if _same(token, secret) else f"the {TOKEN_PARAM} parameter is wrong"
    return (
        f"no credential: send 'Authorization: Bearer <secret>' or the {TOKEN_PARAM} query parameter"
    )


def signature_problem(secret: str, header: str | None, body: bytes) -> str | None:
    """Why a signature header does not sign ``body``; None when it does or none was sent."""
    if header is None:
        return None
    expected = _SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if _same(header.strip().lower(), expected):
        return None
    return f"the {SIGNATURE_HEADER} header is not sha256=<HMAC-SHA256 of the body>"


def _same(given: str, expected: str) -> bool:
    # Header bytes that are not UTF-8 arrive as lone surrogates: encode them, never crash on them.
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())
