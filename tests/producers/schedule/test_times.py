"""When the daily jobs are due: the configured wall-clock time, across DST changes, once a day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from producers.schedule.times import Slot, due_jobs, latest_slot, next_slot, slot_on

NY = "America/New_York"
NEW_YORK = ZoneInfo(NY)
JOBS = ("resync", "hires")


def test_three_in_the_morning_in_new_york_moves_from_0800_to_0700_utc_across_spring_forward() -> (
    None
):
    before = latest_slot("03:00", NY, datetime(2026, 3, 7, 12, tzinfo=UTC))
    after = latest_slot("03:00", NY, datetime(2026, 3, 9, 12, tzinfo=UTC))
    assert before.at.astimezone(UTC) == datetime(2026, 3, 7, 8, tzinfo=UTC)  # EST, UTC-5
    assert after.at.astimezone(UTC) == datetime(2026, 3, 9, 7, tzinfo=UTC)  # EDT, UTC-4
    assert before.at.hour == after.at.hour == 3


def test_the_run_after_spring_forward_comes_23_hours_after_the_one_before() -> None:
    eve = latest_slot("03:00", NY, datetime(2026, 3, 7, 12, tzinfo=NEW_YORK))
    following = next_slot("03:00", NY, eve.at)
    assert following.day == date(2026, 3, 8)
    assert following.at.astimezone(UTC) - eve.at.astimezone(UTC) == timedelta(hours=23)


def test_the_run_after_fall_back_comes_25_hours_after_the_one_before() -> None:
    eve = slot_on(date(2026, 10, 31), "03:00", NY)
    following = next_slot("03:00", NY, eve.at)
    assert following.at.astimezone(UTC) == datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert following.at.astimezone(UTC) - eve.at.astimezone(UTC) == timedelta(hours=25)


def test_a_daily_time_inside_the_skipped_hour_runs_as_far_past_the_jump() -> None:
    slot = slot_on(date(2026, 3, 8), "02:30", NY)  # 02:00-03:00 does not exist that day
    assert slot.at.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (slot.at.hour, slot.at.minute, slot.at.utcoffset()) == (3, 30, timedelta(hours=-4))


def test_a_daily_time_inside_the_repeated_hour_is_due_at_its_first_occurrence_only() -> None:
    first = slot_on(date(2026, 11, 1), "01:30", NY)
    assert first.at.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second_occurrence = datetime(2026, 11, 1, 6, 45, tzinfo=UTC)  # 01:45 EST, an hour later
    for now in (second_occurrence, second_occurrence.astimezone(NEW_YORK)):
        assert latest_slot("01:30", NY, now) == first
    latest = latest_slot("01:30", NY, second_occurrence.replace(minute=15).astimezone(NEW_YORK))
    assert latest == first  # 01:15 EST: the wall clock is behind 01:30, but the instant is past
    assert due_jobs(JOBS, {"resync": date(2026, 11, 1), "hires": date(2026, 11, 1)}, latest) == []


def test_before_the_daily_time_the_latest_slot_is_yesterdays() -> None:
    now = datetime(2026, 11, 28, 2, 59, tzinfo=NEW_YORK)
    assert latest_slot("03:00", NY, now).day == date(2026, 11, 27)
    assert latest_slot("03:00", NY, now + timedelta(minutes=1)).day == date(2026, 11, 28)


def test_the_day_is_the_local_date_even_when_utc_has_moved_on() -> None:
    now = datetime(2035, 6, 15, 3, 45, tzinfo=UTC)  # 23:45 on the 14th in New York
    assert latest_slot("23:30", NY, now) == Slot(
        day=date(2035, 6, 14), at=datetime(2035, 6, 14, 23, 30, tzinfo=NEW_YORK)
    )


def test_three_missed_days_make_a_job_due_once_for_the_latest_day() -> None:
    latest = latest_slot("03:00", NY, datetime(2026, 11, 28, 9, tzinfo=NEW_YORK))
    last_done = {"resync": date(2026, 11, 25), "hires": date(2026, 11, 25)}
    assert due_jobs(JOBS, last_done, latest) == ["resync", "hires"]
    assert latest.day == date(2026, 11, 28)


def test_a_job_done_today_or_never_run_is_not_due() -> None:
    latest = latest_slot("03:00", NY, datetime(2026, 11, 28, 9, tzinfo=NEW_YORK))
    assert due_jobs(JOBS, {"resync": date(2026, 11, 28), "hires": None}, latest) == []
