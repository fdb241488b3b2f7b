"""Export: every Okta user downloads as CSV or JSON."""

from __future__ import annotations

import csv
import io
import json

from tests.console.world import ConsoleWorld, SignIn


def test_every_okta_user_downloads_as_csv_and_as_json(
    signed_in: SignIn, world: ConsoleWorld
) -> None:
    logins = {user.profile["login"] for user in world.sim.okta.users()}
    page = signed_in("vera")
    page.get_by_role("link", name="Export").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["login"] for row in rows} == logins
    with page.expect_download() as download:
        page.get_by_role("link", name="Download JSON").click()
    users = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert {user["login"] for user in users} == logins
    page.reload()
    assert page.locator(".trail").inner_text().count("vera exported") == 2
