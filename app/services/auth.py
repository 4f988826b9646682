"""Authentication: first-run setup of the admin, login with a rate limit, sessions, API tokens.

Passwords are hashed with argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane); tokens are
``cf_`` + 32 random bytes, stored as SHA-256 digests and shown once. The web layer keeps the
session in a signed cookie; this module only decides what goes in it (:func:`start_session`)
and reads it back (:func:`session_user_id`), so nothing here imports a web framework.

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

from app.adapters.db.auth_repo import AdminRecord, AuthRepository, TokenRecord
from app.adapters.db.models import utc_now
from app.domain.auth import (
    TOKEN_RANDOM_BYTES,
    Principal,
    RateLimit,
    Scope,
    check_password,
    check_token_name,
    format_token,
    is_token_shaped,
    normalize_username,
    parse_scopes,
    retry_after_s,
    token_digest,
    token_display_prefix,
)
from app.domain.errors import AuthError, InvalidInput, SetupError, StateConflict, TooManyAttempts

logger = logging.getLogger(__name__)

DEFAULT_ADMIN_USERNAME = "admin"
SESSION_USER_ID = "uid"
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


def start_session(session: MutableMapping[str, Any], user: AdminRecord) -> None:
    """A fresh session for ``user`` with a new CSRF token (never reuse the anonymous one)."""
    session.clear()
    session[SESSION_USER_ID] = user.id
    session[SESSION_CSRF] = new_csrf_token()


def session_user_id(session: MutableMapping[str, Any]) -> int | None:
    value = session.get(SESSION_USER_ID)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        repository: AuthRepository,
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

    def login(self, username: str, password: str, *, client: str) -> AdminRecord:
        """The admin, if the name and password are right.

        :class:`TooManyAttempts` when this client or this username failed too often within
        the window (checked before the password, which also bounds hashing work);
        :class:`AuthError` for a wrong name or password (which one is not said).
        """
        now = self._now()
        try:
            name = normalize_username(username)
        except InvalidInput:
            name = username.strip().lower()[:64] or "-"
        by_client, by_user = self._repo.failures_since(
            now - self._limit.window, client=client, username=name
        )
        waits = [retry_after_s(times, now, self._limit) for times in (by_client, by_user)]
        wait_s = max((w for w in waits if w is not None), default=None)
        if wait_s is not None:
            raise TooManyAttempts(
                f"too many failed sign-ins; try again in {wait_s} s", retry_after_s=wait_s
            )
        found = self._repo.credentials(name)
        if found is None:
            self._verify(self._dummy(), password)
            return self._fail(name, client, now, known=False)
        user, stored_hash = found
        if not self._verify(stored_hash, password):
            return self._fail(name, client, now, known=True)
        self._repo.clear_failures(client=client, username=name)
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
        self._repo.add_failure(client=client, username=name, at=now)
        self._repo.prune_failures(now - 10 * self._limit.window)
        logger.warning(
            "failed sign-in from %s (%s)", client, f"user {name!r}" if known else "unknown user"
        )
        raise AuthError("wrong username or password")

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
