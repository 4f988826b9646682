"""The names a ratings run reports with and the values its steps pass: counter names are the
summary's fields (stored as the job's counters), event names keep their stored spelling."""

from __future__ import annotations

import dataclasses

import pytest

from app.domain.links import Side
from app.domain.ratings.value import Rating
from app.services.ratings.run.values import (
    RatingsCounter,
    RatingsEvent,
    RunPhase,
    SyncSummary,
    held_value,
    to_half_stars,
    to_rating,
)


@pytest.mark.parametrize(
    ("phase", "shown"),
    [
        (RunPhase.MATCHING, "matching"),
        (RunPhase.PLANNING, "planning"),
        (RunPhase.WRITING, "writing"),
        (RunPhase.UNDOING, "undoing"),
    ],
)
def test_progress_phases_keep_their_names(phase: RunPhase, shown: str) -> None:
    assert phase == shown
    assert f"{phase}" == shown


@pytest.mark.parametrize(
    ("event", "stored"),
    [
        (RatingsEvent.WRITE_A, "write_a"),
        (RatingsEvent.SKIP_DIRECTION, "skip_direction"),
        (RatingsEvent.TAGS_DISAGREE, "tags_disagree"),
        (RatingsEvent.MATCH_MOVED, "match_moved"),
        (RatingsEvent.UNDO_STICKS, "undo_sticks"),
    ],
)
def test_event_actions_keep_their_stored_names(event: RatingsEvent, stored: str) -> None:
    assert event == stored
    assert f"{event}" == stored


def test_the_counters_are_the_summary_fields_in_order() -> None:
    fields = [field.name for field in dataclasses.fields(SyncSummary)]

    assert [counter.value for counter in RatingsCounter] == fields


def test_the_counters_of_a_summary_are_its_fields() -> None:
    summary = SyncSummary(items_a=3, written_b=2, baselines_recorded=1)

    counters = summary.as_counters()

    assert list(counters) == [field.name for field in dataclasses.fields(SyncSummary)]
    assert counters["items_a"] == 3
    assert counters["written_b"] == 2
    assert counters["baselines_recorded"] == 1
    assert counters["errors"] == 0


@pytest.mark.parametrize(
    ("side", "event", "counted_a", "counted_b"),
    [(Side.A, "write_a", 1, 0), (Side.B, "write_b", 0, 1)],
)
def test_a_write_is_named_and_counted_by_its_side(
    side: Side, event: str, counted_a: int, counted_b: int
) -> None:
    summary = SyncSummary()

    summary.count_write(side)

    assert RatingsEvent.write_on(side) == event
    assert (summary.written_a, summary.written_b) == (counted_a, counted_b)


@pytest.mark.parametrize(
    ("half_stars", "rating", "held"),
    [(None, None, 0), (1, Rating(1), 1), (7, Rating(7), 7), (10, Rating(10), 10)],
)
def test_stored_half_stars_convert_both_ways(
    half_stars: int | None, rating: Rating | None, held: int
) -> None:
    assert to_rating(half_stars) == rating
    assert to_half_stars(rating) == half_stars
    assert held_value(rating) == held
