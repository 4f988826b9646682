"""The auth tables on SQLite and PostgreSQL (``session_factory`` runs each test on both)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from app.adapters.db.auth_models import ApiToken
from app.adapters.db.auth_repo import AuthRepository
from app.adapters.db.engine import SessionFactory
from app.domain.auth import Scope
from app.domain.errors import InvalidInput, NotFound, StateConflict

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def repo(session_factory: SessionFactory) -> AuthRepository:
    return AuthRepository(session_factory)


def test_one_admin_only(repo: AuthRepository) -> None:
    assert not repo.admin_exists()
    admin = repo.add_admin(username="admin", password_hash="$argon2id$fake", now=NOW)
    assert repo.admin_exists()
    assert admin.username == "admin"
    assert admin.created_at == NOW
    assert admin.last_login_at is None
    with pytest.raises(StateConflict):
        repo.add_admin(username="other", password_hash="$argon2id$x", now=NOW)
    with pytest.raises(StateConflict):
        repo.add_admin(username="admin", password_hash="$argon2id$x", now=NOW)
    assert repo.admin(admin.id) == admin
    assert repo.admin(admin.id + 1) is None


def test_credentials_password_hash_and_login_time(repo: AuthRepository) -> None:
    admin = repo.add_admin(username="admin", password_hash="hash-1", now=NOW)
    assert repo.credentials("nobody") is None
    found = repo.credentials("admin")
    assert found == (admin, "hash-1")
    repo.set_password_hash(admin.id, "hash-2", now=NOW + timedelta(minutes=1))
    repo.record_login(admin.id, now=NOW + timedelta(minutes=2))
    found = repo.credentials("admin")
    assert found is not None
    user, stored = found
    assert stored == "hash-2"
    assert user.last_login_at == NOW + timedelta(minutes=2)


def test_attempts_are_counted_per_limiter_key(repo: AuthRepository) -> None:
    first = repo.reserve_attempt("address:10.0.0.1", at=NOW - timedelta(seconds=30))
    repo.reserve_attempt("device:abc", at=NOW - timedelta(seconds=20))
    second = repo.reserve_attempt("address:10.0.0.1", at=NOW - timedelta(seconds=10))
    repo.reserve_attempt("address:10.0.0.1", at=NOW - timedelta(seconds=120))
    since = NOW - timedelta(seconds=60)
    assert repo.attempts_since("address:10.0.0.1", since) == [
        (first, NOW - timedelta(seconds=30)),
        (second, NOW - timedelta(seconds=10)),
    ]
    assert repo.attempts_since("address:10.9.9.9", since) == []

    repo.release_attempt(first)
    assert [at for _, at in repo.attempts_since("address:10.0.0.1", since)] == [
        NOW - timedelta(seconds=10)
    ]
    assert repo.prune_attempts(since) == 1
    repo.clear_attempts("address:10.0.0.1")
    assert repo.attempts_since("address:10.0.0.1", NOW - timedelta(days=1)) == []
    assert len(repo.attempts_since("device:abc", since)) == 1


def test_a_long_limiter_key_is_cut_not_refused(repo: AuthRepository) -> None:
    key = "address:" + "c" * 300
    repo.reserve_attempt(key, at=NOW)
    assert [at for _, at in repo.attempts_since(key, NOW - timedelta(seconds=1))] == [NOW]


def test_sessions_are_stored_revoked_and_pruned(repo: AuthRepository) -> None:
    admin = repo.add_admin(username="admin", password_hash="h", now=NOW)
    later = NOW + timedelta(days=14)
    made = [
        repo.add_session(user_id=admin.id, session_hash=char * 64, now=NOW, expires_at=later)
        for char in "abc"
    ]
    assert repo.session_by_hash("a" * 64) == made[0]
    assert repo.session_by_hash("z" * 64) is None
    assert made[0].live(NOW) and not made[0].live(later)
    assert repo.revoke_sessions(user_id=admin.id, now=NOW, only_hash="a" * 64) == 1
    assert repo.revoke_sessions(user_id=admin.id, now=NOW, only_hash="a" * 64) == 0
    revoked = repo.session_by_hash("a" * 64)
    assert revoked is not None and revoked.revoked_at == NOW and not revoked.live(NOW)
    assert repo.revoke_sessions(user_id=admin.id, now=NOW, except_hash="b" * 64) == 1
    assert [s.id for s in repo.live_sessions(admin.id, now=NOW)] == [made[1].id]
    repo.touch_session(made[1].id, now=NOW + timedelta(hours=1))
    touched = repo.session_by_hash("b" * 64)
    assert touched is not None and touched.last_seen_at == NOW + timedelta(hours=1)
    assert repo.prune_sessions(later) == 0
    assert repo.prune_sessions(later + timedelta(seconds=1)) == 3
    assert repo.the_admin() == admin


def test_tokens_round_trip_and_revoke(
    repo: AuthRepository, session_factory: SessionFactory
) -> None:
    first = repo.add_token(
        name="home assistant",
        scopes=[Scope.TRIGGER],
        token_hash="a" * 64,
        prefix="cf_AAAAAAAA",
        now=NOW,
    )
    second = repo.add_token(
        name="backup", scopes=[Scope.READ, Scope.ADMIN], token_hash="b" * 64, prefix="cf_B", now=NOW
    )
    assert first.scopes == {Scope.TRIGGER}
    assert second.scopes == {Scope.READ, Scope.ADMIN}
    assert first.active
    assert [t.id for t in repo.tokens()] == [first.id, second.id]
    assert repo.token_by_hash("a" * 64) == first
    assert repo.token_by_hash("c" * 64) is None
    assert repo.token(second.id) == second

    later = NOW + timedelta(hours=1)
    revoked = repo.revoke_token(first.id, now=later)
    assert revoked.revoked_at == later
    assert not revoked.active
    again = repo.revoke_token(first.id, now=later + timedelta(hours=1))
    assert again.revoked_at == later
    assert [t.id for t in repo.tokens(include_revoked=False)] == [second.id]
    assert len(repo.tokens()) == 2

    repo.touch_token(second.id, now=later)
    assert repo.token(second.id).last_used_at == later

    with session_factory() as session:
        stored = session.scalars(select(ApiToken).order_by(col(ApiToken.id))).all()
        assert [row.scopes for row in stored] == [["trigger"], ["admin", "read"]]


def test_missing_tokens_are_not_found(repo: AuthRepository) -> None:
    with pytest.raises(NotFound):
        repo.token(99)
    with pytest.raises(NotFound):
        repo.revoke_token(99, now=NOW)


def test_an_id_too_large_for_the_database_is_not_a_crash(repo: AuthRepository) -> None:
    for call in (lambda: repo.token(10**30), lambda: repo.revoke_token(10**30, now=NOW)):
        with pytest.raises((InvalidInput, NotFound)):
            call()
