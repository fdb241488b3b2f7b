"""A consumer looks again just after a delayed message of its queue falls due."""

from __future__ import annotations

from shared.infra.due_times import DUE_FOR_MS, LOOK_AFTER_DUE_MS, LOOK_WHILE_DUE_MS, DueTimes

IDLE_MS = 200
DELAY_QUEUE = "hopsync.sync.DQ"
QUEUE = "hopsync.sync"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000

    def __call__(self) -> int:
        return self.now


def test_with_nothing_due_a_consumer_backs_off_as_long_as_it_is_allowed() -> None:
    assert DueTimes(Clock()).timeout_ms(QUEUE, IDLE_MS) == IDLE_MS


def test_a_due_time_shortens_the_back_off_of_the_delay_queue_and_of_the_queue_it_returns_to() -> (
    None
):
    clock = Clock()
    due = DueTimes(clock)
    due.note(DELAY_QUEUE, clock.now + 60)
    for queue in (DELAY_QUEUE, QUEUE):
        assert due.timeout_ms(queue, IDLE_MS) == 60 + LOOK_AFTER_DUE_MS
    assert due.timeout_ms("hopsync.runs", IDLE_MS) == IDLE_MS


def test_a_far_due_time_leaves_the_back_off_alone_until_it_nears() -> None:
    clock = Clock()
    due = DueTimes(clock)
    due.note(DELAY_QUEUE, clock.now + 5_000)
    assert due.timeout_ms(QUEUE, IDLE_MS) == IDLE_MS
    clock.now += 4_900
    assert due.timeout_ms(QUEUE, IDLE_MS) == 100 + LOOK_AFTER_DUE_MS


def test_consumers_look_often_for_a_while_after_a_due_time_then_back_off_again() -> None:
    clock = Clock()
    due = DueTimes(clock)
    due.note(DELAY_QUEUE, clock.now)
    assert due.timeout_ms(QUEUE, IDLE_MS) == LOOK_WHILE_DUE_MS
    clock.now += DUE_FOR_MS
    assert due.timeout_ms(QUEUE, IDLE_MS) == LOOK_WHILE_DUE_MS
    clock.now += 10
    assert due.timeout_ms(QUEUE, IDLE_MS) == IDLE_MS


def test_the_back_off_never_drops_to_nothing_so_a_consumer_never_spins() -> None:
    clock = Clock()
    due = DueTimes(clock)
    due.note(DELAY_QUEUE, clock.now + 1)
    assert due.timeout_ms(QUEUE, IDLE_MS) == LOOK_WHILE_DUE_MS
    assert due.timeout_ms(QUEUE, 3) == LOOK_WHILE_DUE_MS


def test_the_earliest_of_many_due_times_sets_the_back_off() -> None:
    clock = Clock()
    due = DueTimes(clock)
    for offset in range(1_000):  # a thousand messages spread over 100 ms of jitter
        due.note(DELAY_QUEUE, clock.now + 500 + offset % 100)
    due.note(DELAY_QUEUE, clock.now + 50)
    assert due.timeout_ms(QUEUE, IDLE_MS) == 50 + LOOK_AFTER_DUE_MS


def test_past_due_times_are_forgotten_even_in_a_process_whose_consumers_never_ask() -> None:
    clock = Clock()
    due = DueTimes(clock)
    for _ in range(1_000):  # a retry a second for 1,000 s, each due 2 s later
        due.note(DELAY_QUEUE, clock.now + 2_000)
        clock.now += 1_000
    assert due.kept(DELAY_QUEUE) <= 3
    assert due.kept(QUEUE) <= 3


def test_a_window_of_parked_messages_is_kept_as_a_few_due_times() -> None:
    clock = Clock()
    due = DueTimes(clock)
    for offset in range(1_000):  # a thousand messages spread over 100 ms of jitter
        due.note(DELAY_QUEUE, clock.now + 500 + offset % 100)
    assert due.kept(QUEUE) <= 100 // 5 + 1
