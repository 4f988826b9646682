"""Authentication: first-run setup of the admin, login with a rate limit, sessions, API tokens.

Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane); tokens are
``cf_`` + 32 random bytes, stored as SHA-256 digests and shown once.

Sessions are server-side: :meth:`AuthService.open_session` draws a random session id and stores
only its digest; the web layer keeps the id in its signed cookie (:func:`start_session`) and
asks :meth:`AuthService.session_user` on every request, so sign out, "sign out everywhere" and
a password change end a session at once, whatever copy of the cookie exists. Nothing here
imports a web framework.

The login limit counts an attempt in the database *before* the password is checked and
releases it when the password was right, so parallel attempts cannot get more checks than the
limit; attempts are counted per limiter key (a signed device cookie of a client that signed in
before, else the client address: see :func:`app.domain.auth.limiter_key`).

Nothing in this module logs or returns a password or a token after it was created.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain.auth import (
    SESSION_ID_BYTES,
    SESSION_LIFETIME,
    SESSION_TOUCH_INTERVAL,
    TOKEN_RANDOM_BYTES,
    Principal,
    RateLimit,
    Scope,
    attempt_admitted,
    check_password,
    check_token_name,
    format_token,
    is_token_shaped,
    limiter_key,
    normalize_username,
    parse_scopes,
    retry_after_s,
    session_digest,
    token_digest,
    token_display_prefix,
)
from app.domain.auth_records import AdminRecord, SessionRecord, TokenRecord
from app.domain.clock import utc_now
from app.domain.errors import AuthError, InvalidInput, SetupError, StateConflict, TooManyAttempts
from app.services.repository_ports import AuthRepositoryPort

logger = logging.getLogger(__name__)

DEFAULT_ADMIN_USERNAME = "admin"
SESSION_USER_ID = "uid"
SESSION_ID = "sid"
SESSION_CSRF = "csrf"
# last_used_at is written at most this often per token, not on every request.
TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)


def default_password_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: ``secret`` is the only copy there will ever be; show it once."""

    record: TokenRecord
    secret: str


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def start_session(session: MutableMapping[str, Any], user: AdminRecord, session_id: str) -> None:
    """A fresh cookie session for ``user`` holding the server-side ``session_id`` (from
    :meth:`AuthService.open_session`) and a new CSRF token (never reuse the anonymous one)."""
    session.clear()
    session[SESSION_USER_ID] = user.id
    session[SESSION_ID] = session_id
    session[SESSION_CSRF] = new_csrf_token()


def session_user_id(session: MutableMapping[str, Any]) -> int | None:
    value = session.get(SESSION_USER_ID)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def session_id(session: MutableMapping[str, Any]) -> str | None:
    """The server-side session id the cookie carries, if any."""
    value = session.get(SESSION_ID)
    return value if isinstance(value, str) and value else None


def session_csrf(session: MutableMapping[str, Any], *, create: bool = True) -> str | None:
    """The session's CSRF token, created on first use when ``create``."""
    token = session.get(SESSION_CSRF)
    if isinstance(token, str) and token:
        return token
    if not create:
        return None
    token = new_csrf_token()
    session[SESSION_CSRF] = token
    return token


def session_principal(user: AdminRecord) -> Principal:
    """The admin signed in through the dashboard may do everything."""
    return Principal(
        kind="session", name=user.username, scopes=frozenset({Scope.ADMIN}), user_id=user.id
    )


def token_principal(token: TokenRecord) -> Principal:
    return Principal(kind="token", name=token.name, scopes=token.scopes, token_id=token.id)


class AuthService:
    def __init__(
        self,
        repository: AuthRepositoryPort,
        *,
        hasher: PasswordHasher | None = None,
        rate_limit: RateLimit = RateLimit(),
        now: Callable[[], datetime] = utc_now,
        random_token: Callable[[int], str] = secrets.token_urlsafe,
    ) -> None:
        self._repo = repository
        self._hasher = hasher or default_password_hasher()
        self._limit = rate_limit
        self._now = now
        self._random_token = random_token
        self._admin_known = False
        self._dummy_hash: str | None = None

    # -- the admin ----------------------------------------------------------------------------

    def needs_setup(self) -> bool:
        """True until an admin exists (there is no way to delete one, so the answer is then
        cached)."""
        if self._admin_known:
            return False
        self._admin_known = self._repo.admin_exists()
        return not self._admin_known

    def create_admin(self, username: str, password: str) -> AdminRecord:
        """First-run setup. :class:`InvalidInput` for a bad name or password,
        :class:`StateConflict` when an admin exists already."""
        name = normalize_username(username)
        check_password(password, username=name)
        if not self.needs_setup():
            raise StateConflict("the admin exists already; sign in instead")
        user = self._repo.add_admin(
            username=name, password_hash=self._hasher.hash(password), now=self._now()
        )
        self._admin_known = True
        logger.info("admin %r created", user.username)
        return user

    def ensure_admin(
        self, password: str | None, *, username: str = DEFAULT_ADMIN_USERNAME
    ) -> AdminRecord | None:
        """Headless first start (``CROSSFADE_ADMIN_PASSWORD``): create the admin when none
        exists and a password is given; an existing admin is never changed."""
        if not password or not self.needs_setup():
            return None
        try:
            return self.create_admin(username, password)
        except InvalidInput as exc:
            raise SetupError(f"CROSSFADE_ADMIN_PASSWORD: {exc}") from exc
        except StateConflict:
            return None

    def user(self, user_id: int) -> AdminRecord | None:
        return self._repo.admin(user_id)

    def login(
        self, username: str, password: str, *, client: str, device_id: str | None = None
    ) -> AdminRecord:
        """The admin, if the name and password are right.

        The attempt is counted under its limiter key (``device_id``, the id of a valid device
        cookie, else ``client``, the address) *before* the password is checked and released
        when it was right. :class:`TooManyAttempts` when the key holds more than the limit
        within the window (no password is checked then); :class:`AuthError` for a wrong name
        or password (which one is not said).
        """
        now = self._now()
        key = limiter_key(client, device_id)
        attempt_id = self._repo.reserve_attempt(key, at=now)
        recent = self._repo.attempts_since(key, now - self._limit.window)
        if not attempt_admitted(len(recent), self._limit):
            self._repo.release_attempt(attempt_id)
            others = [at for other_id, at in recent if other_id != attempt_id]
            wait_s = retry_after_s(others, now, self._limit) or 1
            logger.warning("sign-in refused from %s: too many failed attempts", client)
            raise TooManyAttempts(
                f"too many failed sign-ins; try again in {wait_s} s", retry_after_s=wait_s
            )
        try:
            name = normalize_username(username)
        except InvalidInput:
            name = username.strip().lower()[:64] or "-"
        found = self._repo.credentials(name)
        if found is None:
            self._verify(self._dummy(), password)
            return self._fail(name, client, now, known=False)
        user, stored_hash = found
        if not self._verify(stored_hash, password):
            return self._fail(name, client, now, known=True)
        # The right password: this attempt and the key's earlier failures no longer count.
        self._repo.clear_attempts(key)
        if self._hasher.check_needs_rehash(stored_hash):
            self._repo.set_password_hash(user.id, self._hasher.hash(password), now=now)
        self._repo.record_login(user.id, now=now)
        logger.info("admin %r signed in from %s", user.username, client)
        return user

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def _dummy(self) -> str:
        """A hash to verify against for unknown names, so timing does not tell names apart."""
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _fail(self, name: str, client: str, now: datetime, *, known: bool) -> AdminRecord:
        """The attempt stays counted; old attempts of every key are pruned."""
        self._repo.prune_attempts(now - 10 * self._limit.window)
        logger.warning(
            "failed sign-in from %s (%s)", client, f"user {name!r}" if known else "unknown user"
        )
        raise AuthError("wrong username or password")

    # -- sessions -----------------------------------------------------------------------------

    def open_session(self, user: AdminRecord) -> str:
        """A new server-side session for ``user``; returns its random id (the only copy: the
        database keeps its digest)."""
        now = self._now()
        new_id = self._random_token(SESSION_ID_BYTES)
        self._repo.add_session(
            user_id=user.id,
            session_hash=session_digest(new_id),
            now=now,
            expires_at=now + SESSION_LIFETIME,
        )
        self._repo.prune_sessions(now - SESSION_LIFETIME)
        return new_id

    def session_user(self, user_id: int, session_id: str | None) -> AdminRecord | None:
        """The admin of a live session (not revoked, not expired, of ``user_id``), else
        ``None``."""
        if not session_id:
            return None
        record = self._repo.session_by_hash(session_digest(session_id))
        now = self._now()
        if record is None or record.user_id != user_id or not record.live(now):
            return None
        if now - record.last_seen_at >= SESSION_TOUCH_INTERVAL:
            self._repo.touch_session(record.id, now=now)
        return self._repo.admin(user_id)

    def live_sessions(self, user_id: int) -> list[SessionRecord]:
        return self._repo.live_sessions(user_id, now=self._now())

    def end_session(self, user_id: int, session_id: str | None) -> None:
        """Sign out: this session stops working, copies of its cookie included."""
        if session_id:
            self._repo.revoke_sessions(
                user_id=user_id, now=self._now(), only_hash=session_digest(session_id)
            )

    def end_all_sessions(self, user_id: int) -> int:
        """Sign out everywhere: every session of the admin ends; how many did."""
        ended = self._repo.revoke_sessions(user_id=user_id, now=self._now())
        logger.info("all %d sessions of admin %s ended", ended, user_id)
        return ended

    # -- password change ----------------------------------------------------------------------

    def change_password(
        self, user_id: int, current: str, new: str, *, keep_session_id: str | None
    ) -> int:
        """The signed-in admin changes the password (the current one must be right): every
        other session ends; returns how many did. :class:`AuthError` for a wrong current
        password, :class:`InvalidInput` for a new one the policy rejects."""
        user = self._repo.admin(user_id)
        found = None if user is None else self._repo.credentials(user.username)
        if found is None:
            raise AuthError("this session's admin does not exist")
        user, stored_hash = found
        if not self._verify(stored_hash, current):
            logger.warning("password change refused: wrong current password")
            raise AuthError("the current password is wrong")
        keep = session_digest(keep_session_id) if keep_session_id else None
        return self._store_password(user, new, except_hash=keep)

    def set_password(self, new: str, *, username: str | None = None) -> tuple[AdminRecord, int]:
        """An operator on the host (``crossfade admin set-password``) sets the password of the
        admin (``username``, or the only one): every session ends. Returns the admin and how
        many sessions ended."""
        if username is None:
            user = self._repo.the_admin()
        else:
            found = self._repo.credentials(normalize_username(username))
            user = None if found is None else found[0]
        if user is None:
            raise AuthError("no such admin; run the first setup instead")
        return user, self._store_password(user, new, except_hash=None)

    def _store_password(self, user: AdminRecord, new: str, *, except_hash: str | None) -> int:
        check_password(new, username=user.username)
        now = self._now()
        self._repo.set_password_hash(user.id, self._hasher.hash(new), now=now)
        ended = self._repo.revoke_sessions(user_id=user.id, now=now, except_hash=except_hash)
        logger.info("admin %r changed the password; %d other sessions ended", user.username, ended)
        return ended

    # -- API tokens -------------------------------------------------------------------------------

    def create_token(self, name: str, scopes: Iterable[str | Scope]) -> IssuedToken:
        clean_name = check_token_name(name)
        parsed = parse_scopes(str(scope) for scope in scopes)
        secret = format_token(self._random_token(TOKEN_RANDOM_BYTES))
        record = self._repo.add_token(
            name=clean_name,
            scopes=sorted(parsed, key=lambda scope: scope.rank),
            token_hash=token_digest(secret),
            prefix=token_display_prefix(secret),
            now=self._now(),
        )
        logger.info("token %s %r created (%s)", record.id, record.name, _scopes_text(record))
        return IssuedToken(record=record, secret=secret)

    def tokens(self, *, include_revoked: bool = True) -> list[TokenRecord]:
        return self._repo.tokens(include_revoked=include_revoked)

    def token(self, token_id: int) -> TokenRecord:
        return self._repo.token(token_id)

    def revoke_token(self, token_id: int) -> TokenRecord:
        record = self._repo.revoke_token(token_id, now=self._now())
        logger.info("token %s %r revoked", record.id, record.name)
        return record

    def authenticate_token(self, secret: str) -> Principal:
        """The principal of a live token; :class:`AuthError` for an unknown or revoked one."""
        if not is_token_shaped(secret):
            raise AuthError("invalid token")
        record = self._repo.token_by_hash(token_digest(secret))
        if record is None:
            raise AuthError("invalid token")
        if not record.active:
            raise AuthError("this token was revoked")
        now = self._now()
        if record.last_used_at is None or now - record.last_used_at >= TOKEN_TOUCH_INTERVAL:
            self._repo.touch_token(record.id, now=now)
        return token_principal(record)


def _scopes_text(record: TokenRecord) -> str:
    return ", ".join(scope.value for scope in sorted(record.scopes, key=lambda s: s.rank))
