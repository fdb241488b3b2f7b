"""The API clients' JSON reads every answer exactly as the standard library does, only faster."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import json_codec

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_any_json_parses_to_what_the_standard_library_gives(value: Any) -> None:
    text = json.dumps(value)
    assert json_codec.loads(text.encode()) == json.loads(text)
    assert json_codec.loads(text) == json.loads(text)
    assert json.loads(json_codec.dumps(value)) == value


@pytest.mark.parametrize(
    "number",
    [2**64, 2**64 - 1, -(2**63) - 1, 10**30, -(10**25), 12345678901234567890123],
)
def test_integers_beyond_64_bits_keep_every_digit(number: int) -> None:
    parsed = json_codec.loads(json.dumps({"employeeNumber": number}).encode())
    assert parsed["employeeNumber"] == number
    assert isinstance(parsed["employeeNumber"], int)
    assert json.loads(json_codec.dumps({"n": number})) == {"n": number}


def test_nan_and_infinity_parse_as_the_standard_library_parses_them() -> None:
    parsed = json_codec.loads(b'{"a": NaN, "b": Infinity, "c": -Infinity}')
    assert math.isnan(parsed["a"])
    assert parsed["b"] == math.inf
    assert parsed["c"] == -math.inf


@pytest.mark.parametrize("text", [b"", b"not json", b"{", b"<html>502</html>", b'"\xff"'])
def test_what_is_not_json_raises_value_error(text: bytes) -> None:
    with pytest.raises(ValueError):
        json_codec.loads(text)


def test_dumps_writes_compact_utf8() -> None:
    assert json_codec.dumps({"name": "Zoë", "n": [1, 2]}) == '{"name":"Zoë","n":[1,2]}'.encode()
