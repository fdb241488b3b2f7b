"""Records: nested, flat with dotted keys, mixed, any letter case; missing data is null."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from shared.carrot import render
from tests.shared.carrot.support import selects, value


@pytest.mark.parametrize(
    "record",
    [
        {"manager": {"contact": {"workEmail": "b@x.com"}}},
        {"manager.contact.workEmail": "b@x.com"},
        {"manager.contact": {"workEmail": "b@x.com"}},
        {"manager": {"contact.workEmail": "b@x.com"}},
    ],
)
def test_a_path_resolves_in_nested_flat_and_mixed_records(record: dict[str, object]) -> None:
    assert value("manager.contact.workEmail", record) == "b@x.com"


def test_a_flat_dotted_key_wins_over_the_nested_value_it_names() -> None:
    assert value("name.first", {"name.first": "Flat", "name": {"first": "Nested"}}) == "Flat"


def test_a_record_may_mix_both_shapes_at_the_top_level() -> None:
    record = {"name": {"first": "Ada"}, "name.last": "Lovelace"}
    assert value('name.first + " " + name.last', record) == "Ada Lovelace"


@pytest.mark.parametrize("path", ["NAME.FIRST", "name.First", "Name.first"])
def test_field_names_ignore_letter_case(path: str) -> None:
    assert value(path, {"name": {"first": "Ada"}}) == "Ada"
    assert value(path, {"name.first": "Ada"}) == "Ada"


def test_letter_case_is_ignored_for_single_names_too() -> None:
    assert value("workemail", {"workEmail": "a@x.com"}) == "a@x.com"


def test_an_object_given_flat_reads_as_one_object() -> None:
    record = {"department.name": "Engineering", "department.id": "d1", "title": "VP"}
    assert render(value("department", record)) == "Engineering"
    assert value("length(department)", record) == 2
    assert value("department.id", record) == "d1"
    assert selects("department:eng", record)


def test_an_object_given_flat_without_a_name_is_gathered_from_its_keys() -> None:
    record = {"location.address.city": "Paris", "location.address.country": "FR"}
    assert value("location.address", record) == {"city": "Paris", "country": "FR"}
    assert render(value("location.address", record)) == "Paris FR"


@pytest.mark.parametrize(
    ("path", "record"),
    [
        ("a.b.c", {"a": {"b": None}}),
        ("a.b.c", {"a": "text"}),
        ("a.b", {"a": [1, 2]}),
        ("a[0]", {"a": {"0": 1}}),
        ("a[3].b", {"a": [{"b": 1}]}),
        ("a[0].b", {"a": None}),
        ("missing", {}),
    ],
)
def test_a_path_through_missing_or_mismatched_data_is_null(
    path: str, record: dict[str, object]
) -> None:
    assert value(path, record) is None


def test_any_mapping_type_works_as_a_record() -> None:
    record = MappingProxyType({"name": MappingProxyType({"first": "Ada"}), "tags.0": "x"})
    assert value("name.first", record) == "Ada"
    assert value("NAME.first", record) == "Ada"


def test_tuples_index_like_lists() -> None:
    assert value("a[1].b", {"a": ({"b": 1}, {"b": 2})}) == 2


def test_non_text_keys_in_a_record_are_ignored() -> None:
    assert value("missing", {1: "one", "x": 2}) is None  # type: ignore[dict-item]
