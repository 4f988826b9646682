"""Repository of libraries, their path mappings, and links; frozen records out.

A library's ``secret`` (a Plex token) is returned only by :meth:`LibraryRepository.secret`, so
records handed to the API can never carry it. It is stored sealed by the installation's
:class:`~app.adapters.secret_box.SecretBox` (encrypted at rest) and opened only there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.adapters.db.engine import SessionFactory
from app.adapters.db.models import Library, Link, PathMapping, utc_now
from app.adapters.log_redaction import remember
from app.adapters.secret_box import SecretCipher, process_box
from app.domain.errors import InvalidInput, NotFound, StateConflict
from app.domain.library_records import LibraryRecord, LinkRecord


def _link(row: Link) -> LinkRecord:
    assert row.id is not None
    return LinkRecord(
        id=row.id,
        kind=row.kind,
        library_a_id=row.library_a_id,
        library_b_id=row.library_b_id,
        direction=row.direction,
        policy=row.policy,
        options=dict(row.options),
        schedule=row.schedule,
        enabled=row.enabled,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class LibraryRepository:
    """``secret_box`` seals secrets at rest: the installation's box (see ``app.bootstrap``);
    without one, a box whose key lives only as long as this process."""

    def __init__(
        self, session_factory: SessionFactory, secret_box: SecretCipher | None = None
    ) -> None:
        self._sessions = session_factory
        self._box = secret_box or process_box()

    def _seal(self, secret: str | None) -> str | None:
        remember(secret)  # never in a log line
        return self._box.seal(secret) if secret else None

    # -- libraries ------------------------------------------------------------------------

    def _record(self, row: Library, mappings: Sequence[PathMapping]) -> LibraryRecord:
        assert row.id is not None
        return LibraryRecord(
            id=row.id,
            kind=row.kind,
            name=row.name,
            config=dict(row.config),
            has_secret=bool(row.secret),
            path_mappings=tuple(
                (m.plex_prefix, m.local_prefix) for m in sorted(mappings, key=lambda m: m.position)
            ),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def _mappings(self, session: Any, library_id: int) -> list[PathMapping]:
        query = select(PathMapping).where(col(PathMapping.library_id) == library_id)
        return list(session.scalars(query))

    def libraries(self, *, kind: str | None = None) -> list[LibraryRecord]:
        query = select(Library).order_by(col(Library.id))
        if kind is not None:
            query = query.where(col(Library.kind) == kind)
        with self._sessions() as session:
            rows = list(session.scalars(query))
            mappings: dict[int, list[PathMapping]] = {}
            for mapping in session.scalars(select(PathMapping)):
                mappings.setdefault(mapping.library_id, []).append(mapping)
            return [self._record(row, mappings.get(row.id or 0, [])) for row in rows]

    def library(self, library_id: int) -> LibraryRecord:
        with self._sessions() as session:
            row = session.get(Library, library_id)
            if row is None:
                raise NotFound(f"library {library_id} does not exist")
            return self._record(row, self._mappings(session, library_id))

    def secret(self, library_id: int) -> str | None:
        with self._sessions() as session:
            row = session.get(Library, library_id)
            if row is None:
                raise NotFound(f"library {library_id} does not exist")
            sealed = row.secret
        if not sealed:
            return None
        secret = self._box.open(sealed, what=f"the token of library {library_id}")
        remember(secret)  # never in a log line
        return secret

    def add_library(
        self,
        *,
        kind: str,
        name: str,
        config: dict[str, Any],
        secret: str | None,
        path_mappings: Sequence[tuple[str, str]] = (),
    ) -> LibraryRecord:
        now = utc_now()
        with self._sessions() as session:
            row = Library(
                kind=kind,
                name=name,
                config=config,
                secret=self._seal(secret),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                raise StateConflict(f"a library named {name!r} exists already") from None
            assert row.id is not None
            self._replace_mappings(session, row.id, path_mappings)
            session.commit()
            return self._record(row, self._mappings(session, row.id))

    def update_library(
        self,
        library_id: int,
        *,
        name: str | None = None,
        config: dict[str, Any] | None = None,
        secret: str | None = None,
        path_mappings: Sequence[tuple[str, str]] | None = None,
    ) -> LibraryRecord:
        with self._sessions() as session:
            row = session.get(Library, library_id)
            if row is None:
                raise NotFound(f"library {library_id} does not exist")
            if name is not None:
                row.name = name
            if config is not None:
                row.config = config
            if secret is not None:
                row.secret = self._seal(secret)
            if path_mappings is not None:
                self._replace_mappings(session, library_id, path_mappings)
            row.updated_at = utc_now()
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict(f"a library named {name!r} exists already") from None
            return self._record(row, self._mappings(session, library_id))

    @staticmethod
    def _replace_mappings(
        session: Any, library_id: int, path_mappings: Sequence[tuple[str, str]]
    ) -> None:
        session.execute(delete(PathMapping).where(col(PathMapping.library_id) == library_id))
        session.flush()
        for position, (plex_prefix, local_prefix) in enumerate(path_mappings):
            session.add(
                PathMapping(
                    library_id=library_id,
                    position=position,
                    plex_prefix=plex_prefix,
                    local_prefix=local_prefix,
                )
            )

    def delete_library(self, library_id: int) -> None:
        with self._sessions() as session:
            row = session.get(Library, library_id)
            if row is None:
                raise NotFound(f"library {library_id} does not exist")
            used = session.scalar(
                select(col(Link.id)).where(
                    (col(Link.library_a_id) == library_id) | (col(Link.library_b_id) == library_id)
                )
            )
            if used is not None:
                raise StateConflict(f"library {library_id} is used by link {used}; delete it first")
            session.delete(row)
            session.commit()

    # -- links ----------------------------------------------------------------------------

    def links(self, *, kind: str | None = None) -> list[LinkRecord]:
        query = select(Link).order_by(col(Link.id))
        if kind is not None:
            query = query.where(col(Link.kind) == kind)
        with self._sessions() as session:
            return [_link(row) for row in session.scalars(query)]

    def link(self, link_id: int) -> LinkRecord:
        with self._sessions() as session:
            row = session.get(Link, link_id)
            if row is None:
                raise NotFound(f"link {link_id} does not exist")
            return _link(row)

    def add_link(
        self,
        *,
        kind: str,
        library_a_id: int,
        library_b_id: int,
        direction: str,
        policy: str,
        options: dict[str, Any],
        schedule: str | None = None,
        enabled: bool = True,
    ) -> LinkRecord:
        if library_a_id == library_b_id:
            raise InvalidInput("a link joins two different libraries")
        now = utc_now()
        with self._sessions() as session:
            for library_id in (library_a_id, library_b_id):
                if session.get(Library, library_id) is None:
                    raise NotFound(f"library {library_id} does not exist")
            row = Link(
                kind=kind,
                library_a_id=library_a_id,
                library_b_id=library_b_id,
                direction=direction,
                policy=policy,
                options=options,
                schedule=schedule,
                enabled=enabled,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.commit()
            return _link(row)

    def update_link(self, link_id: int, **changes: Any) -> LinkRecord:
        allowed = {"direction", "policy", "options", "schedule", "enabled"}
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"cannot change {', '.join(sorted(unknown))} of a link")
        with self._sessions() as session:
            row = session.get(Link, link_id)
            if row is None:
                raise NotFound(f"link {link_id} does not exist")
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = utc_now()
            session.commit()
            return _link(row)

    def delete_link(self, link_id: int) -> None:
        with self._sessions() as session:
            row = session.get(Link, link_id)
            if row is None:
                raise NotFound(f"link {link_id} does not exist")
            session.delete(row)
            session.commit()
