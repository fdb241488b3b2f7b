"""paused_gc keeps the collector off inside the block and restores it after; freeze_startup
freezes what a command imported, and no garbage with it."""

from __future__ import annotations

import gc
import weakref

import pytest

from shared.gc_pause import freeze_startup, paused_gc


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


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_freezing_at_startup_keeps_what_is_alive_out_of_the_collector_and_frees_garbage_first() -> (
    None
):
    garbage = _Cycle()
    gone = weakref.ref(garbage)
    del garbage  # a cycle: only the collector frees it
    kept = _Cycle()
    try:
        freeze_startup()
        assert gone() is None  # collected, not frozen with the rest
        assert gc.get_freeze_count() > 0
        assert not any(obj is kept for obj in gc.get_objects())  # frozen: no longer walked
    finally:
        gc.unfreeze()


def test_the_hopsync_command_freezes_its_modules_before_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import producers.cli

    seen: list[int] = []
    monkeypatch.setattr(producers.cli, "main", lambda: seen.append(gc.get_freeze_count()))
    try:
        producers.cli.run()
    finally:
        gc.unfreeze()
    assert seen and seen[0] > 0
