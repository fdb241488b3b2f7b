"""The live benchmark's figures, on hand-made events and writes."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from live_figures import Write, event_to_write, out_of_order_writes, percentile

PERSON_OF = {"u1": "p1", "u2": "p2"}


def row(person: str, number: int, sent: float, status: int = 202) -> tuple[object, ...]:
    return (person, number, sent, sent, sent, sent + 0.001, status)


def test_the_percentile_is_the_nearest_rank() -> None:
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.5) == 2.0
    assert percentile([3.0, 1.0, 2.0, 4.0], 0.99) == 4.0
    assert percentile([], 0.5) is None


def test_an_event_is_served_by_the_first_write_of_its_title_or_a_newer_one() -> None:
    rows = [row("p1", 1, 10.0), row("p1", 2, 11.0), row("p2", 3, 10.0), row("p2", 4, 10.5, 503)]
    writes = [Write(12.0, "u1", "Title 2"), Write(9.0, "u2", "Title 0")]
    found = event_to_write(rows, writes, PERSON_OF)
    assert found["events_written_own_title"] == 1  # p1's event 2
    assert found["events_written_by_a_later_title"] == 1  # p1's event 1, served by title 2
    assert found["events_never_written"] == 1  # p2's event 3; the refused event 4 is not counted
    assert found["event_to_write_max_s"] == 2.0


def test_a_write_older_than_one_already_written_is_a_stale_overwrite() -> None:
    writes = [Write(1.0, "u1", "Title 5"), Write(2.0, "u1", "Title 3"), Write(3.0, "u1", "Title 6")]
    assert out_of_order_writes(writes, PERSON_OF) == 1
