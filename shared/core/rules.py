"""The configuration compiled for evaluation: field sources, group filters and person preparation.

Rules are built once per process and reused for every person; they hold no per-person state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.settings import HopsyncConfig
from shared.carrot import Clock, Compiled, compile_filter, compile_source, render
from shared.carrot.functions import OKTA_LOOKUP
from shared.core.leavers import Departure, departure, first_date
from shared.core.okta_refs import OktaLookup, RefUse
from shared.records import get_path

REMOTE = "Remote"


@dataclass(frozen=True)
class Rules:
    """Everything needed to compute a person's desired Okta state."""

    config: HopsyncConfig
    fields: dict[str, Compiled]
    groups: dict[str, Compiled]
    clock: Clock
    now: Callable[[], datetime]
    ref_use: RefUse

    @classmethod
    def build(
        cls,
        config: HopsyncConfig,
        clock: Clock | None = None,
        *,
        now: Callable[[], datetime] | None = None,
    ) -> Rules:
        """Compile every field source and group filter of a configuration.

        ``now`` (aware) drives the leavers' time of day; without ``clock`` today is its date.
        """
        zone = ZoneInfo(config.settings.timezone)
        real_now = now or (lambda: datetime.now(zone))
        real_clock: Clock = clock or (
            (lambda: real_now().astimezone(zone).date()) if now else _today_in(zone)
        )
        fields = {
            attribute: compile_source(text, clock=real_clock)
            for attribute, text in config.profile_fields.items()
        }
        groups = {
            group.name: compile_filter(group.query, clock=real_clock) for group in config.groups
        }
        return cls(
            config=config,
            fields=fields,
            groups=groups,
            clock=real_clock,
            now=real_now,
            ref_use=RefUse.of(fields.values()),
        )

    def today(self) -> date:
        """Today by the rules' clock."""
        return self.clock()

    def prepare(
        self, person: Mapping[str, Any], lookup: OktaLookup | None = None
    ) -> dict[str, Any]:
        """The person as fields and filters read it (blank location as Remote when configured),
        with ``lookup`` answering okta(person, attribute) calls."""
        prepared = dict(person)
        if lookup is not None:
            prepared[OKTA_LOOKUP] = lookup
        if self.config.settings.remote_location_default and _blank_location(person):
            prepared["location"] = {"name": REMOTE, "address": {"city": REMOTE}}
            for key in [key for key in prepared if key.startswith("location.")]:
                del prepared[key]
        return prepared

    def match_value(self, person: Mapping[str, Any]) -> str | None:
        """The person's match value, case-folded; None when blank."""
        return normalize_match(get_path(person, self.config.match.charthop))

    def desired_profile(self, prepared: Mapping[str, Any]) -> dict[str, str | None]:
        """The Okta profile attributes the sources give for a prepared person.

        An attribute whose okta() call met a person whose Okta user is not known yet is left out:
        it is not written (nor cleared) until it is.
        """
        lookup = prepared.get(OKTA_LOOKUP)
        desired: dict[str, str | None] = {}
        for attribute, source in self.fields.items():
            value = _text(render(source.evaluate(prepared)))
            if isinstance(lookup, OktaLookup) and lookup.take_miss():
                continue
            desired[attribute] = value
        return desired

    def desired_groups(self, prepared: Mapping[str, Any]) -> set[str]:
        """The managed groups whose filters select a prepared person."""
        return {name for name, query in self.groups.items() if query.matches(prepared)}

    def start_date(self, person: Mapping[str, Any]) -> date | None:
        """The person's start date (startDateOrg, else startDate), or None."""
        return first_date(person, ("startDateOrg", "startDate"))

    def departure(self, person: Mapping[str, Any], *, departed: bool) -> Departure | None:
        """The person's departure when settings.leavers is on and they are a leaver, else None."""
        settings = self.config.settings
        if not settings.leavers.enabled:
            return None
        return departure(
            person,
            departed=departed,
            leavers=settings.leavers,
            timezone=settings.timezone,
            today=self.today(),
        )

    def future_start(self, person: Mapping[str, Any]) -> date | None:
        """The person's start date when it is after today, else None."""
        start = self.start_date(person)
        return start if start is not None and start > self.today() else None

    def starts_in_future(self, person: Mapping[str, Any]) -> bool:
        """Whether the person's start date is after today."""
        return self.future_start(person) is not None

    @staticmethod
    def person_name(person: Mapping[str, Any]) -> str | None:
        """A display name for summaries."""
        first = get_path(person, "name.pref") or get_path(person, "name.first")
        last = get_path(person, "name.last")
        name = " ".join(str(part) for part in (first, last) if part)
        return name or None


def _today_in(zone: ZoneInfo) -> Clock:
    """A clock giving today's date in the configured time zone (start dates are local dates)."""
    return lambda: datetime.now(zone).date()


def normalize_match(value: Any) -> str | None:
    """A match value compared case-insensitively; blank is None."""
    if value is None:
        return None
    text = str(value).strip().casefold()
    return text or None


def _blank_location(person: Mapping[str, Any]) -> bool:
    for path in ("location.name", "location.address.city", "location.address.country"):
        value = get_path(person, path)
        if value not in (None, ""):
            return False
    return True


def _text(value: str | None) -> str | None:
    return value if value not in (None, "") else None
