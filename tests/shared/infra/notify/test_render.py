"""Rendering: the email's subject and bodies, the chat post's blocks, labels, escaping, limits."""

from __future__ import annotations

import html
import json
from typing import Any

from shared.infra.notify import chat_payload, email_message, slack_escape, subject
from shared.infra.notify.render import SLACK_HEADER_LIMIT, SLACK_MAX_BLOCKS, SLACK_TEXT_LIMIT
from tests.shared.infra.notify.builders import RECIPIENTS, outcome, run_summary


def bodies(summary: Any, **options: Any) -> tuple[str, str]:
    message = email_message(summary, to=RECIPIENTS, sender="hopsync@acme.example", **options)
    plain, rich = (part.get_content() for part in message.iter_parts())
    return plain, rich


def all_text(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        texts += [block["text"]["text"]] if "text" in block else []
        texts += [item["text"] for item in block.get("fields", []) + block.get("elements", [])]
    return texts


def test_the_subject_names_the_run_and_its_nonzero_counts() -> None:
    summary = run_summary([outcome(1), outcome(2), outcome(3), outcome(4, "created")], unchanged=9)
    assert subject(summary) == "[hopsync] resync resync-1: 1 created, 3 updated"


def test_a_dry_run_is_labelled_in_the_subject_and_both_bodies() -> None:
    summary = run_summary([outcome(1)], dry_run=True)
    plain, rich = bodies(summary)
    assert subject(summary).startswith("[hopsync] DRY RUN resync resync-1")
    assert plain.startswith("This was a dry run: nothing was written to Okta.")
    assert "DRY RUN resync resync-1" in plain and "would make 1 Okta write(s)" in plain
    assert "<h2>COMPLETED: DRY RUN resync resync-1" in rich and "This was a dry run" in rich


def test_a_held_run_says_how_to_approve_or_discard_it() -> None:
    summary = run_summary([outcome(1)], status="held")
    plain, _ = bodies(summary)
    assert subject(summary).startswith("[hopsync] HELD resync resync-1")
    assert "hopsync runs approve resync-1" in plain and "hopsync runs discard resync-1" in plain


def test_a_held_run_names_each_limit_and_what_tripped_it_in_email_and_chat() -> None:
    reason = (
        "would remove 147 of 147 members from group 'Engineering'; "
        "settings.safety.max_group_removals allows 30 (20%)"
    )
    summary = run_summary([outcome(1)], status="held", held_by=[reason])
    plain, rich = bodies(summary)
    assert f"Held: it {reason}." in plain
    assert html.escape(f"Held: it {reason}.") in rich
    assert "HELD by safety limits: resync resync-1" in plain and "nothing was written" in plain
    chat = json.dumps(chat_payload(summary))
    assert "group 'Engineering'" in chat and "max_group_removals" in chat


def test_a_dry_runs_warnings_are_in_email_and_chat() -> None:
    warning = "groups[0].query selects nobody of 300 people"
    summary = run_summary([outcome(1)], dry_run=True, warnings=[warning])
    plain, _ = bodies(summary)
    assert f"Warning: {warning}." in plain
    assert warning in json.dumps(chat_payload(summary))


def test_both_bodies_carry_the_counts_the_first_changes_and_how_to_see_the_rest() -> None:
    summary = run_summary([outcome(i) for i in range(8)], unchanged=40)
    plain, rich = bodies(summary, max_changes=5)
    cells = plain.split("\nCounts\n", 1)[1].split()
    assert dict(zip(cells[::2], cells[1::2], strict=True)) == {
        "created": "0",
        "updated": "8",
        "unchanged": "40",
        "failed": "0",
    }
    assert "<tr><td>unchanged</td><td>40</td></tr>" in rich
    assert "title: &#x27;Engineer&#x27; -&gt; &#x27;Lead 4&#x27;" in rich
    assert "Lead 4" in plain and "Lead 5" not in plain and "Lead 5" not in rich
    assert "... and 3 more people with changes: hopsync runs show resync-1 --all" in plain
    assert "... and 3 more people with changes: hopsync runs show resync-1 --all" in rich


def test_every_change_shown_needs_no_pointer() -> None:
    plain, rich = bodies(run_summary([outcome(1), outcome(2)]))
    assert "more: hopsync runs show" not in plain + rich


def test_html_escapes_what_people_data_contains() -> None:
    summary = run_summary([outcome(1, name="<script>alert('x')</script>", groups_added=["R&D"])])
    _, rich = bodies(summary)
    assert "<script>" not in rich
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in rich
    assert "+group R&amp;D" in rich


def test_created_groups_are_listed_in_both_bodies_and_the_chat() -> None:
    summary = run_summary([outcome(1)], groups_created=["Contractors", "R&D"])
    plain, rich = bodies(summary)
    assert "groups created: Contractors, R&D" in plain
    assert "Groups created: Contractors, R&amp;D" in rich
    dry = chat_payload(run_summary([outcome(1)], dry_run=True, groups_created=["R&D"]))
    assert dry["blocks"][2]["text"]["text"].endswith("\nGroups that would be created: R&amp;D")


def test_the_chat_post_has_a_header_count_fields_changes_and_a_pointer() -> None:
    payload = chat_payload(run_summary([outcome(i) for i in range(15)], unchanged=2))
    header, counts, listing, context = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "hopsync: resync resync-1"},
    }
    assert {"type": "mrkdwn", "text": "*updated*: 15"} in counts["fields"]
    assert {"type": "mrkdwn", "text": "*unchanged*: 2"} in counts["fields"]
    lines = listing["text"]["text"].split("\n")
    assert len(lines) == 10 and lines[0].startswith("• [updated] Person 0 &lt;person0@")
    assert context["elements"][0]["text"] == (
        "... and 5 more people with changes: hopsync runs show resync-1 --all"
    )
    assert payload["text"].startswith("COMPLETED: resync resync-1: 15 updated, 2 unchanged")


def test_a_dry_run_is_labelled_in_the_chat_header_text_and_a_note() -> None:
    payload = chat_payload(run_summary([outcome(1)], dry_run=True))
    assert payload["blocks"][0]["text"]["text"] == "hopsync: DRY RUN resync resync-1"
    assert payload["text"].startswith("COMPLETED: DRY RUN resync resync-1")
    notes = payload["blocks"][2]["text"]["text"]
    assert notes == "This was a dry run: nothing was written to Okta."


def test_chat_text_escapes_data_that_slack_would_read_as_links_or_mentions() -> None:
    payload = chat_payload(run_summary([outcome(1, name="<!channel> & <@U123>")]))
    texts = all_text(payload)
    assert not any("<!channel>" in text or "<@U123>" in text for text in texts)
    assert any("&lt;!channel&gt; &amp; &lt;@U123&gt;" in text for text in texts)
    assert slack_escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_a_long_listing_keeps_whole_lines_within_slacks_limit_and_counts_the_rest() -> None:
    long_title = "x" * 700
    changes = [
        outcome(i, changes=[{"attribute": "title", "old": None, "new": long_title}])
        for i in range(10)
    ]
    payload = chat_payload(run_summary(changes), max_changes=10)
    listing = payload["blocks"][2]["text"]["text"]
    assert len(listing) <= SLACK_TEXT_LIMIT
    shown = listing.count("• [updated]")
    assert 0 < shown < 10 and listing.endswith("'")  # whole lines only
    pointer = payload["blocks"][3]["elements"][0]["text"]
    people = "person" if 10 - shown == 1 else "people"
    assert pointer == (
        f"... and {10 - shown} more {people} with changes: hopsync runs show resync-1 --all"
    )


def test_one_enormous_change_is_cut_without_leaving_half_an_escape() -> None:
    name = "<" * 5000
    payload = chat_payload(run_summary([outcome(1, name=name)]))
    listing = payload["blocks"][2]["text"]["text"]
    assert len(listing) <= SLACK_TEXT_LIMIT and listing.endswith("&lt;…")
    assert len(payload["blocks"][0]["text"]["text"]) <= SLACK_HEADER_LIMIT


def test_every_chat_text_stays_within_slacks_limits() -> None:
    changes = [outcome(i, name="&" * 400) for i in range(60)]
    payload = chat_payload(
        run_summary(changes, dry_run=True, status="held", run_id="r" * 400), max_changes=60
    )
    assert len(payload["blocks"]) <= SLACK_MAX_BLOCKS
    assert all(len(text) <= SLACK_TEXT_LIMIT for text in all_text(payload))
    assert len(payload["blocks"][0]["text"]["text"]) <= SLACK_HEADER_LIMIT
