"""Repository of the admin user, API tokens and failed logins; frozen records out.

A password hash leaves this module only through :meth:`AuthRepository.credentials` (for the
login check); token records never carry the token, only its display prefix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from app.adapters.db.auth_models import ADMIN_SLOT, AdminUser, ApiToken, LoginFailure
from app.adapters.db.engine import SessionFactory
from app.domain.auth import Scope
from app.domain.errors import NotFound, StateConflict


@dataclass(frozen=True, slots=True)
class AdminRecord:
    id: int
    username: str
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    name: str
    scopes: frozenset[Scope]
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


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

    # -- failed logins --------------------------------------------------------------------------

    def add_failure(self, *, client: str, username: str, at: datetime) -> None:
        with self._sessions() as session:
            session.add(LoginFailure(client=client[:100], username=username[:64], at=at))
            session.commit()

    def failures_since(
        self, since: datetime, *, client: str, username: str
    ) -> tuple[list[datetime], list[datetime]]:
        """Times of failures after ``since``: (from ``client``, for ``username``)."""
        with self._sessions() as session:
            rows = session.execute(
                select(col(LoginFailure.client), col(LoginFailure.username), col(LoginFailure.at))
                .where(col(LoginFailure.at) > since)
                .where(
                    or_(
                        col(LoginFailure.client) == client[:100],
                        col(LoginFailure.username) == username[:64],
                    )
                )
            ).all()
        by_client = [at for row_client, _, at in rows if row_client == client[:100]]
        by_user = [at for _, row_user, at in rows if row_user == username[:64]]
        return by_client, by_user

    def clear_failures(self, *, client: str, username: str) -> None:
        with self._sessions() as session:
            session.execute(
                delete(LoginFailure).where(
                    or_(
                        col(LoginFailure.client) == client[:100],
                        col(LoginFailure.username) == username[:64],
                    )
                )
            )
            session.commit()

    def prune_failures(self, before: datetime) -> int:
        with self._sessions() as session:
            result = session.execute(delete(LoginFailure).where(col(LoginFailure.at) < before))
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
