"""The fake's listing logic: the simple q filter, opaque cursors and field projection."""

from __future__ import annotations

from typing import Any

import pytest

from sim.charthop import decode_cursor, encode_cursor, project, simple_filter

ADA: dict[str, Any] = {
    "id": "p1",
    "name": {"first": "Ada", "last": "Lovelace"},
    "title": "Director of Engineering",
    "department": {"name": "Engineering"},
    "manager": {"id": "m1", "contact": {"workEmail": "boss@acme.example"}},
}


@pytest.mark.parametrize(
    ("q", "keeps"),
    [
        ("title:director", True),
        ('title:"director of eng"', True),
        ("title:vp", False),
        ("department.name:sales,engineering", True),
        ("department.name=engineering", True),
        ("department.name=eng", False),
        ("department.name!=sales", True),
        ("location.name:", True),
        ("location.name:*", False),
        ("title:director department.name=sales", False),
        ("manager.contact.workEmail:boss@", True),
    ],
)
def test_the_simple_filter_matches_substrings_exact_values_and_presences(
    q: str, keeps: bool
) -> None:
    assert simple_filter(q)(ADA) is keeps


@pytest.mark.parametrize("q", ["is manager", 'title:"unclosed'])
def test_a_q_of_another_shape_is_refused_naming_it(q: str) -> None:
    with pytest.raises(ValueError, match="q"):
        simple_filter(q)


def test_cursors_round_trip_and_foreign_ones_are_refused() -> None:
    assert [decode_cursor(encode_cursor(n)) for n in (0, 200, 123456)] == [0, 200, 123456]
    for foreign in ("abc", "", encode_cursor(5)[:-2] + "!!"):
        with pytest.raises(ValueError, match="was not given by this server"):
            decode_cursor(foreign)


def test_projection_keeps_named_fields_and_everything_under_them_plus_id() -> None:
    assert project(ADA, ["name.first", "manager"]) == {
        "id": "p1",
        "name.first": "Ada",
        "manager.id": "m1",
        "manager.contact.workEmail": "boss@acme.example",
    }
    assert project(ADA, ["nothing"]) == {"id": "p1"}
