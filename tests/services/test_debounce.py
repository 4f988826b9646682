"""The debouncer: bursts become one action per key, busy actions are retried, close flushes."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from app.services.hooks.debounce import Debouncer
from tests.conftest import Waiter


class Recorder:
    """An action that records calls and answers from a script (default: done)."""

    def __init__(self, answers: dict[int, list[bool]] | None = None) -> None:
        self.calls: list[int] = []
        self.answers = answers or {}
        self.lock = threading.Lock()
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, key: int) -> bool:
        with self.lock:
            self.calls.append(key)
            script = self.answers.get(key)
            answer = script.pop(0) if script else True
        self.entered.set()
        self.release.wait(5)
        return answer

    def counts(self) -> Counter[int]:
        with self.lock:
            return Counter(self.calls)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def debouncer(recorder: Recorder) -> Iterator[Debouncer]:
    built = Debouncer(recorder, delay_s=0.1)
    yield built
    built.close(flush=False)


def test_a_burst_becomes_one_action_per_key(
    debouncer: Debouncer, recorder: Recorder, wait: Waiter
) -> None:
    assert debouncer.trigger(1) is True
    assert [debouncer.trigger(1) for _ in range(20)] == [False] * 20
    assert debouncer.trigger(2) is True
    assert debouncer.pending() == {1: 21, 2: 1}
    wait(lambda: not debouncer.pending(), what="the actions")
    assert recorder.counts() == Counter({1: 1, 2: 1})


def test_a_busy_action_is_tried_again_until_done(wait: Waiter) -> None:
    recorder = Recorder({5: [False, False, True]})
    debouncer = Debouncer(recorder, delay_s=0.02)
    try:
        debouncer.trigger(5)
        wait(lambda: recorder.counts()[5] == 3 and not debouncer.pending(), what="3 tries")
    finally:
        debouncer.close(flush=False)


def test_it_gives_up_on_an_action_that_stays_busy(wait: Waiter) -> None:
    recorder = Recorder({5: [False] * 1000})
    debouncer = Debouncer(recorder, delay_s=0.01, give_up_after_s=0.1)
    try:
        debouncer.trigger(5)
        wait(lambda: not debouncer.pending(), what="giving up")
        tries = recorder.counts()[5]
        assert 2 <= tries < 1000
    finally:
        debouncer.close(flush=False)


def test_a_trigger_during_the_action_runs_it_once_more(
    debouncer: Debouncer, recorder: Recorder, wait: Waiter
) -> None:
    recorder.release.clear()
    debouncer.trigger(3)
    assert recorder.entered.wait(5)
    debouncer.trigger(3)  # joins the entry whose action is running
    recorder.release.set()
    wait(lambda: recorder.counts()[3] == 2 and not debouncer.pending(), what="a second run")


def test_a_failing_action_is_not_retried(wait: Waiter) -> None:
    calls: list[int] = []

    def boom(key: int) -> bool:
        calls.append(key)
        raise RuntimeError("boom")

    debouncer = Debouncer(boom, delay_s=0.01)
    try:
        debouncer.trigger(1)
        wait(lambda: not debouncer.pending(), what="the action")
        assert calls == [1]
    finally:
        debouncer.close(flush=False)


def test_flush_runs_pending_actions_now(recorder: Recorder) -> None:
    debouncer = Debouncer(recorder, delay_s=60)
    debouncer.trigger(1)
    debouncer.trigger(2)
    assert sorted(debouncer.flush()) == [1, 2]
    assert recorder.counts() == Counter({1: 1, 2: 1})
    assert debouncer.pending() == {}
    debouncer.close(flush=False)


def test_close_flushes_or_drops(recorder: Recorder) -> None:
    flushed = Debouncer(recorder, delay_s=60)
    flushed.trigger(1)
    assert flushed.close() == [1]
    assert recorder.counts() == Counter({1: 1})
    assert flushed.trigger(1) is False  # closed: dropped

    dropped = Debouncer(recorder, delay_s=60)
    dropped.trigger(2)
    assert dropped.close(flush=False) == [2]
    assert recorder.counts()[2] == 0
