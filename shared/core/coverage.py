"""Which managed groups a configuration's filters would empty or fill with everybody.

A filter that selects nobody for a group that has members (a typo, a field that does not exist)
would remove them all; one that selects everybody is rarely meant. Both are warnings, shown by
`hopsync check` and by a dry run. Pure: the caller hands in the people and the groups' sizes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from shared.core.rules import Rules


def selected_counts(rules: Rules, people: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """How many of the people each managed group's filter selects."""
    selected: Counter[str] = Counter()
    for person in people:
        selected.update(rules.desired_groups(rules.prepare(person)))
    return selected


def filter_warnings(
    rules: Rules, people: Sequence[Mapping[str, Any]], members: Mapping[str, int]
) -> list[str]:
    """A warning for each group with members whose filter selects nobody, or everybody."""
    if not people:
        return []
    selected = selected_counts(rules, people)
    warnings: list[str] = []
    for index, group in enumerate(rules.config.groups):
        had = members.get(group.name, 0)
        count = selected.get(group.name, 0)
        if not had or 0 < count < len(people):
            continue
        where = f"groups[{index}].query"
        if count == 0:
            warnings.append(
                f"{where} selects nobody of {len(people)} people, but group {group.name!r} "
                f"has {had} members in Okta who would all be removed; check the filter"
            )
        else:
            warnings.append(
                f"{where} selects everybody ({len(people)} people) for group {group.name!r}, "
                f"which has {had} members in Okta; check the filter"
            )
    return warnings
