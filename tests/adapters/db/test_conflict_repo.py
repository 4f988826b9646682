"""Conflicts on SQLite and PostgreSQL: recorded in bulk (new ones opened, open ones refreshed);
agreeing pairs close only their open conflicts."""

from __future__ import annotations

import pytest

from app.adapters.db.engine import SessionFactory
from app.domain.ratings.records import NewConflict
from tests.adapters.db.sync_support import Linked, make_linked, new_link


@pytest.fixture
def linked(session_factory: SessionFactory) -> Linked:
    return make_linked(session_factory)


def test_agreeing_pairs_close_only_their_open_conflicts(linked: Linked) -> None:
    ids = linked.repository.add_track_links(linked.link_id, [new_link(n) for n in range(4)])
    for track_link_id in ids[:3]:
        linked.repository.record_conflict(
            link_id=linked.link_id,
            track_link_id=track_link_id,
            job_id=None,
            value_a=4,
            value_b=8,
            baseline_known=True,
            baseline_rating=6,
            evidence={"a": "Plex 2★", "b": "popm:musicbee 196 (4★)"},
        )

    linked.repository.close_conflicts_for([ids[0], ids[3], ids[2]], resolution="agreed")

    still_open, _ = linked.repository.conflicts(status="open")
    resolved, _ = linked.repository.conflicts(status="resolved")
    assert [c.track_link_id for c in still_open] == [ids[1]]
    assert sorted(c.track_link_id for c in resolved) == [ids[0], ids[2]]
    assert {c.resolution for c in resolved} == {"agreed"}
    linked.repository.close_conflicts_for([], resolution="agreed")


def test_conflicts_recorded_in_bulk_open_new_ones_and_refresh_open_ones(linked: Linked) -> None:
    ids = linked.repository.add_track_links(linked.link_id, [new_link(n) for n in range(3)])
    first = linked.repository.record_conflict(
        link_id=linked.link_id,
        track_link_id=ids[0],
        job_id=None,
        value_a=2,
        value_b=4,
        baseline_known=False,
        baseline_rating=None,
        evidence={"a": "old"},
    )

    linked.repository.record_conflicts(
        link_id=linked.link_id,
        job_id=None,
        conflicts=[
            NewConflict(ids[0], 6, 8, True, 4, {"a": "Plex 3★", "b": "popm:musicbee 196 (4★)"}),
            NewConflict(ids[2], None, 10, True, 2, {"a": "Plex unrated", "reason": "both changed"}),
        ],
    )

    stored, total = linked.repository.conflicts(status="open")
    assert total == 2
    by_link = {c.track_link_id: c for c in stored}
    assert by_link[ids[0]].id == first
    assert (by_link[ids[0]].value_a, by_link[ids[0]].value_b) == (6, 8)
    assert (by_link[ids[0]].baseline_known, by_link[ids[0]].baseline_rating) == (True, 4)
    assert by_link[ids[0]].evidence == {"a": "Plex 3★", "b": "popm:musicbee 196 (4★)"}
    assert (by_link[ids[2]].value_a, by_link[ids[2]].value_b) == (None, 10)
    assert by_link[ids[2]].evidence == {"a": "Plex unrated", "reason": "both changed"}
    assert by_link[ids[2]].link_id == linked.link_id and by_link[ids[2]].resolved_at is None
    linked.repository.record_conflicts(link_id=linked.link_id, job_id=None, conflicts=[])
