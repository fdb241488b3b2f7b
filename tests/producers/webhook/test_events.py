"""Reading a webhook body: JSON, the envelope, the code family and the person or job it names."""

from __future__ import annotations

import json

from producers.live.queue import Target
from producers.webhook import Accepted, Ignored, Rejected, read_event


def read(event: object) -> Accepted | Ignored | Rejected:
    return read_event(json.dumps(event).encode())


def test_the_person_id_wins_over_the_job_and_the_entity() -> None:
    result = read({"id": "e1", "code": "change.update.hire", "personId": "p1", "jobId": "j1"})
    assert result == Accepted(Target("person", "p1"), "e1", "change.update.hire")


def test_a_person_entity_names_its_person_and_a_job_entity_its_job() -> None:
    assert read({"entityType": "person", "entityId": "p2"}) == Accepted(
        Target("person", "p2"), None, None
    )
    assert read({"code": "job.create", "entityType": "JOB", "entityId": "j2"}) == Accepted(
        Target("job", "j2"), None, "job.create"
    )


def test_blank_ids_count_as_missing() -> None:
    result = read({"personId": "", "jobId": "j3"})
    assert isinstance(result, Accepted) and result.target == Target("job", "j3")


def test_every_code_family_but_change_person_and_job_is_ignored() -> None:
    for code in ("change.create.depart", "person.update", "job.delete"):
        assert isinstance(read({"code": code, "personId": "p1"}), Accepted)
    assert read({"code": "org.update"}) == Ignored("org.update")
    assert read({"code": "changes", "personId": "p1"}) == Ignored("changes")


def test_ids_with_characters_outside_plain_ids_are_rejected() -> None:
    result = read({"personId": "p1 OR 1=1"})
    assert isinstance(result, Rejected) and result.error == "invalid event"
    assert result.detail[0]["field"] == "personId"
    assert "p1 OR" not in repr(result.detail)  # the rejected input is not echoed back


def test_deeply_nested_json_is_rejected_not_crashed_on() -> None:
    result = read_event(b"[" * 100_000 + b"]" * 100_000)
    assert result == Rejected("malformed JSON", "the body is not JSON: nested too deeply")


def test_a_body_that_is_not_utf8_is_malformed_json() -> None:
    result = read_event(b"\xff\xfe{")
    assert isinstance(result, Rejected) and result.error == "malformed JSON"
