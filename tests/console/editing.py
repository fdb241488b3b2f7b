"""What the tests of the editing pages (Sync Groups, Profile Fields, Settings) do alike: open a
form, fill it, keep it in the working copy, and read or set that copy directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page

from producers.webconsole.working import WorkingCopies, WorkingCopy
from tests.console.world import ConsoleWorld, SignIn


@dataclass(frozen=True)
class EditForm:
    """An Add form of an editing page: how to reach it, its fields' labels, its Keep button."""

    listing: str  # the navigation link
    add: str  # the link that opens the empty form
    labels: tuple[str, ...]
    keep_button: str

    def open(self, page: Page, *values: str) -> None:
        """Open the empty form and type ``values`` into its fields, in order."""
        page.get_by_role("link", name=self.listing).click()
        page.get_by_role("link", name=self.add).click()
        for label, value in zip(self.labels, values, strict=True):
            page.get_by_label(label).fill(value)

    def keep(self, page: Page, *values: str) -> None:
        """Fill the form and keep it in the signed-in admin's working copy."""
        self.open(page, *values)
        page.get_by_role("button", name=self.keep_button).click()


GROUP = EditForm(
    "Sync Groups", "Add Group", ("Group name", "Include People Matching"), "Keep group"
)
FIELD = EditForm(
    "Profile Fields",
    "Add Field",
    ("Okta profile attribute", "ChartHop field, expression or template"),
    "Keep field",
)


def working_copy(world: ConsoleWorld, account: str = "ada") -> dict[str, Any]:
    """The configuration document of an account's working copy (the active one's when none)."""
    copy = WorkingCopies(world.client).load(account, world.state.config_store.active())
    return copy.document


def save_page_with(
    world: ConsoleWorld, signed_in: SignIn, change: Callable[[dict[str, Any]], None]
) -> Page:
    """ada's Save Settings page, over a working copy that ``change`` edited directly (as a copy
    kept unchecked, or before a rule tightened, would be)."""
    active = world.state.config_store.active()
    document = working_copy(world)
    change(document)
    WorkingCopies(world.client).keep(
        "ada", WorkingCopy(document=document, base_version=active.version)
    )
    page = signed_in("ada")
    page.get_by_role("link", name="Save Settings").first.click()
    return page
