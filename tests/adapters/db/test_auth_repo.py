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


def test_failures_are_counted_per_client_and_per_user(repo: AuthRepository) -> None:
    repo.add_failure(client="10.0.0.1", username="admin", at=NOW - timedelta(seconds=30))
    repo.add_failure(client="10.0.0.1", username="bob", at=NOW - timedelta(seconds=20))
    repo.add_failure(client="10.0.0.2", username="admin", at=NOW - timedelta(seconds=10))
    repo.add_failure(client="10.0.0.1", username="admin", at=NOW - timedelta(seconds=120))
    since = NOW - timedelta(seconds=60)
    by_client, by_user = repo.failures_since(since, client="10.0.0.1", username="admin")
    assert sorted(by_client) == [NOW - timedelta(seconds=30), NOW - timedelta(seconds=20)]
    assert sorted(by_user) == [NOW - timedelta(seconds=30), NOW - timedelta(seconds=10)]
    by_client, by_user = repo.failures_since(since, client="10.9.9.9", username="carol")
    assert (by_client, by_user) == ([], [])

    assert repo.prune_failures(NOW - timedelta(seconds=60)) == 1
    repo.clear_failures(client="10.0.0.2", username="bob")
    by_client, by_user = repo.failures_since(
        NOW - timedelta(days=1), client="10.0.0.1", username="admin"
    )
    assert by_client == [NOW - timedelta(seconds=30)]
    assert by_user == [NOW - timedelta(seconds=30)]


def test_long_client_and_username_are_cut_not_refused(repo: AuthRepository) -> None:
    client = "c" * 300
    username = "u" * 300
    repo.add_failure(client=client, username=username, at=NOW)
    by_client, by_user = repo.failures_since(
        NOW - timedelta(seconds=1), client=client, username=username
    )
    assert by_client == [NOW]
    assert by_user == [NOW]


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
