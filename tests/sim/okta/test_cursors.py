"""Paging cursors of the fake Okta are opaque, round-trip, and refuse tampering."""

from __future__ import annotations

import pytest

from shared.errors import OktaError
from sim.okta.cursors import decode_cursor, encode_cursor


def test_a_cursor_round_trips_and_differs_each_time() -> None:
    first, second = encode_cursor(41), encode_cursor(41)
    assert decode_cursor(first) == decode_cursor(second) == 41
    assert first != second
    assert "41" not in first


@pytest.mark.parametrize("cursor", ["41", "b2Zmc2V0PTQx", "eyJhIjoiNDEiLCJuIjoiYWIifQ", "%%%"])
def test_a_made_up_cursor_is_refused_with_e0000001(cursor: str) -> None:
    with pytest.raises(OktaError) as caught:
        decode_cursor(cursor)
    assert (caught.value.status, caught.value.error_code) == (400, "E0000001")
