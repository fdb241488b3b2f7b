"""`hopsync check` proves the setup: Redis, Okta's token and schema, ChartHop's token and fields.

Against the simulators: each broken piece gives one clear problem line and exit 2; warnings keep
exit 0; `--offline` reads only the file and the environment, with no network at all.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from click.testing import CliRunner, Result

from harness.world import Simulation, free_port, start_simulation
from producers.cli import main
from shared.infra.runs import RunStore
from tests.contract.validator import ContractRecorder


@pytest.fixture
def sim(tmp_path: Path, redis_url: str) -> Iterator[Simulation]:
    recorder = ContractRecorder()  # every call check makes is validated against Okta's spec
    simulation = start_simulation(
        tmp_path,
        redis_url,
        people=60,
        existing=1.0,
        drifted=0.0,
        okta_middlewares=[recorder.middleware],
    )
    yield simulation
    simulation.close()
    recorder.assert_clean()


def check(sim: Simulation, *args: str, **env: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], env={**sim.env, **env})


def rewrite(sim: Simulation, **changes: Any) -> None:
    config = {**sim.config, **changes}
    sim.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def findings(output: str) -> list[str]:
    """Each finding's line, its folded continuation lines joined back (a caret drawing apart)."""
    joined: list[str] = []
    drawing = False  # in a query line and its caret, whose indents are not continuations
    for line in output.splitlines():
        if line.startswith(("ok: ", "warning: ", "problem: ")):
            joined.append(line)
            drawing = False
        elif line.startswith("    ") and joined and not drawing:
            joined[-1] += " " + line.strip()
        else:
            drawing = line.startswith("  ") and not line.lstrip().startswith("^")
    return joined


def said(result: Result) -> str:
    return "\n".join(findings(result.output))


def problem_lines(result: Result) -> list[str]:
    return [line for line in findings(result.output) if line.startswith("problem: ")]


def test_a_working_setup_passes_and_says_whose_okta_token_it_is(sim: Simulation) -> None:
    result = check(sim)
    assert result.exit_code == 0, result.output
    assert "it is hopsync-service@acme.example's" in said(result)
    assert "ok: env.REDIS_URL: Redis at" in said(result)
    assert "fields checked against ChartHop's field list" in said(result)
    assert "all 7 attributes exist in Okta's user schema" in said(result)
    assert result.output.rstrip().endswith("0 problem(s), 0 warning(s)")


def test_a_wrong_okta_token_is_one_clear_problem(sim: Simulation) -> None:
    result = check(sim, OKTA_API_TOKEN="not-the-token")
    assert result.exit_code == 2, result.output
    [line] = problem_lines(result)
    assert line.startswith("problem: env.OKTA_API_TOKEN: Okta at ")
    assert "refused the token (401 E0000011); create an API token" in line
    assert "not-the-token" not in result.output


def test_a_wrong_charthop_token_is_one_clear_problem(sim: Simulation) -> None:
    result = check(sim, CHARTHOP_API_TOKEN="not-the-token")
    assert result.exit_code == 2, result.output
    [line] = problem_lines(result)
    assert line.startswith("problem: env.CHARTHOP_API_TOKEN: ChartHop at ")
    assert "refused the token (401); create an app token" in line


def test_an_unreachable_redis_is_one_clear_problem(sim: Simulation) -> None:
    result = check(sim, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert result.exit_code == 2, result.output
    [line] = problem_lines(result)
    assert line.startswith("problem: env.REDIS_URL: Redis at redis://127.0.0.1:")
    assert "does not answer" in line and "start Redis or set REDIS_URL" in line


def test_a_mapped_attribute_missing_from_okta_is_one_clear_problem(sim: Simulation) -> None:
    rewrite(sim, profile_fields={**sim.config["profile_fields"], "costCentre": "department.name"})
    result = check(sim)
    assert result.exit_code == 2, result.output
    assert problem_lines(result) == [
        "problem: profile_fields.costCentre: Okta's user schema has no attribute 'costCentre' "
        "(did you mean 'costCenter'?); add it in Okta's Profile Editor or fix the name"
    ]


def test_an_app_group_of_a_managed_name_is_a_warning_not_a_failure(sim: Simulation) -> None:
    sim.okta.add_group("Engineering", type="APP_GROUP")
    result = check(sim)
    assert result.exit_code == 0, result.output
    assert "warning: groups[0].name: an APP_GROUP named 'Engineering' also exists" in said(result)
    assert result.output.rstrip().endswith("0 problem(s), 1 warning(s)")


def test_an_unknown_field_fails_the_check_with_a_suggestion_and_a_caret(sim: Simulation) -> None:
    groups = [{"name": "Engineering", "query": "departmnt:engineering"}]
    rewrite(sim, groups=groups)
    result = check(sim)
    assert result.exit_code == 2, result.output
    assert problem_lines(result) == [
        "problem: groups[0].query: unknown field 'departmnt' (did you mean 'department'?)"
    ]
    lines = result.output.splitlines()
    at = lines.index("  departmnt:engineering")  # the query and its caret, never folded
    assert lines[at + 1] == "  ^"


def test_a_filter_that_selects_nobody_for_a_group_with_members_is_a_warning(
    sim: Simulation,
) -> None:
    groups = [*sim.config["groups"]]
    groups[0] = {"name": "Engineering", "query": "department:engineerng"}  # a typo in the value
    rewrite(sim, groups=groups)
    result = check(sim)
    assert result.exit_code == 0, result.output
    assert "warning: groups: groups[0].query selects nobody of 60 people" in said(result)


def test_offline_checks_the_file_and_environment_without_any_network(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_: object) -> None:
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    result = check(sim, "--offline")
    assert result.exit_code == 0, result.output
    assert "file and environment only (--offline): 0 problem(s)" in result.output
    online = check(sim)
    assert online.exit_code == 2  # the same setup, checked online with no network, fails


def test_offline_still_rejects_a_bare_and_naming_the_carrot_operators(sim: Simulation) -> None:
    groups = [{"name": "Engineering", "query": "department:engineering AND is:manager"}]
    rewrite(sim, groups=groups)
    result = check(sim, "--offline")
    assert result.exit_code == 2
    assert "groups[0].query: expected '&&' (Carrot writes AND, OR, NOT as &&, ||, !)" in (
        result.output
    )


def test_turning_safety_limits_off_is_a_warning(sim: Simulation) -> None:
    rewrite(sim, settings={**sim.config["settings"], "safety": None})
    result = check(sim, "--offline")
    assert result.exit_code == 0
    assert "warning: settings.safety: is null: safety limits are off" in said(result)


def test_a_run_whose_configuration_reads_an_unknown_field_does_not_start(
    sim: Simulation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    rewrite(sim, groups=[{"name": "Engineering", "query": "departmnt:engineering"}])
    result = CliRunner().invoke(main, ["resync"], env=sim.env)
    assert result.exit_code == 2, result.output
    assert "resync not started" in result.output
    assert "groups[0].query: unknown field 'departmnt' (did you mean 'department'?)" in (
        result.output
    )
    assert "fields checked against ChartHop's field list" in result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())  # folded, COLUMNS=80
    assert RunStore(redis.Redis.from_url(sim.redis_url)).recent() == []
    assert sim.okta.counters().writes == 0


def test_without_the_field_list_fields_are_checked_against_the_people_read(
    sim: Simulation,
) -> None:
    sim.charthop.fields_forbidden = True
    rewrite(sim, groups=[{"name": "Engineering", "query": "departmnt:engineering"}])
    result = check(sim)
    assert result.exit_code == 2, result.output
    assert (
        "fields checked against the fields present in the 60 people read; "
        "ChartHop's field list answered 403"
    ) in said(result)
    assert "problem: groups[0].query: unknown field 'departmnt'" in said(result)


def test_an_api_tokens_write_access_is_said_to_be_unchecked_in_one_line_of_80_columns(
    sim: Simulation,
) -> None:
    result = check(sim)
    assert result.exit_code == 0, result.output
    (line,) = [line for line in result.output.splitlines() if "write access" in line]
    assert line == "ok: env.OKTA_API_TOKEN: can read; write access can't be checked without writing"
    assert len(line) <= 80


def test_a_guessed_hopsync_redis_url_is_a_problem_naming_the_variable_read(
    sim: Simulation,
) -> None:
    for args in ((), ("--offline",)):
        result = check(sim, *args, HOPSYNC_REDIS_URL="redis://127.0.0.1:6399/0")
        assert result.exit_code == 2, result.output
        assert problem_lines(result) == [
            f"problem: env.HOPSYNC_REDIS_URL: is not read: hopsync uses REDIS_URL "
            f"({sim.redis_url}); set REDIS_URL instead"
        ]
    same = check(sim, "--offline", HOPSYNC_REDIS_URL=sim.redis_url)
    assert same.exit_code == 0, same.output


def test_what_the_configuration_says_fits_80_columns_with_indented_continuations(
    sim: Simulation,
) -> None:
    rewrite(sim, profile_fields={**sim.config["profile_fields"], "nickName": "name.first"})
    result = check(sim, "--offline", COLUMNS="80")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    settings = next(index for index, line in enumerate(lines) if line.startswith("  settings: "))
    assert lines[settings + 1].startswith("    ") and "sync_new_hires=" in lines[settings + 1]


def test_at_80_columns_every_line_fits_but_a_query_and_its_caret_which_stay_aligned(
    sim: Simulation,
) -> None:
    charthop = {**sim.config["charthop"], "base_url": f"http://127.0.0.1:{free_port()}"}
    groups = [{"name": "Engineering", "query": "department:engineering AND is:manager"}]
    rewrite(sim, charthop=charthop)
    unreachable = check(sim, COLUMNS="80")
    rewrite(sim, charthop=charthop, groups=groups)
    typo = check(sim, "--offline", COLUMNS="80")
    for result in (unreachable, typo):
        assert result.exit_code == 2, result.output
        lines = result.output.splitlines()
        query = lines.index("  department:engineering AND is:manager") if result is typo else -1
        wide = [
            line for at, line in enumerate(lines) if len(line) > 80 and at not in (query, query + 1)
        ]
        assert wide == [], result.output
    [problem] = problem_lines(unreachable)
    assert problem.startswith("problem: charthop.base_url: ChartHop at http://127.0.0.1:")
    lines = typo.output.splitlines()
    at = lines.index("  department:engineering AND is:manager")
    assert lines[at + 1] == "  " + " " * len("department:engineering ") + "^"
    assert lines[at - 2].startswith("  groups[0].query: expected '&&'")
    assert lines[at - 1] == "    column 24, found 'AND'"  # the file problem's folded end
