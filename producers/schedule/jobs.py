"""The scheduler's two jobs: the daily resync, and the sync of the people who start today.

New hires are synced by fresh-read items in a run of kind "live": each worker reads the person
and their Okta user at the time it runs, then creates them ACTIVE (sync_new_hires off) or
activates the STAGED user created ahead of their start (sync_new_hires on); the plan does both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from producers.resync import Producer
from shared.charthop import ChartHopClient
from shared.core.models import RunMeta, SyncItem
from shared.core.rules import Rules

DAILY_NOTE = "daily"
START_FIELDS = ("id", "startDate", "startDateOrg")  # all that deciding "starts today" reads


def hires_note(day: date) -> str:
    """The note of the new-hires run of ``day``."""
    return f"new hires starting {day.isoformat()}"


async def daily_resync(producer: Producer) -> RunMeta:
    """Start the daily resync of everyone (held instead when it would pass a safety limit)."""
    return await producer.resync(note=DAILY_NOTE)


async def starting_on(charthop: ChartHopClient, rules: Rules, day: date) -> list[str]:
    """The ids of the people whose start date (startDateOrg, else startDate) is ``day``."""
    found = []
    async for person in charthop.list_people(fields=START_FIELDS):
        person_id = person.get("id")
        if person_id and rules.start_date(person) == day:
            found.append(str(person_id))
    return found


def hire_items(person_ids: Iterable[str], day: date) -> list[SyncItem]:
    """One fresh-read item per starter, keyed so that the day's run holds each person once."""
    return [
        SyncItem(key=f"{person_id}@hires-{day.isoformat()}", person_id=person_id, snapshot=False)
        for person_id in dict.fromkeys(person_ids)
    ]


async def new_hires(producer: Producer, day: date) -> RunMeta | None:
    """Enqueue a sync of everyone who starts on ``day`` as one sealed live run; None if nobody."""
    items = hire_items(await starting_on(producer.charthop, producer.rules, day), day)
    if not items:
        return None
    run = producer.new_run("live", note=hires_note(day))
    producer.enqueue(run, items)
    return run.model_copy(update={"expected": len(items)})
