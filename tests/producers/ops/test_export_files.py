"""Export files: rows, columns, cells, and files that appear only once complete."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from producers.ops.export_files import (
    NAMED,
    CsvExport,
    JsonExport,
    cell,
    columns,
    open_export,
    user_row,
)
from shared.okta import OktaUser


def user(user_id: str, **profile: object) -> OktaUser:
    login = f"{user_id}@x.example"
    return OktaUser(id=user_id, status="ACTIVE", profile={"login": login, **profile})


def test_a_row_puts_the_named_columns_first_then_the_rest_sorted() -> None:
    row = user_row(user("00u1", zone="b", city="Paris", firstName="Ada"))
    assert list(row) == [*NAMED, "city", "zone"]
    assert row["email"] is None and row["firstName"] == "Ada"


def test_columns_are_the_named_ones_then_every_other_attribute_sorted() -> None:
    assert columns({"zone", "id", "city", "login"}) == [*NAMED, "city", "zone"]


def test_cells_are_text_with_json_for_lists_and_booleans_and_empty_for_null() -> None:
    assert [cell(None), cell("a,b"), cell(["x", "y"]), cell(True), cell(3)] == [
        "",
        "a,b",
        '["x", "y"]',
        "true",
        "3",
    ]


def test_json_pages_reach_the_disk_as_they_arrive_and_the_file_only_at_the_end(
    tmp_path: Path,
) -> None:
    target = tmp_path / "users.json"
    export = JsonExport(target)
    export.write_page([user_row(user("00u1"))])
    assert '"00u1"' in export.staged.read_text() and not target.exists()
    export.write_page([user_row(user("00u2"))])
    export.finish()
    assert [row["id"] for row in json.loads(target.read_text())] == ["00u1", "00u2"]
    assert list(tmp_path.iterdir()) == [target]


def test_an_empty_json_export_is_an_empty_array(tmp_path: Path) -> None:
    export = open_export(tmp_path / "users.json", "json")
    export.finish()
    assert json.loads((tmp_path / "users.json").read_text()) == []


def test_a_csv_header_names_attributes_first_seen_on_a_later_page(tmp_path: Path) -> None:
    target = tmp_path / "users.csv"
    export = CsvExport(target)
    export.write_page([user_row(user("00u1", city="Oslo"))])
    export.write_page([user_row(user("00u2", costCenter="42", tags=["a"]))])
    export.finish()
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*NAMED, "city", "costCenter", "tags"]
    assert (rows[0]["city"], rows[0]["costCenter"]) == ("Oslo", "")
    assert (rows[1]["costCenter"], rows[1]["tags"]) == ("42", '["a"]')


def test_an_aborted_export_leaves_the_previous_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "users.csv"
    target.write_text("the last good export\n")
    export = CsvExport(target)
    export.write_page([user_row(user("00u1"))])
    export.abort()
    assert target.read_text() == "the last good export\n"
    assert list(tmp_path.iterdir()) == [target]


def test_the_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    export = open_export(tmp_path / "users.csv", "csv")
    export.finish()
    assert (tmp_path / "users.csv").stat().st_mode & 0o077 == 0
