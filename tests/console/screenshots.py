"""Screenshots of the console's main pages for docs/console/: `python -m tests.console.screenshots`.

Builds the same world as the browser tests (on a database of $HOPSYNC_TEST_REDIS, default
127.0.0.1:6379, that no test session holds; it is flushed), walks the main pages as an admin,
and writes one PNG per page.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.conftest import CLAIM_KEY, REAL_REDIS, _claim_database
from tests.console.world import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ConsoleWorld,
    console_world,
    drift,
    finished,
    sign_in,
)

OUT = Path(__file__).resolve().parents[2] / "docs" / "console"


def shoot(page: Page, name: str, *, full: bool = True) -> None:
    """Save the page as docs/console/NAME.png."""
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
    print(f"wrote {OUT / name}.png")


def walk(page: Page, world: ConsoleWorld) -> None:
    """The main pages, in the order the README shows them."""
    page.goto("/connection")
    page.get_by_role("button", name="Test connection").click()
    shoot(page, "connection")
    page.goto("/groups")
    shoot(page, "groups")
    page.get_by_role("link", name="Add Group").click()
    page.get_by_label("Group name").fill("Engineering Managers")
    page.get_by_label("Include People Matching").fill("department:engineering &&& is:manager")
    page.locator("#group-query-error").filter(has_text="column").wait_for()
    shoot(page, "group-inline-error")
    page.get_by_label("Include People Matching").fill("department:engineering is:manager")
    page.get_by_role("button", name="Keep group").click()
    page.get_by_role("button", name="Test Engineering", exact=True).click()
    shoot(page, "group-test")
    page.goto("/settings")
    page.get_by_label("daily at").fill("04:30")
    page.get_by_role("button", name="Keep settings").click()
    page.goto("/review")
    page.get_by_label("Comment").fill("Engineering managers group; resync after the backups")
    shoot(page, "save-settings")
    page.get_by_role("button", name="Save Settings").click()
    shoot(page, "version")
    drift(world, 5)
    page.goto("/runs")
    page.get_by_role("button", name="Dry Run").click()
    finished(page)
    shoot(page, "dry-run", full=False)
    page.goto("/runs")
    shoot(page, "runs")


def main() -> None:
    """Build the world, sign in, walk the pages."""
    OUT.mkdir(parents=True, exist_ok=True)
    # A database no test session holds (as the suite claims one): it is flushed.
    redis_url, claims = _claim_database(os.environ.get("HOPSYNC_TEST_REDIS", REAL_REDIS))
    try:
        with (
            console_world(redis_url, Path(tempfile.mkdtemp(prefix="hopsync-shots-"))) as world,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            wide = browser.new_context(base_url=world.url, viewport={"width": 1280, "height": 800})
            walk(sign_in(wide.new_page(), "ada"), world)
            narrow = browser.new_context(base_url=world.url, viewport={"width": 420, "height": 860})
            page = sign_in(narrow.new_page(), "otto")
            shoot(page, "runs-narrow", full=False)
            browser.close()
    finally:
        claims.delete(f"{CLAIM_KEY}:{redis_url.rsplit('/', 1)[1]}")


if __name__ == "__main__":
    sys.exit(main())
