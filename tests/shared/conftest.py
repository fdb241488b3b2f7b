"""Fixtures of the shared package's tests: a contract-checked fake Okta server."""

from __future__ import annotations

from tests.contract.fixtures import contract, serve_okta

__all__ = ["contract", "serve_okta"]
