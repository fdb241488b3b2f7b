"""A resync plans and enqueues its people in chunks: a small first one, so workers start soon."""

from __future__ import annotations

import pytest

from producers.resync import FIRST_CHUNK, STREAM_CHUNK, _chunks


def test_the_first_chunk_is_small_and_the_others_full_size() -> None:
    bounds = list(_chunks(FIRST_CHUNK + 2 * STREAM_CHUNK + 7))
    assert [end - start for start, end in bounds] == [FIRST_CHUNK, STREAM_CHUNK, STREAM_CHUNK, 7]
    assert FIRST_CHUNK < STREAM_CHUNK


@pytest.mark.parametrize("count", [0, 1, FIRST_CHUNK, FIRST_CHUNK + 1, 10_000])
def test_the_chunks_cover_every_person_once_in_order(count: int) -> None:
    covered = [index for start, end in _chunks(count) for index in range(start, end)]
    assert covered == list(range(count))
