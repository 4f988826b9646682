"""Track links on SQLite and PostgreSQL: bulk inserts give ids back in input order, links
filter by status and carry their baselines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.adapters.db.engine import SessionFactory
from tests.adapters.db.sync_support import Linked, make_linked, new_link


@pytest.fixture
def linked(session_factory: SessionFactory) -> Linked:
    return make_linked(session_factory)


def test_bulk_insert_returns_ids_in_input_order_across_batches(linked: Linked) -> None:
    wanted = [new_link(n) for n in range(5_555)]

    ids = linked.repository.add_track_links(linked.link_id, wanted)

    assert len(ids) == len(set(ids)) == len(wanted)
    stored = {record.id: record for record in linked.repository.track_links(linked.link_id)}
    for track_link_id, new in zip(ids, wanted, strict=True):
        record = stored[track_link_id]
        assert (record.a_key, record.b_key, record.score, record.a_label, record.b_label) == (
            new.a_key,
            new.b_key,
            new.score,
            new.a_label,
            new.b_label,
        )
        assert record.status == "auto" and record.method == "path"
        assert record.baseline_known is False and record.baseline_rating is None


def test_track_links_filter_by_status_and_carry_baselines(linked: Linked) -> None:
    ids = linked.repository.add_track_links(
        linked.link_id, [new_link(1), new_link(2, status="review"), new_link(3)]
    )
    linked.repository.set_baselines(
        [(ids[0], 6), (ids[2], None), (ids[0], 8)], at=datetime.now(UTC)
    )

    review = linked.repository.track_links(linked.link_id, status="review")
    every = linked.repository.track_links(linked.link_id)

    assert [(r.id, r.note) for r in review] == [(ids[1], "weak")]
    assert [r.id for r in every] == ids
    assert [(r.baseline_known, r.baseline_rating) for r in every] == [
        (True, 8),
        (False, None),
        (True, None),
    ]
    assert linked.repository.add_track_links(linked.link_id, []) == []
