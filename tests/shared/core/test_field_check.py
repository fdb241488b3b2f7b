"""Unknown fields: every field a configuration reads is checked against the org's, with a caret."""

from __future__ import annotations

import copy
from typing import Any

from config.loader import parse_config
from config.settings import HopsyncConfig
from harness.world import DEFAULT_CONFIG
from shared.core.field_check import KnownFields, problems, unknown_fields
from sim.charthop.fields import org_fields

LISTED = KnownFields.from_field_list(field["name"] for field in org_fields([], "all"))


def config(**changes: Any) -> HopsyncConfig:
    raw = copy.deepcopy(DEFAULT_CONFIG)
    for key, value in changes.items():
        raw[key] = value
    return parse_config(raw)


def test_the_default_configuration_reads_only_fields_the_org_has() -> None:
    assert unknown_fields(config(), LISTED) == []


def test_a_misspelt_field_in_a_group_filter_is_named_with_a_suggestion_and_a_caret() -> None:
    groups = [{"name": "Engineering", "query": "departmnt:engineering"}]
    assert problems(config(groups=groups), LISTED) == [
        (
            "groups[0].query",
            "unknown field 'departmnt' (did you mean 'department'?)\n  departmnt:engineering\n  ^",
        )
    ]


def test_fields_in_templates_expressions_and_the_match_are_checked_too() -> None:
    found = unknown_fields(
        config(
            profile_fields={
                "title": "Dr {{ name.frist }} {{ titel }}",
                "login": "contact.workEmail",
            },
            match={"okta_attribute": "login", "charthop": "kontakt.workEmail"},
        ),
        LISTED,
    )
    assert [(item.where, item.field) for item in found] == [
        ("profile_fields.title", "titel"),
        ("match.charthop", "kontakt.workEmail"),
    ]
    assert found[0].message.splitlines()[2] == "  " + " " * 23 + "^"


def test_properties_of_a_known_field_are_not_checked_and_case_is_ignored() -> None:
    groups = [{"name": "X", "query": "Department.Whatever:x && LOCATION.address.city:london"}]
    assert unknown_fields(config(groups=groups), LISTED) == []


def test_a_built_in_filter_whose_fields_the_org_lacks_is_named() -> None:
    known = KnownFields.of(["title", "contact"], "a short list")
    groups = [{"name": "Managers", "query": "title:vp || is:manager"}]
    found = unknown_fields(config(groups=groups, profile_fields={"login": "contact"}), known)
    assert [(item.where, item.field) for item in found] == [("groups[0].query", "is:manager")]
    assert "is:manager reads directReports or directs" in found[0].message
    assert found[0].message.splitlines()[2] == "  " + " " * 12 + "^"


def test_the_people_read_give_the_fields_when_the_list_cannot_be_read() -> None:
    people = [{"name": {"first": "Ada"}, "department.name": "Engineering"}, {"costCenter": "7"}]
    known = KnownFields.from_people(people, "ChartHop's field list answered 403")
    assert known.knows("department.name") and known.knows("costcenter")
    assert not known.knows("title")
    assert known.source == (
        "the fields present in the 2 people read; ChartHop's field list answered 403"
    )
