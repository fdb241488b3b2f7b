"""Pytest fixtures that serve fake Oktas with contract checking on; import them in a conftest.py.

    from tests.contract.fixtures import contract, serve_okta  # noqa: F401

``contract`` fails the test at teardown when any request or answer broke the spec; ``serve_okta``
starts a fake Okta (checked by ``contract``) on a loopback port and stops it after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from sim.okta import FakeOkta, create_app
from sim.server import BackgroundServer
from tests.contract.validator import ContractRecorder

ServeOkta = Callable[[FakeOkta], BackgroundServer]


@pytest.fixture
def contract() -> Iterator[ContractRecorder]:
    """A contract recorder; the test fails at teardown if it saw any violation."""
    recorder = ContractRecorder()
    yield recorder
    recorder.assert_clean()


@pytest.fixture
def serve_okta(contract: ContractRecorder) -> Iterator[ServeOkta]:
    """Start a fake Okta for a FakeOkta state, contract-checked; every one stops at teardown."""
    servers: list[BackgroundServer] = []

    def serve(state: FakeOkta) -> BackgroundServer:
        app = create_app(state)
        contract.attach(app)
        server = BackgroundServer(app).start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()
