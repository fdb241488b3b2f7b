"""Ages given to `dlq purge --older-than`."""

from __future__ import annotations

from datetime import timedelta

import click
import pytest

from producers.ops import Duration, parse_duration


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("7d", timedelta(days=7)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        (" 1D12h ", timedelta(days=1, hours=12)),
        ("2h30m", timedelta(hours=2, minutes=30)),
    ],
)
def test_days_hours_minutes_and_their_sums_read_as_ages(text: str, age: timedelta) -> None:
    assert parse_duration(text) == age


@pytest.mark.parametrize("text", ["", "7", "d", "7x", "-1d", "7d 2h", "1.5h", "7days"])
def test_text_that_is_not_an_age_reads_as_none(text: str) -> None:
    assert parse_duration(text) is None


def test_the_click_type_refuses_a_malformed_age_with_examples() -> None:
    with pytest.raises(click.BadParameter, match="like 7d, 12h, 30m"):
        Duration().convert("a week", None, None)
    assert Duration().convert("3d", None, None) == timedelta(days=3)
