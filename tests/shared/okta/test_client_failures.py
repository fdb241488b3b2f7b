"""The client's bounded retries of 5xx and lost answers, and its errors by Okta errorCode."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable

import pytest

from shared.errors import (
    OktaAuthError,
    OktaError,
    OktaForbiddenError,
    OktaNotFoundError,
    OktaServerError,
    OktaValidationError,
    TransportError,
)
from shared.okta import NoopRateLimiter, OktaClient
from sim.okta import FakeOkta
from tests.contract.fixtures import ServeOkta
from tests.shared.okta.support import fake_okta, with_client

ADA = {"login": "ada@example.com", "email": "ada@example.com"}


def test_server_errors_are_retried_until_an_answer_comes(serve_okta: ServeOkta) -> None:
    state = fake_okta()
    user = state.add_user(ADA)
    state.fail_next(3, status=503)
    server = serve_okta(state)

    async def scenario(client: OktaClient) -> OktaClient:
        await client.update_profile(user.id, {"title": "CTO"})
        return client

    client = with_client(server, scenario)
    assert client.counters.retries == {"server": 3}
    assert state.user(user.id).profile["title"] == "CTO"


def test_server_errors_beyond_the_retries_raise_after_max_retries_plus_one_tries(
    serve_okta: ServeOkta,
) -> None:
    state = fake_okta()
    state.set_error_rate(1.0, status=500)
    server = serve_okta(state)
    with pytest.raises(OktaServerError, match="answered 500 E0000009"):
        with_client(server, lambda c: c.get_user("ada@example.com"), max_retries=3)
    assert state.counters().statuses == {("user-get", 500): 4}


def test_an_unreachable_okta_raises_a_transport_error_after_the_retries() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens there
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(TransportError, match="got no answer after 3 tries") as caught:
        with_client(url, lambda c: c.get_user("00u1"), limiter=NoopRateLimiter(), max_retries=2)
    assert caught.value.retryable


Call = Callable[[OktaClient], Awaitable[object]]


def _seed(state: FakeOkta) -> dict[str, str]:
    ids = {"user": state.add_user(ADA).id}
    ids["gone"] = state.add_user({**ADA, "login": "gone@example.com"}, status="DEPROVISIONED").id
    ids["app_group"] = state.add_group("AD Admins", type="APP_GROUP").id
    return ids


CASES: list[tuple[str, Callable[[dict[str, str]], Call], type[OktaError], str]] = [
    ("unknown attribute", lambda ids: lambda c: c.update_profile(ids["user"], {"shoeSize": "9"}),
     OktaValidationError, "E0000001"),
    ("unknown user", lambda ids: lambda c: c.get_user("00unope"), OktaNotFoundError, "E0000007"),
    ("deprovisioned user", lambda ids: lambda c: c.update_profile(ids["gone"], {"title": "x"}),
     OktaForbiddenError, "E0000038"),
    ("app group membership", lambda ids: lambda c: c.add_member(ids["app_group"], ids["user"]),
     OktaForbiddenError, "E0000006"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "make", "cls", "code"), CASES, ids=[c[0] for c in CASES])
def test_each_okta_error_code_raises_its_error_class(
    serve_okta: ServeOkta,
    case: str,
    make: Callable[[dict[str, str]], Call],
    cls: type[OktaError],
    code: str,
) -> None:
    state = fake_okta()
    ids = _seed(state)
    server = serve_okta(state)
    with pytest.raises(cls) as caught:
        with_client(server, make(ids))
    assert caught.value.error_code == code
    assert not caught.value.retryable


def test_a_wrong_token_raises_an_auth_error(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake_okta())
    with pytest.raises(OktaAuthError) as caught:
        with_client(server, lambda c: c.get_user("00u1"), token="wrong-token", max_retries=3)
    assert (caught.value.status, caught.value.error_code) == (401, "E0000011")
