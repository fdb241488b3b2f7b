"""A create is never applied twice: lost answers and duplicate answers lead to the existing user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from shared.errors import OktaValidationError
from shared.okta import OktaClient, OktaUser
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, with_client

ADA = {"login": "ada@example.com", "email": "ada@example.com", "department": "R&D"}


def create(profile: dict[str, str]) -> Callable[[OktaClient], Awaitable[OktaUser]]:
    """A scenario creating an active user with ``profile``."""

    def call(client: OktaClient) -> Awaitable[OktaUser]:
        return client.create_user(profile, activate=True)

    return call


def test_a_create_whose_answer_is_lost_returns_the_created_user(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    state.drop_create_answers(1)
    server = serve_okta(state)

    user = with_client(server, create(ADA))

    assert user.login == "ada@example.com"
    assert list(state.users_by_login()) == ["ada@example.com"]
    counters = state.counters()
    assert counters.users_created == 1
    assert counters.calls[("users-list-create", "POST")] == 1
    assert counters.calls[("user-get", "GET")] == 1


def test_a_duplicate_login_answer_returns_the_existing_user(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    existing = state.add_user({**ADA, "login": "ADA@example.com"})
    server = serve_okta(state)

    user = with_client(server, create(ADA))

    assert user.id == existing.id
    assert len(state.users()) == 1


def test_a_server_error_on_create_looks_up_before_creating_again(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    state.fail_next(1, status=502)
    server = serve_okta(state)

    user = with_client(server, create(ADA))

    assert user.login == "ada@example.com"
    counters = state.counters()
    assert counters.users_created == 1
    assert counters.calls[("users-list-create", "POST")] == 2
    assert counters.statuses[("user-get", 404)] == 1


def test_a_validation_error_without_an_existing_user_is_raised(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake_okta())
    with pytest.raises(OktaValidationError, match="shoeSize"):
        with_client(server, create({**ADA, "shoeSize": "9"}))
