"""`hopsync query`: who a Carrot filter selects in the fake ChartHop, as the sync sees them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from harness.world import Simulation, start_simulation
from producers.ops.query import Selection, selection_table
from shared.carrot import compile_filter
from shared.errors import CarrotSyntaxError
from tests.producers.ops.support import invoke, ok


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    simulation = start_simulation(tmp_path, redis_url, people=300, existing=0.0)
    yield simulation
    simulation.close()


def expected_ids(sim: Simulation, text: str) -> set[str]:
    rules = sim.rules()
    compiled = compile_filter(text, clock=rules.clock)
    return {p["id"] for p in sim.charthop.people.values() if compiled.matches(rules.prepare(p))}


def query_json(sim: Simulation, *args: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(ok(sim.env, "query", *args, "--json"))
    return answer


def test_the_people_listed_are_exactly_those_the_filter_selects(sim: Simulation) -> None:
    text = "department:engineering,sales is:manager"
    answer = query_json(sim, text, "--limit", "0")
    expected = expected_ids(sim, text)
    assert {row["id"] for row in answer["people"]} == expected
    assert answer["matched"] == len(expected) > 0
    assert answer["scanned"] == len(sim.charthop.people)


def test_each_row_has_id_name_work_email_then_the_fields_the_filter_reads(
    sim: Simulation,
) -> None:
    answer = query_json(sim, "is:manager department:engineering", "--limit", "1")
    [row] = answer["people"]
    assert answer["fields"] == ["department", "directReports", "directs"]
    assert list(row) == ["id", "name", "contact.workEmail", *answer["fields"]]
    person = sim.charthop.people[row["id"]]
    assert row["name"] == f"{person['name']['first']} {person['name']['last']}"
    assert row["contact.workEmail"] == person["contact"]["workEmail"]
    assert row["department"] == "Engineering" and int(row["directReports"]) > 0


def test_blank_locations_read_as_remote_like_in_a_sync(sim: Simulation) -> None:
    answer = query_json(sim, "location.name:remote", "--limit", "0")
    listed = {row["id"]: row for row in answer["people"]}
    blank = {p["id"] for p in sim.charthop.people.values() if "location" not in p}
    assert blank and blank <= set(listed)
    assert set(listed) == expected_ids(sim, "location.name:remote")
    assert {listed[person_id]["location.name"] for person_id in blank} == {"Remote"}


def test_the_limit_caps_the_rows_listed_but_not_the_count(sim: Simulation) -> None:
    answer = query_json(sim, "department:engineering", "--limit", "3")
    assert len(answer["people"]) == 3
    assert answer["matched"] == len(expected_ids(sim, "department:engineering")) > 3
    text = ok(sim.env, "query", "department:engineering", "--limit", "3")
    assert f"{answer['matched']} of 300 people match (listing 3; --limit 0 lists all)" in text


def test_the_table_heads_its_columns_and_lists_each_row(sim: Simulation) -> None:
    answer = query_json(sim, "is:manager", "--limit", "5")
    selection = Selection(columns=list(answer["people"][0]), rows=answer["people"])
    wide = Console(width=250, record=True)
    wide.print(selection_table("is:manager", selection))
    text = wide.export_text()
    assert "people matching is:manager" in text
    assert "work email" in text and "directReports" in text
    assert all(row["id"] in text and row["contact.workEmail"] in text for row in answer["people"])


def test_a_bad_filter_prints_the_caret_under_the_fault_and_exits_2(sim: Simulation) -> None:
    result = invoke(sim.env, "query", "department:&& title:vp")
    assert result.exit_code == 2
    with pytest.raises(CarrotSyntaxError) as caught:
        compile_filter("department:&& title:vp")
    assert result.stderr.rstrip("\n") == caught.value.render("filter")
    assert "at column 12" in result.stderr
    assert result.stderr.splitlines()[-1] == "  " + " " * 11 + "^"
    assert result.stdout == ""


def test_an_unknown_function_exits_2_naming_it(sim: Simulation) -> None:
    result = invoke(sim.env, "query", "nosuchfn(title) = 1")
    assert result.exit_code == 2
    assert "nosuchfn" in result.stderr
