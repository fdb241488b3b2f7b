"""Fixtures of the fake Okta tests: every fake Okta they start is contract-checked."""

from __future__ import annotations

import pytest

from tests.contract.fixtures import contract, serve_okta
from tests.contract.validator import ContractRecorder

__all__ = ["contract", "serve_okta"]


@pytest.fixture(autouse=True)
def _contract_checked(contract: ContractRecorder) -> ContractRecorder:
    """Every Okta test runs under the contract recorder (zero violations at teardown)."""
    return contract
