"""Person records read the same whether ChartHop sent them flat, nested or mixed."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.records import flatten, get_path, merge, nest, nested

NESTED: dict[str, Any] = {
    "id": "p1",
    "name": {"first": "Ada", "last": "Lovelace"},
    "contact": {"workEmail": "ada@acme.example"},
    "manager": {"id": "m1", "contact": {"workEmail": "boss@acme.example"}},
    "grants": [{"shares": 10}, {"shares": 25}],
}
FLAT: dict[str, Any] = {
    "id": "p1",
    "name.first": "Ada",
    "name.last": "Lovelace",
    "contact.workEmail": "ada@acme.example",
    "manager.id": "m1",
    "manager.contact.workEmail": "boss@acme.example",
    "grants": [{"shares": 10}, {"shares": 25}],
}


def test_flat_dotted_keys_nest_into_objects() -> None:
    assert nest(FLAT) == NESTED


def test_nested_input_comes_back_equal_and_copied() -> None:
    out = nest(NESTED)
    assert out == NESTED
    out["name"]["first"] = "Changed"
    assert NESTED["name"]["first"] == "Ada"


def test_mixed_input_merges_both_forms() -> None:
    row = {"name": {"first": "Ada"}, "name.last": "Lovelace", "manager": {"id": "m1"}}
    row["manager.contact.workEmail"] = "boss@acme.example"
    assert nest(row) == {
        "name": {"first": "Ada", "last": "Lovelace"},
        "manager": {"id": "m1", "contact": {"workEmail": "boss@acme.example"}},
    }


def test_a_dotted_key_wins_over_the_same_nested_leaf() -> None:
    row = {"name.first": "Flat", "name": {"first": "Nested", "last": "L"}}
    assert nest(row) == {"name": {"first": "Flat", "last": "L"}}
    assert get_path(row, "name.first") == "Flat"


def test_an_object_wins_over_a_scalar_on_the_same_key() -> None:
    assert nest({"manager": "m1", "manager.id": "m2"}) == {"manager": {"id": "m2"}}


def test_dotted_keys_inside_nested_values_and_lists_are_nested_too() -> None:
    row = {"manager": {"contact.workEmail": "b@x"}, "jobs": [{"title.name": "CEO"}]}
    assert nest(row) == {
        "manager": {"contact": {"workEmail": "b@x"}},
        "jobs": [{"title": {"name": "CEO"}}],
    }


def test_get_path_reads_flat_nested_and_mixed_records_alike() -> None:
    mixed = {"manager": {"id": "m1"}, "manager.contact.workEmail": "boss@acme.example"}
    for record in (FLAT, NESTED, mixed):
        assert get_path(record, "manager.contact.workEmail") == "boss@acme.example"
    assert get_path(FLAT, "name.first") == get_path(NESTED, "name.first") == "Ada"


def test_get_path_follows_list_indexes() -> None:
    assert get_path(NESTED, "grants[1].shares") == 25
    assert get_path(FLAT, "grants[0].shares") == 10
    assert get_path({"a": [[1, 2], [3]]}, "a[1][0]") == 3


def test_get_path_gives_none_for_anything_missing() -> None:
    assert get_path(NESTED, "name.middle") is None
    assert get_path(NESTED, "location.address.city") is None
    assert get_path(NESTED, "grants[5].shares") is None
    assert get_path(NESTED, "name.first.length") is None
    assert get_path(NESTED, "id[0]") is None
    assert get_path({}, "anything") is None


def test_get_path_tries_a_shorter_flat_key_when_the_longer_one_leads_nowhere() -> None:
    record = {"manager.contact": {"workEmail": "b@x"}}
    assert get_path(record, "manager.contact.workEmail") == "b@x"


def test_flatten_writes_every_leaf_as_a_dotted_key() -> None:
    assert flatten(NESTED) == FLAT


def test_merge_applies_dotted_and_nested_changes_and_none_removes() -> None:
    changed = merge(
        NESTED, {"name.first": "Augusta", "contact": {"workPhone": "1"}, "grants": None}
    )
    assert changed["name"] == {"first": "Augusta", "last": "Lovelace"}
    assert changed["contact"] == {"workEmail": "ada@acme.example", "workPhone": "1"}
    assert "grants" not in changed
    assert NESTED["name"]["first"] == "Ada"


_keys = st.text(alphabet="abcxyz", min_size=1, max_size=4)
_leaves = st.one_of(
    st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)
)
_records = st.recursive(
    st.dictionaries(_keys, _leaves, max_size=4),
    lambda children: st.dictionaries(_keys, st.one_of(_leaves, children), min_size=1, max_size=4),
    max_leaves=8,
)
# Small, fast property runs: the suite shares the machine with other test processes.
_quick = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_quick
@given(_records)
def test_nesting_a_flattened_record_gives_it_back(record: dict[str, Any]) -> None:
    assert nest(flatten(record)) == _without_empty_objects(record)


@_quick
@given(_records)
def test_every_flat_key_reads_the_same_from_both_forms(record: dict[str, Any]) -> None:
    for key, value in flatten(record).items():
        assert get_path(record, key) == value


def _without_empty_objects(record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            value = _without_empty_objects(value)
            if not value:
                continue
        out[key] = value
    return out


def test_nested_gives_back_an_already_nested_row_itself_without_copying() -> None:
    row = {"id": "p1", "name": {"first": "Ada"}, "grants": [{"shares": 10}], "tags": ["a.b"]}
    assert nested(row) is row


def test_nested_nests_a_dotted_key_at_any_depth() -> None:
    for row in (
        {"name.first": "Ada"},
        {"manager": {"contact.workEmail": "boss@acme.example"}},
        {"grants": [{"vest.date": "2026-01-01"}]},
    ):
        assert nested(row) == nest(row)
        assert nested(row) is not row


@_quick
@given(_records)
def test_nested_reads_every_record_as_nest_does(record: dict[str, Any]) -> None:
    assert nested(record) == nest(record)
    assert nested(flatten(record)) == nest(flatten(record))
