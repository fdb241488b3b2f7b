"""A configuration diff reads one line per setting that differs, groups compared by name."""

from __future__ import annotations

from config.diff import diff_documents


def test_equal_documents_have_no_differences() -> None:
    document = {"okta": {"domain": "a"}, "groups": [{"name": "E", "query": "x"}]}
    assert diff_documents(document, document) == []


def test_a_changed_group_filter_is_named_by_the_group_not_its_index() -> None:
    old = {"groups": [{"name": "Eng", "query": "a"}, {"name": "Ops", "query": "b"}]}
    new = {"groups": [{"name": "Ops", "query": "b"}, {"name": "Eng", "query": "c"}]}
    [change] = diff_documents(old, new)
    assert change.describe() == '~ groups[Eng].query: "a" -> "c"'


def test_added_and_removed_settings_are_marked() -> None:
    old = {"settings": {"daily_at": "03:00"}, "groups": [{"name": "Eng", "query": "a"}]}
    new = {"settings": {"daily_at": "04:00", "timezone": "UTC"}, "groups": []}
    lines = [change.describe() for change in diff_documents(old, new)]
    assert lines == [
        '~ settings.daily_at: "03:00" -> "04:00"',
        '+ settings.timezone: "UTC"',
        '- groups[Eng]: {"name": "Eng", "query": "a"}',
    ]


def test_a_list_without_names_is_compared_whole() -> None:
    [change] = diff_documents({"emails": ["a@x.io"]}, {"emails": ["b@x.io"]})
    assert change.describe() == '~ emails: ["a@x.io"] -> ["b@x.io"]'
