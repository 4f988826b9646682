"""Process-wide GC control: pausing the cyclic collector and deferring full collections,
restored afterwards (also after an error, and only when the last of overlapping runs ends)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.adapters.gc_pause import FullCollections, paused_gc
from app.domain.errors import SetupError


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*before)


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


def test_full_collections_are_deferred_during_a_run_and_restored_after(
    thresholds: tuple[int, int, int],
) -> None:
    deferral = FullCollections()

    with deferral.deferred():
        assert gc.get_threshold() == (700, 10, FullCollections.DEFERRED)

    assert gc.get_threshold() == thresholds


def test_concurrent_runs_restore_the_thresholds_only_when_the_last_ends(
    thresholds: tuple[int, int, int],
) -> None:
    deferral = FullCollections()
    first = deferral.deferred()
    second = deferral.deferred()

    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    still = gc.get_threshold()
    second.__exit__(None, None, None)

    assert still == (700, 10, FullCollections.DEFERRED)
    assert gc.get_threshold() == thresholds


def test_a_failing_run_restores_the_thresholds(thresholds: tuple[int, int, int]) -> None:
    deferral = FullCollections()

    with pytest.raises(SetupError), deferral.deferred():
        raise SetupError("the Plex server went away")

    assert gc.get_threshold() == thresholds


def _fail_with_the_collector_paused() -> None:
    with paused_gc():
        assert not gc.isenabled()
        raise SetupError("boom")


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_off_in_the_block_and_on_again_after_it_even_after_an_error() -> None:
    with pytest.raises(SetupError):
        _fail_with_the_collector_paused()

    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_nested_pause_leaves_the_collector_off_until_the_outer_one_ends() -> None:
    with paused_gc():
        with paused_gc():
            pass
        still_off = not gc.isenabled()

    assert still_off
    assert gc.isenabled()
