"""The fake Okta pages with opaque cursors in Link headers, and searches and filters like Okta."""

from __future__ import annotations

from urllib.parse import quote

from tests.contract.fixtures import ServeOkta
from tests.sim.okta.support import call, fake, user_profile


def q(expression: str) -> str:
    return quote(expression, safe="")


def test_users_are_paged_by_link_headers_until_no_next(serve_okta: ServeOkta) -> None:
    state = fake()
    for i in range(250):
        state.add_user(user_profile(f"user{i:03d}"))
    server = serve_okta(state)
    sizes, logins = [], []
    url: str | None = "/api/v1/users?limit=100"
    while url is not None:
        reply = call(server, "GET", url)
        sizes.append(len(reply.body))
        logins += [u["profile"]["login"] for u in reply.body]
        url = reply.next_url
    assert sizes == [100, 100, 50]
    assert logins == [f"user{i:03d}@example.com" for i in range(250)]


def test_a_page_never_exceeds_200_users(serve_okta: ServeOkta) -> None:
    state = fake()
    for i in range(210):
        state.add_user(user_profile(f"user{i}"))
    server = serve_okta(state)
    assert len(call(server, "GET", "/api/v1/users?limit=1000").body) == 200


def test_an_edited_cursor_is_refused(serve_okta: ServeOkta) -> None:
    state = fake()
    for i in range(3):
        state.add_user(user_profile(f"user{i}"))
    server = serve_okta(state)
    reply = call(server, "GET", "/api/v1/users?limit=1&after=b2Zmc2V0PTE")
    assert (reply.status, reply.error_code) == (400, "E0000001")


def test_search_matches_profile_status_and_combinations(serve_okta: ServeOkta) -> None:
    state = fake()
    state.add_user(user_profile("ada", department="Sales"))
    state.add_user(user_profile("bob", department="sales"), status="STAGED")
    state.add_user(user_profile("cy", department="Eng"))
    server = serve_okta(state)

    def logins(expression: str) -> list[str]:
        reply = call(server, "GET", f"/api/v1/users?search={q(expression)}")
        return [u["profile"]["login"].split("@")[0] for u in reply.body]

    assert logins('profile.department eq "Sales"') == ["ada", "bob"]
    assert logins('profile.department eq "Sales" and status eq "ACTIVE"') == ["ada"]
    assert logins('(profile.department eq "Eng" or status eq "STAGED")') == ["bob", "cy"]
    assert logins('profile.login sw "c"') == ["cy"]


def test_a_plain_list_omits_deprovisioned_users_but_search_returns_them(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    state.add_user(user_profile("ada"))
    state.add_user(user_profile("gone"), status="DEPROVISIONED")
    server = serve_okta(state)
    plain = call(server, "GET", "/api/v1/users").body
    searched = call(server, "GET", "/api/v1/users?search=" + q('status eq "DEPROVISIONED"')).body
    assert [u["profile"]["login"] for u in plain] == ["ada@example.com"]
    assert [u["profile"]["login"] for u in searched] == ["gone@example.com"]


def test_filter_by_login_is_exact_and_refuses_other_attributes(serve_okta: ServeOkta) -> None:
    state = fake()
    state.add_user(user_profile("ada", department="Sales"))
    server = serve_okta(state)
    path = "/api/v1/users?filter="
    found = call(server, "GET", path + q('profile.login eq "ada@example.com"'))
    other_case = call(server, "GET", path + q('profile.login eq "ADA@example.com"'))
    refused = call(server, "GET", path + q('profile.department eq "Sales"'))
    assert len(found.body) == 1
    assert other_case.body == []
    assert (refused.status, refused.error_code) == (400, "E0000031")


def test_an_unparsable_search_answers_e0000031(serve_okta: ServeOkta) -> None:
    server = serve_okta(fake())
    reply = call(server, "GET", "/api/v1/users?search=" + q('profile.department eq Sales"'))
    assert (reply.status, reply.error_code) == (400, "E0000031")


def test_group_members_default_to_pages_of_1000(serve_okta: ServeOkta) -> None:
    state = fake()
    group = state.add_group("Everyone at HQ")
    for i in range(1005):
        state.add_user(user_profile(f"user{i}"), group_ids=[group.id])
    server = serve_okta(state)
    first = call(server, "GET", f"/api/v1/groups/{group.id}/users")
    assert first.next_url is not None
    second = call(server, "GET", first.next_url)
    assert (len(first.body), len(second.body), second.next_url) == (1000, 5, None)


def test_a_search_is_paged_over_the_matching_users_only(serve_okta: ServeOkta) -> None:
    state = fake()
    for i in range(30):
        state.add_user(user_profile(f"user{i:02d}", department="Sales" if i % 3 else "Eng"))
    server = serve_okta(state)
    logins: list[str] = []
    sales = q('profile.department eq "Sales"')
    url: str | None = f"/api/v1/users?limit=7&search={sales}"
    while url is not None:
        reply = call(server, "GET", url)
        logins += [u["profile"]["login"].split("@")[0] for u in reply.body]
        url = reply.next_url
    assert logins == [f"user{i:02d}" for i in range(30) if i % 3]


def test_group_member_pages_follow_membership_changes_made_between_pages(
    serve_okta: ServeOkta,
) -> None:
    state = fake()
    group = state.add_group("Team")
    users = [state.add_user(user_profile(f"user{i}"), group_ids=[group.id]) for i in range(6)]
    server = serve_okta(state)
    first = call(server, "GET", f"/api/v1/groups/{group.id}/users?limit=3")
    state.directory.remove_member(group.id, users[4].id)
    late = state.add_user(user_profile("late"), group_ids=[group.id])
    assert first.next_url is not None
    second = call(server, "GET", first.next_url)
    ids = [u["id"] for u in first.body + second.body]
    assert ids == [users[0].id, users[1].id, users[2].id, users[3].id, users[5].id, late.id]


def test_each_page_reads_only_the_users_it_returns() -> None:
    state = fake()
    for i in range(1000):
        state.add_user(user_profile(f"user{i:04d}"))
    directory = state.directory
    last_seq = max(user.seq for user in directory.users.values())
    looked_at = []

    def predicate(record: dict[str, object]) -> bool:
        looked_at.append(record)
        return True

    tail = list(directory.list_users(predicate, include_deprovisioned=False, after=last_seq - 5))
    assert (len(tail), len(looked_at)) == (5, 5)
