"""File states on SQLite and PostgreSQL round-trip and are replaced."""

from __future__ import annotations

import pytest

from app.adapters.db.engine import SessionFactory
from app.domain.ratings.records import FileStateRecord
from tests.adapters.db.sync_support import Linked, make_linked


@pytest.fixture
def linked(session_factory: SessionFactory) -> Linked:
    return make_linked(session_factory)


def state(n: int, tags: tuple[tuple[str, str], ...]) -> FileStateRecord:
    return FileStateRecord(
        rel_path=f"Artist/Album/{n:02d} Ünïcødé & Song.mp3",
        size_bytes=1_000 + n,
        mtime_ns=1_700_000_000_123_456_789 + n,
        format="mp3",
        tags=tags,
        meta={"title": f"Song {n}", "track_number": n, "duration_s": 1.5, "mbid": None},
    )


def test_file_states_round_trip_and_replace(linked: Linked) -> None:
    rated = (("popm:musicbee", "196"), ("txxx:fmps_rating", "0.8"))
    first = [state(n, rated if n % 3 == 0 else ()) for n in range(30)]
    linked.repository.save_file_states(linked.folder_id, first)

    loaded = linked.repository.file_states(linked.folder_id)

    assert loaded == {s.rel_path: s for s in first}
    changed = state(3, (("popm:musicbee", "255"),))
    linked.repository.save_file_states(
        linked.folder_id, [changed], gone=[first[4].rel_path, first[5].rel_path]
    )
    again = linked.repository.file_states(linked.folder_id)
    assert len(again) == 28
    assert again[changed.rel_path] == changed
    assert first[4].rel_path not in again
