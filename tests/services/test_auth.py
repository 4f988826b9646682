"""The auth service on a real database with a controllable clock."""

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from app.adapters.db.auth_repo import AuthRepository
from app.adapters.db.engine import SessionFactory
from app.domain.auth import RateLimit, Scope, is_token_shaped, session_digest, token_digest
from app.domain.auth_records import AdminRecord
from app.domain.errors import AuthError, InvalidInput, SetupError, StateConflict, TooManyAttempts
from app.services.auth.service import (
    SESSION_CSRF,
    SESSION_USER_ID,
    AuthService,
    session_csrf,
    session_id,
    session_principal,
    session_user_id,
    start_session,
)

PASSWORD = "correct horse battery staple"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def cheap_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """SQLite only: the repository tests cover PostgreSQL."""
    return sqlite_url


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repo(session_factory: SessionFactory) -> AuthRepository:
    return AuthRepository(session_factory)


@pytest.fixture
def auth(repo: AuthRepository, clock: Clock) -> AuthService:
    return AuthService(repo, hasher=cheap_hasher(), now=clock)


@pytest.fixture
def admin(auth: AuthService) -> AdminRecord:
    return auth.create_admin(" Admin ", PASSWORD)


def test_setup_creates_one_admin(auth: AuthService) -> None:
    assert auth.needs_setup()
    user = auth.create_admin(" Admin ", PASSWORD)
    assert user.username == "admin"
    assert not auth.needs_setup()
    with pytest.raises(StateConflict):
        auth.create_admin("other", PASSWORD)


@pytest.mark.parametrize(
    ("username", "password"),
    [("admin", "short"), ("admin", "admin"), ("", PASSWORD), ("has space", PASSWORD)],
)
def test_setup_refuses_bad_input(auth: AuthService, username: str, password: str) -> None:
    with pytest.raises(InvalidInput):
        auth.create_admin(username, password)
    assert auth.needs_setup()


def test_another_process_creating_the_admin_is_noticed(repo: AuthRepository, clock: Clock) -> None:
    first = AuthService(repo, hasher=cheap_hasher(), now=clock)
    second = AuthService(repo, hasher=cheap_hasher(), now=clock)
    assert first.needs_setup()
    assert second.needs_setup()
    first.create_admin("admin", PASSWORD)
    assert not second.needs_setup()
    with pytest.raises(StateConflict):
        second.create_admin("admin2", PASSWORD)


def test_headless_admin_from_the_environment(auth: AuthService) -> None:
    assert auth.ensure_admin(None) is None
    assert auth.ensure_admin("") is None
    assert auth.needs_setup()
    created = auth.ensure_admin(PASSWORD)
    assert created is not None
    assert created.username == "admin"
    # a later start with another password changes nothing
    assert auth.ensure_admin("another long password") is None
    assert auth.login("admin", PASSWORD, client="c").id == created.id
    with pytest.raises(AuthError):
        auth.login("admin", "another long password", client="c")


def test_a_weak_environment_password_stops_the_start(auth: AuthService) -> None:
    with pytest.raises(SetupError, match="CROSSFADE_ADMIN_PASSWORD"):
        auth.ensure_admin("short")
    assert auth.needs_setup()


def test_login(auth: AuthService, admin: AdminRecord, clock: Clock) -> None:
    user = auth.login("ADMIN", PASSWORD, client="10.0.0.1")
    assert user.id == admin.id
    assert auth.user(admin.id) == AdminRecord(
        id=admin.id, username="admin", created_at=admin.created_at, last_login_at=clock.now
    )
    with pytest.raises(AuthError, match="wrong username or password") as wrong_password:
        auth.login("admin", PASSWORD + "x", client="10.0.0.1")
    with pytest.raises(AuthError, match="wrong username or password") as unknown_user:
        auth.login("nobody", PASSWORD, client="10.0.0.1")
    with pytest.raises(AuthError, match="wrong username or password"):
        auth.login("not a valid name!", PASSWORD, client="10.0.0.1")
    assert type(wrong_password.value) is type(unknown_user.value) is AuthError


def fail(auth: AuthService, *, times: int, client: str = "10.0.0.1", user: str = "admin") -> None:
    for _ in range(times):
        with pytest.raises(AuthError) as raised:
            auth.login(user, "wrong password!", client=client)
        assert not isinstance(raised.value, TooManyAttempts)


def test_five_failures_per_minute_then_429_even_with_the_right_password(
    auth: AuthService, admin: AdminRecord, clock: Clock
) -> None:
    fail(auth, times=5)
    clock.advance(10)
    with pytest.raises(TooManyAttempts) as limited:
        auth.login("admin", PASSWORD, client="10.0.0.1")
    assert limited.value.retry_after_s == 50
    clock.advance(50)
    assert auth.login("admin", PASSWORD, client="10.0.0.1").id == admin.id


def test_a_strangers_failures_do_not_lock_out_a_known_device(
    auth: AuthService, admin: AdminRecord
) -> None:
    """Attempts with a device id are limited under that device alone: a stranger failing from
    other addresses, or from the admin's own address, never locks that device out."""
    for number in range(5):
        fail(auth, times=1, client=f"10.0.0.{number}")
    fail(auth, times=5, client="192.168.1.1")
    with pytest.raises(TooManyAttempts):
        auth.login("admin", PASSWORD, client="192.168.1.1")
    assert auth.login("admin", PASSWORD, client="192.168.1.1", device_id="dev-1").id == admin.id
    # the device's own failures do count, under the device
    for _ in range(5):
        with pytest.raises(AuthError) as raised:
            auth.login("admin", "wrong password!", client="10.9.9.9", device_id="dev-1")
        assert not isinstance(raised.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts):
        auth.login("admin", PASSWORD, client="10.9.9.9", device_id="dev-1")
    assert auth.login("admin", PASSWORD, client="10.9.9.9", device_id="dev-2").id == admin.id


def test_the_limit_is_per_client_across_users(auth: AuthService, admin: AdminRecord) -> None:
    for name in ("alice", "bob", "carol", "dave", "eve"):
        fail(auth, times=1, user=name)
    with pytest.raises(TooManyAttempts):
        auth.login("admin", PASSWORD, client="10.0.0.1")
    assert auth.login("admin", PASSWORD, client="10.0.0.2").id == admin.id


def test_a_successful_login_clears_the_count(auth: AuthService, admin: AdminRecord) -> None:
    fail(auth, times=4)
    auth.login("admin", PASSWORD, client="10.0.0.1")
    fail(auth, times=4)
    assert auth.login("admin", PASSWORD, client="10.0.0.1").id == admin.id


def test_a_custom_rate_limit(repo: AuthRepository, clock: Clock) -> None:
    auth = AuthService(
        repo, hasher=cheap_hasher(), now=clock, rate_limit=RateLimit(max_failures=2, window_s=5)
    )
    auth.create_admin("admin", PASSWORD)
    fail(auth, times=2)
    with pytest.raises(TooManyAttempts) as limited:
        auth.login("admin", PASSWORD, client="10.0.0.1")
    assert limited.value.retry_after_s == 5


def test_a_hash_with_old_parameters_is_upgraded_at_login(
    repo: AuthRepository, clock: Clock
) -> None:
    AuthService(repo, hasher=cheap_hasher(), now=clock).create_admin("admin", PASSWORD)
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    auth = AuthService(repo, hasher=stronger, now=clock)
    auth.login("admin", PASSWORD, client="c")
    found = repo.credentials("admin")
    assert found is not None
    assert not stronger.check_needs_rehash(found[1])
    assert auth.login("admin", PASSWORD, client="c").username == "admin"


def test_the_default_hasher_is_argon2id(repo: AuthRepository) -> None:
    AuthService(repo).create_admin("admin", PASSWORD)
    found = repo.credentials("admin")
    assert found is not None
    assert found[1].startswith("$argon2id$")
    assert PASSWORD not in found[1]


def test_tokens_are_shown_once_and_stored_hashed(
    auth: AuthService, session_factory: SessionFactory
) -> None:
    issued = auth.create_token("  home   assistant ", ["trigger"])
    assert is_token_shaped(issued.secret)
    assert issued.record.name == "home assistant"
    assert issued.record.scopes == {Scope.TRIGGER}
    assert issued.record.prefix == issued.secret[:11]
    other = auth.create_token("cron", [Scope.READ])
    assert other.secret != issued.secret
    with session_factory() as session:
        rows = session.execute(text("SELECT * FROM api_token")).all()
    dumped = repr(rows)
    assert issued.secret not in dumped
    assert issued.secret[11:] not in dumped
    assert token_digest(issued.secret) in dumped
    assert all(not hasattr(record, "secret") for record in auth.tokens())


def test_authenticate_a_token(auth: AuthService, clock: Clock) -> None:
    issued = auth.create_token("ha", ["read", "trigger"])
    principal = auth.authenticate_token(issued.secret)
    assert principal.kind == "token"
    assert principal.token_id == issued.record.id
    assert principal.name == "ha"
    assert principal.allows(Scope.TRIGGER)
    assert not principal.allows(Scope.ADMIN)
    first_use = auth.token(issued.record.id).last_used_at
    assert first_use == clock.now
    clock.advance(30)
    auth.authenticate_token(issued.secret)
    assert auth.token(issued.record.id).last_used_at == first_use
    clock.advance(31)
    auth.authenticate_token(issued.secret)
    assert auth.token(issued.record.id).last_used_at == clock.now


def test_revoked_unknown_and_malformed_tokens_are_refused(auth: AuthService) -> None:
    issued = auth.create_token("ha", ["admin"])
    auth.revoke_token(issued.record.id)
    with pytest.raises(AuthError, match="revoked"):
        auth.authenticate_token(issued.secret)
    with pytest.raises(AuthError, match="invalid token"):
        auth.authenticate_token("cf_" + "x" * 43)
    for malformed in ("", "cf_", "Bearer x", issued.secret + "\n", "x" * 5000):
        with pytest.raises(AuthError):
            auth.authenticate_token(malformed)


@pytest.mark.parametrize(
    ("name", "scopes"), [("", ["read"]), ("ok", []), ("ok", ["superuser"]), ("x" * 101, ["read"])]
)
def test_create_token_refuses_bad_input(auth: AuthService, name: str, scopes: list[str]) -> None:
    with pytest.raises(InvalidInput):
        auth.create_token(name, scopes)
    assert auth.tokens() == []


def test_no_password_or_token_reaches_the_log(
    auth: AuthService, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth.create_admin("admin", PASSWORD)
    auth.login("admin", PASSWORD, client="10.1.1.1")
    with pytest.raises(AuthError):
        auth.login("admin", "my other secret password", client="10.1.1.1")
    with pytest.raises(AuthError):
        auth.login("correct horse typed as name", PASSWORD, client="10.1.1.1")
    issued = auth.create_token("ha", ["read"])
    auth.authenticate_token(issued.secret)
    auth.revoke_token(issued.record.id)
    logged = caplog.text
    assert "signed in" in logged
    assert "failed sign-in" in logged
    assert "token 1 'ha' created" in logged
    for secret in (PASSWORD, "my other secret password", "correct horse", issued.secret):
        assert secret not in logged


def test_session_helpers() -> None:
    session: dict[str, Any] = {SESSION_CSRF: "anonymous-token", "other": 1}
    user = AdminRecord(id=3, username="admin", created_at=datetime.now(UTC), last_login_at=None)
    start_session(session, user, "server-side-id")
    assert session_user_id(session) == 3
    assert session_id(session) == "server-side-id"
    assert "other" not in session
    assert session[SESSION_CSRF] != "anonymous-token"
    assert session_csrf(session) == session[SESSION_CSRF]
    principal = session_principal(user)
    assert principal.kind == "session"
    assert principal.allows(Scope.ADMIN)


@pytest.mark.parametrize("value", [None, "3", True, 3.0, [3]])
def test_session_user_id_refuses_odd_values(value: object) -> None:
    assert session_user_id({SESSION_USER_ID: value}) is None


def test_session_csrf_is_created_on_demand_only_when_asked() -> None:
    session: dict[str, Any] = {}
    assert session_csrf(session, create=False) is None
    assert session == {}
    token = session_csrf(session)
    assert token
    assert session_csrf(session) == token
    assert session_csrf(session, create=False) == token


# -- server-side sessions and the password ------------------------------------------------------


def test_a_session_lives_until_revoked_or_expired(
    auth: AuthService, admin: AdminRecord, clock: Clock, repo: AuthRepository
) -> None:
    first = auth.open_session(admin)
    second = auth.open_session(admin)
    assert first != second
    assert auth.session_user(admin.id, first) == auth.user(admin.id)
    assert auth.session_user(admin.id, None) is None
    assert auth.session_user(admin.id, "made-up") is None
    assert auth.session_user(admin.id + 1, first) is None  # another user id in the cookie
    auth.end_session(admin.id, first)
    assert auth.session_user(admin.id, first) is None
    assert auth.session_user(admin.id, second) is not None
    clock.advance(14 * 24 * 3600 + 1)
    assert auth.session_user(admin.id, second) is None
    assert auth.live_sessions(admin.id) == []


def test_the_database_holds_only_digests_of_session_ids(
    auth: AuthService, admin: AdminRecord, session_factory: SessionFactory
) -> None:
    raw = auth.open_session(admin)
    with session_factory() as session:
        stored = [row[0] for row in session.execute(text("SELECT session_hash FROM web_session"))]
    assert stored == [session_digest(raw)]
    assert raw not in stored


def test_last_seen_is_touched_at_most_once_a_minute(
    auth: AuthService, admin: AdminRecord, clock: Clock
) -> None:
    raw = auth.open_session(admin)
    opened = clock.now
    clock.advance(30)
    auth.session_user(admin.id, raw)
    assert auth.live_sessions(admin.id)[0].last_seen_at == opened
    clock.advance(31)
    auth.session_user(admin.id, raw)
    assert auth.live_sessions(admin.id)[0].last_seen_at == clock.now


def test_sign_out_everywhere_ends_every_session(auth: AuthService, admin: AdminRecord) -> None:
    ids = [auth.open_session(admin) for _ in range(3)]
    assert auth.end_all_sessions(admin.id) == 3
    assert all(auth.session_user(admin.id, raw) is None for raw in ids)


def test_changing_the_password_ends_the_other_sessions(
    auth: AuthService, admin: AdminRecord
) -> None:
    here, elsewhere = auth.open_session(admin), auth.open_session(admin)
    new_password = "a brand new passphrase"
    with pytest.raises(AuthError, match="current password is wrong"):
        auth.change_password(admin.id, "not it at all", new_password, keep_session_id=here)
    with pytest.raises(InvalidInput, match="at least"):
        auth.change_password(admin.id, PASSWORD, "short", keep_session_id=here)
    assert auth.session_user(admin.id, elsewhere) is not None  # refused changes end nothing
    assert auth.change_password(admin.id, PASSWORD, new_password, keep_session_id=here) == 1
    assert auth.session_user(admin.id, here) is not None
    assert auth.session_user(admin.id, elsewhere) is None
    with pytest.raises(AuthError):
        auth.login("admin", PASSWORD, client="10.0.0.1")
    assert auth.login("admin", new_password, client="10.0.0.1").id == admin.id


def test_setting_the_password_from_the_host_ends_every_session(
    auth: AuthService, admin: AdminRecord
) -> None:
    raw = auth.open_session(admin)
    user, ended = auth.set_password("set on the host 123")
    assert (user.id, ended) == (admin.id, 1)
    assert auth.session_user(admin.id, raw) is None
    assert auth.login("admin", "set on the host 123", client="c").id == admin.id
    assert auth.set_password("and once more 4567", username="ADMIN")[0].id == admin.id
    with pytest.raises(AuthError, match="no such admin"):
        auth.set_password("and once more 4567", username="nobody")
    with pytest.raises(InvalidInput):
        auth.set_password("admin")


def test_setting_a_password_before_setup_is_refused(auth: AuthService) -> None:
    with pytest.raises(AuthError, match="no such admin"):
        auth.set_password("set on the host 123")
