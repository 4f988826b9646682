"""The cached state of each file of a folder library (size, mtime, tags, match metadata)."""

from __future__ import annotations

import json
from collections.abc import Container, Sequence

from sqlalchemy import Text, cast, delete, select
from sqlmodel import col

from app.adapters.db.bulk import insert_many
from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import utc_now
from app.adapters.db.sync_models import FileState
from app.adapters.db.sync_rows import chunks, table_of
from app.domain.names import from_store_json
from app.domain.ratings.records import FileStateRecord


class FileStateStore:
    """The file-state aggregate of :class:`~app.adapters.db.sync_repo.SyncRepository`."""

    _sessions: SessionFactory

    def file_states(self, library_id: int) -> dict[str, FileStateRecord]:
        # The JSON columns come as text and are decoded here: most files share a handful of
        # tag lists ("[]" above all), decoded once each; a library has 100,000 rows.
        query = select(
            col(FileState.rel_path),
            col(FileState.size_bytes),
            col(FileState.mtime_ns),
            col(FileState.format),
            cast(col(FileState.tags), Text),
            cast(col(FileState.meta), Text),
        ).where(col(FileState.library_id) == library_id)
        tag_sets: dict[str, tuple[tuple[str, str], ...]] = {}

        def tags_of(text: str) -> tuple[tuple[str, str], ...]:
            tags = tag_sets.get(text)
            if tags is None:
                decoded = from_store_json(json.loads(text))
                assert isinstance(decoded, list)
                tags = tag_sets[text] = tuple((d, r) for d, r in decoded)
            return tags

        with self._sessions() as session:
            return {
                rel_path: FileStateRecord(
                    rel_path, size, mtime_ns, fmt, tags_of(tags), meta_json=meta
                )
                for rel_path, size, mtime_ns, fmt, tags, meta in session.connection().execute(query)
            }

    def save_file_states(
        self,
        library_id: int,
        states: Sequence[FileStateRecord],
        *,
        gone: Sequence[str] = (),
        stored: Container[str] | None = None,
    ) -> None:
        """Replace the states of ``states``' paths and forget ``gone`` paths. ``stored``: the
        paths that may have a state already (the others are only inserted); None: any."""
        now = utc_now()
        with self._sessions() as session:
            replaced = [s.rel_path for s in states if stored is None or s.rel_path in stored]
            paths = replaced + list(gone)
            for chunk in chunks(paths):
                session.execute(
                    delete(FileState).where(
                        col(FileState.library_id) == library_id,
                        col(FileState.rel_path).in_(chunk),
                    )
                )
            insert_many(
                session.connection(),
                table_of(FileState),
                ("rel_path", "size_bytes", "mtime_ns", "format", "tags", "meta"),
                (
                    (
                        state.rel_path,
                        state.size_bytes,
                        state.mtime_ns,
                        state.format,
                        [list(tag) for tag in state.tags],
                        state.match_meta(),
                    )
                    for state in states
                ),
                constants={"library_id": library_id, "read_at": now},
            )
            session.commit()
