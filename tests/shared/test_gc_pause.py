"""paused_gc keeps the collector off inside the block and restores it after."""

from __future__ import annotations

import gc
import weakref

import pytest

from shared.gc_pause import paused_gc


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_made_inside_are_collected_when_the_pause_ends() -> None:
    class Node:
        partner: Node | None = None

    with paused_gc():
        node = Node()
        node.partner = node
        alive = weakref.ref(node)
        del node
        assert alive() is not None  # a cycle: only the collector frees it
    assert alive() is None
