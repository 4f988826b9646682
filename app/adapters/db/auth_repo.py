"""Repository of the admin user, API tokens, browser sessions and login attempts; frozen
records out.

A password hash leaves this module only through :meth:`AuthRepository.credentials` (for the
login check); token records never carry the token, only its display prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.adapters.db.auth_models import (
    ADMIN_SLOT,
    AdminUser,
    ApiToken,
    LoginAttempt,
    WebSession,
)
from app.adapters.db.engine import SessionFactory
from app.domain.auth import Scope
from app.domain.auth_records import AdminRecord, SessionRecord, TokenRecord
from app.domain.errors import NotFound, StateConflict


def _session(row: WebSession) -> SessionRecord:
    assert row.id is not None
    return SessionRecord(
        id=row.id,
        user_id=row.user_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _admin(row: AdminUser) -> AdminRecord:
    assert row.id is not None
    return AdminRecord(
        id=row.id, username=row.username, created_at=row.created_at, last_login_at=row.last_login_at
    )


def _token(row: ApiToken) -> TokenRecord:
    assert row.id is not None
    return TokenRecord(
        id=row.id,
        name=row.name,
        scopes=frozenset(Scope(value) for value in row.scopes),
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class AuthRepository:
    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    # -- the admin ----------------------------------------------------------------------------

    def admin_exists(self) -> bool:
        with self._sessions() as session:
            return bool(session.scalar(select(func.count()).select_from(AdminUser)))

    def add_admin(self, *, username: str, password_hash: str, now: datetime) -> AdminRecord:
        """:class:`StateConflict` when an admin exists already (also when two setups race)."""
        with self._sessions() as session:
            row = AdminUser(
                slot=ADMIN_SLOT,
                username=username,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                raise StateConflict("the admin exists already") from None
            return _admin(row)

    def admin(self, user_id: int) -> AdminRecord | None:
        with self._sessions() as session:
            row = session.get(AdminUser, user_id)
            return None if row is None else _admin(row)

    def the_admin(self) -> AdminRecord | None:
        """The one admin, if set up."""
        with self._sessions() as session:
            row = session.scalars(select(AdminUser).order_by(col(AdminUser.id))).first()
            return None if row is None else _admin(row)

    def credentials(self, username: str) -> tuple[AdminRecord, str] | None:
        """The admin called ``username`` and the stored password hash."""
        with self._sessions() as session:
            row = session.scalars(
                select(AdminUser).where(col(AdminUser.username) == username)
            ).first()
            return None if row is None else (_admin(row), row.password_hash)

    def set_password_hash(self, user_id: int, password_hash: str, *, now: datetime) -> None:
        with self._sessions() as session:
            session.execute(
                update(AdminUser)
                .where(col(AdminUser.id) == user_id)
                .values(password_hash=password_hash, updated_at=now)
            )
            session.commit()

    def record_login(self, user_id: int, *, now: datetime) -> None:
        with self._sessions() as session:
            session.execute(
                update(AdminUser).where(col(AdminUser.id) == user_id).values(last_login_at=now)
            )
            session.commit()

    # -- login attempts -------------------------------------------------------------------------

    def reserve_attempt(self, limiter_key: str, *, at: datetime) -> int:
        """Count one attempt under ``limiter_key``, committed before anything else happens, so
        every later :meth:`attempts_since` of any process sees it. Returns its id."""
        with self._sessions() as session:
            row = LoginAttempt(limiter_key=limiter_key[:100], at=at)
            session.add(row)
            session.commit()
            assert row.id is not None
            return row.id

    def attempts_since(self, limiter_key: str, since: datetime) -> list[tuple[int, datetime]]:
        """(id, time) of the attempts under ``limiter_key`` after ``since``, oldest first."""
        with self._sessions() as session:
            rows = session.execute(
                select(col(LoginAttempt.id), col(LoginAttempt.at))
                .where(col(LoginAttempt.limiter_key) == limiter_key[:100])
                .where(col(LoginAttempt.at) > since)
                .order_by(col(LoginAttempt.at), col(LoginAttempt.id))
            ).all()
        return [(int(attempt_id or 0), at) for attempt_id, at in rows]

    def release_attempt(self, attempt_id: int) -> None:
        with self._sessions() as session:
            session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))
            session.commit()

    def clear_attempts(self, limiter_key: str) -> None:
        with self._sessions() as session:
            session.execute(
                delete(LoginAttempt).where(col(LoginAttempt.limiter_key) == limiter_key[:100])
            )
            session.commit()

    def prune_attempts(self, before: datetime) -> int:
        with self._sessions() as session:
            result = session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) < before))
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    # -- browser sessions -----------------------------------------------------------------------

    def add_session(
        self, *, user_id: int, session_hash: str, now: datetime, expires_at: datetime
    ) -> SessionRecord:
        with self._sessions() as session:
            row = WebSession(
                session_hash=session_hash,
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
            session.add(row)
            session.commit()
            return _session(row)

    def session_by_hash(self, session_hash: str) -> SessionRecord | None:
        with self._sessions() as session:
            row = session.scalars(
                select(WebSession).where(col(WebSession.session_hash) == session_hash)
            ).first()
            return None if row is None else _session(row)

    def touch_session(self, session_id: int, *, now: datetime) -> None:
        with self._sessions() as session:
            session.execute(
                update(WebSession).where(col(WebSession.id) == session_id).values(last_seen_at=now)
            )
            session.commit()

    def revoke_sessions(
        self,
        *,
        user_id: int,
        now: datetime,
        only_hash: str | None = None,
        except_hash: str | None = None,
    ) -> int:
        """Revoke the user's live sessions (just ``only_hash``'s, or all but ``except_hash``'s);
        how many were revoked."""
        query = (
            update(WebSession)
            .where(col(WebSession.user_id) == user_id)
            .where(col(WebSession.revoked_at).is_(None))
        )
        if only_hash is not None:
            query = query.where(col(WebSession.session_hash) == only_hash)
        if except_hash is not None:
            query = query.where(col(WebSession.session_hash) != except_hash)
        with self._sessions() as session:
            result = session.execute(query.values(revoked_at=now))
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    def live_sessions(self, user_id: int, *, now: datetime) -> list[SessionRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(WebSession)
                .where(col(WebSession.user_id) == user_id)
                .where(col(WebSession.revoked_at).is_(None))
                .where(col(WebSession.expires_at) > now)
                .order_by(col(WebSession.id))
            )
            return [_session(row) for row in rows]

    def prune_sessions(self, before: datetime) -> int:
        """Delete sessions that expired before ``before``."""
        with self._sessions() as session:
            result = session.execute(delete(WebSession).where(col(WebSession.expires_at) < before))
            session.commit()
            return int(getattr(result, "rowcount", 0) or 0)

    # -- API tokens -------------------------------------------------------------------------------

    def add_token(
        self,
        *,
        name: str,
        scopes: Sequence[Scope],
        token_hash: str,
        prefix: str,
        now: datetime,
    ) -> TokenRecord:
        with self._sessions() as session:
            row = ApiToken(
                name=name,
                scopes=sorted(scope.value for scope in scopes),
                token_hash=token_hash,
                prefix=prefix,
                created_at=now,
            )
            session.add(row)
            session.commit()
            return _token(row)

    def tokens(self, *, include_revoked: bool = True) -> list[TokenRecord]:
        query = select(ApiToken).order_by(col(ApiToken.id))
        if not include_revoked:
            query = query.where(col(ApiToken.revoked_at).is_(None))
        with self._sessions() as session:
            return [_token(row) for row in session.scalars(query)]

    def token(self, token_id: int) -> TokenRecord:
        with self._sessions() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise NotFound(f"token {token_id} does not exist")
            return _token(row)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self._sessions() as session:
            row = session.scalars(
                select(ApiToken).where(col(ApiToken.token_hash) == token_hash)
            ).first()
            return None if row is None else _token(row)

    def revoke_token(self, token_id: int, *, now: datetime) -> TokenRecord:
        """Revoked from ``now`` on; revoking a revoked token keeps the first time."""
        with self._sessions() as session:
            row = session.get(ApiToken, token_id)
            if row is None:
                raise NotFound(f"token {token_id} does not exist")
            if row.revoked_at is None:
                row.revoked_at = now
                session.commit()
            return _token(row)

    def touch_token(self, token_id: int, *, now: datetime) -> None:
        with self._sessions() as session:
            session.execute(
                update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now)
            )
            session.commit()
