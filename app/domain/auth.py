"""Authentication rules: scopes and what each allows, which paths need what, API token format,
usernames and the password policy, the login rate limit and its keys, sessions' lifetime,
when cookies are ``Secure``, safe redirects, CSRF comparison.

Pure: values in, values out. Hashing passwords (argon2), storing tokens and sessions happen in
``app.services.auth.service`` and ``app.adapters.db.auth_repo``.

Scopes nest: ``read`` ⊂ ``trigger`` ⊂ ``admin``. :data:`SCOPE_RULES` is THE one table that
says which API route needs more than ``read``; a route it does not name needs ``read`` for a
safe method (GET, HEAD, OPTIONS) and ``admin`` for anything else, so a new route is never
open to a weaker token by accident.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from app.domain.errors import InvalidInput

API_PREFIX = "/api/v1"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Scope(StrEnum):
    READ = "read"
    TRIGGER = "trigger"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, needed: Scope) -> bool:
        """``admin`` includes ``trigger`` includes ``read``."""
        return self.rank >= needed.rank


_RANK = {Scope.READ: 0, Scope.TRIGGER: 1, Scope.ADMIN: 2}

SCOPE_MEANINGS: dict[Scope, str] = {
    Scope.READ: "read everything but tokens (GET requests)",
    Scope.TRIGGER: "read, plus run, cancel, re-run and undo jobs, resolve conflicts, "
    "decide matches",
    Scope.ADMIN: "everything: libraries, links, tokens",
}


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """``["read", "trigger"]`` -> scopes; :class:`InvalidInput` when empty or unknown."""
    scopes: set[Scope] = set()
    for value in values:
        text = value.strip().lower()
        try:
            scopes.add(Scope(text))
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise InvalidInput(f"unknown scope {value!r}; use one of {known}") from None
    if not scopes:
        raise InvalidInput("a token needs at least one scope (read, trigger or admin)")
    return frozenset(scopes)


def strongest(scopes: Iterable[Scope]) -> Scope | None:
    ranked = sorted(scopes, key=lambda scope: scope.rank)
    return ranked[-1] if ranked else None


@dataclass(frozen=True, slots=True)
class ScopeRule:
    """``method`` on a route ``template`` (``{name}`` matches one path segment) needs ``scope``."""

    method: str
    template: str
    scope: Scope

    def matches(self, method: str, path: str) -> bool:
        if method.upper() != self.method:
            return False
        return _template_regex(self.template).match(path) is not None


@functools.lru_cache(maxsize=256)
def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{pattern}/?$")


def _rule(method: str, template: str, scope: Scope) -> ScopeRule:
    return ScopeRule(method=method, template=f"{API_PREFIX}{template}", scope=scope)


# THE table of API routes that need something other than the default (see module docstring).
# A later router that starts or settles work adds its line here.
SCOPE_RULES: tuple[ScopeRule, ...] = (
    # tokens are secrets management: even reading the list needs admin
    _rule("GET", "/tokens", Scope.ADMIN),
    _rule("GET", "/tokens/{token_id}", Scope.ADMIN),
    # webhooks: endpoints start work, outgoing URLs may hide secrets; managing them is admin
    _rule("GET", "/webhooks", Scope.ADMIN),
    _rule("GET", "/webhooks/{endpoint_id}", Scope.ADMIN),
    _rule("GET", "/webhooks/{endpoint_id}/deliveries", Scope.ADMIN),
    _rule("GET", "/webhooks/outgoing/{hook_id}", Scope.ADMIN),
    # a POST that only reads: compare a mirror's target with what a sync would make of it
    _rule("POST", "/diffs", Scope.READ),
    # running work
    _rule("POST", "/jobs", Scope.TRIGGER),
    _rule("POST", "/jobs/{job_id}/cancel", Scope.TRIGGER),
    _rule("POST", "/jobs/{job_id}/rerun", Scope.TRIGGER),
    _rule("POST", "/jobs/{job_id}/undo", Scope.TRIGGER),
    _rule("POST", "/links/{link_id}/run", Scope.TRIGGER),
    # settling what a run left for a person
    _rule("POST", "/conflicts/{conflict_id}/resolve", Scope.TRIGGER),
    _rule("POST", "/matches/{match_id}", Scope.TRIGGER),
)


def required_scope(method: str, path: str, rules: Sequence[ScopeRule] = SCOPE_RULES) -> Scope:
    """The scope a request needs: the first matching rule, else read for safe methods and
    admin for the rest."""
    for rule in rules:
        if rule.matches(method, path):
            return rule.scope
    return Scope.READ if method.upper() in SAFE_METHODS else Scope.ADMIN


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the admin through a session cookie, or an API token."""

    kind: Literal["session", "token"]
    name: str
    scopes: frozenset[Scope]
    user_id: int | None = None
    token_id: int | None = None

    def allows(self, needed: Scope) -> bool:
        return any(scope.includes(needed) for scope in self.scopes)


# -- which paths need what --------------------------------------------------------------------


class Gate(StrEnum):
    """How a path is guarded. ``public``: nobody is asked; ``api``: a token or a session
    (401 problem otherwise); ``page``: a session (redirect to the login page otherwise)."""

    PUBLIC = "public"
    API = "api"
    PAGE = "page"


LOGIN_PATH = "/login"
SETUP_PATH = "/setup"
PUBLIC_API_PATHS = frozenset({f"{API_PREFIX}/health"})
# Webhooks carry their own secret in the URL (``/api/v1/hooks/<source>/<secret>``).
PUBLIC_API_PREFIXES = (f"{API_PREFIX}/hooks/",)
PUBLIC_PAGE_PATHS = frozenset({LOGIN_PATH, SETUP_PATH, "/favicon.ico"})
PUBLIC_PAGE_PREFIXES = ("/static/",)


def gate_for(path: str) -> Gate:
    if path in PUBLIC_API_PATHS or path.startswith(PUBLIC_API_PREFIXES):
        return Gate.PUBLIC
    if path in PUBLIC_PAGE_PATHS or path.startswith(PUBLIC_PAGE_PREFIXES):
        return Gate.PUBLIC
    if path == "/api" or path.startswith("/api/"):
        return Gate.API
    return Gate.PAGE


def needs_csrf(method: str, path: str, *, bearer: bool) -> bool:
    """A state-changing request must show the session's CSRF token unless it carries a bearer
    token (browsers never add one by themselves) or goes to a secret webhook URL. Login and
    setup forms are included: they are posted with the anonymous session's token."""
    if method.upper() in SAFE_METHODS or bearer:
        return False
    return not path.startswith(PUBLIC_API_PREFIXES) and path not in PUBLIC_API_PATHS


def csrf_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing value on either side never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after login: only a path on this site (no scheme, host or ``//``)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(char) < 32 for char in target) or "\\" in target:
        return default
    if target.startswith((LOGIN_PATH, SETUP_PATH)):
        return default
    return target


# -- API tokens -------------------------------------------------------------------------------

BEARER_PREFIX = "cf_"
TOKEN_RANDOM_BYTES = 32
TOKEN_DISPLAY_CHARS = 8
_TOKEN_RE = re.compile(r"^cf_[A-Za-z0-9_-]{32,128}$")


def format_token(random_part: str) -> str:
    """``cf_`` + a URL-safe random string (the caller draws it: 32 bytes of entropy)."""
    token = f"{BEARER_PREFIX}{random_part}"
    if not is_token_shaped(token):
        raise InvalidInput("a token's random part must be 32 to 128 URL-safe characters")
    return token


def is_token_shaped(text: str) -> bool:
    return _TOKEN_RE.match(text) is not None


def token_digest(token: str) -> str:
    """What is stored: SHA-256 hex. Tokens carry 256 random bits, so a fast hash suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_display_prefix(token: str) -> str:
    """The start shown in lists so a person can tell tokens apart: ``cf_AbCdEfGh``."""
    return token[: len(BEARER_PREFIX) + TOKEN_DISPLAY_CHARS]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


TOKEN_NAME_MAX = 100


def check_token_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput("a token needs a name (what uses it, e.g. 'home assistant')")
    if len(cleaned) > TOKEN_NAME_MAX:
        raise InvalidInput(f"a token name has at most {TOKEN_NAME_MAX} characters")
    if any(unicodedata.category(char).startswith("C") for char in cleaned):
        raise InvalidInput("a token name cannot contain control characters")
    return cleaned


# -- the admin's username and password --------------------------------------------------------

USERNAME_MAX = 64
_USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024


def normalize_username(username: str) -> str:
    """Usernames are case-insensitive: ``Admin `` -> ``admin``."""
    name = username.strip().lower()
    if not name:
        raise InvalidInput("a username is needed")
    if len(name) > USERNAME_MAX:
        raise InvalidInput(f"a username has at most {USERNAME_MAX} characters")
    if not _USERNAME_RE.match(name):
        raise InvalidInput(
            "a username uses letters, digits, '.', '_', '-' and '@', starting with a letter "
            "or digit"
        )
    return name


def password_problems(password: str, *, username: str) -> list[str]:
    """Why ``password`` is not acceptable (empty list: it is)."""
    problems: list[str] = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"use at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        problems.append(f"use at most {PASSWORD_MAX} characters")
    if password and len(set(password)) == 1:
        problems.append("use more than one distinct character")
    if password.strip().lower() == username.strip().lower():
        problems.append("do not use the username as the password")
    if password != password.strip():
        problems.append("do not start or end with spaces")
    return problems


def check_password(password: str, *, username: str) -> None:
    problems = password_problems(password, username=username)
    if problems:
        raise InvalidInput("password rejected: " + "; ".join(problems))


# -- login rate limit -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``max_failures`` password checks that failed within ``window_s``, per limiter
    key (:func:`limiter_key`: a device cookie's id, else the client address). There is no
    per-username count: anyone could use it to lock the only admin out."""

    max_failures: int = 5
    window_s: float = 60.0

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.window_s)


def retry_after_s(failures: Sequence[datetime], now: datetime, limit: RateLimit) -> int | None:
    """Whole seconds until another attempt is allowed, or ``None`` if one is allowed now.

    Sliding window: with ``max_failures`` failures inside the window, the next attempt waits
    until the oldest of the newest ``max_failures`` leaves it.
    """
    recent = sorted(at for at in failures if now - at < limit.window)
    if len(recent) < limit.max_failures:
        return None
    oldest_counted = recent[-limit.max_failures]
    wait_s = (oldest_counted + limit.window - now).total_seconds()
    return max(1, math.ceil(wait_s))


def attempt_admitted(recent_attempts: int, limit: RateLimit) -> bool:
    """Whether an attempt may check a password, given how many attempts (its own included,
    since it was counted first) are recorded under its key within the window."""
    return recent_attempts <= limit.max_failures


class LimiterKeyKind(StrEnum):
    """What a login attempt is counted under (OWASP's "device cookie" design)."""

    DEVICE = "device"
    ADDRESS = "address"


def limiter_key(client_address: str, device_id: str | None) -> str:
    """A client that once signed in here shows a signed device cookie and is limited under
    that device alone, so a stranger's failures (counted under their address) never lock it
    out; any other attempt is limited under its address."""
    if device_id:
        return f"{LimiterKeyKind.DEVICE.value}:{device_id}"[:100]
    return f"{LimiterKeyKind.ADDRESS.value}:{client_address}"[:100]


# -- server-side sessions ---------------------------------------------------------------------

SESSION_LIFETIME = timedelta(days=14)
# last_seen_at is written at most this often per session, not on every request.
SESSION_TOUCH_INTERVAL = timedelta(seconds=60)
SESSION_ID_BYTES = 32


def session_digest(session_id: str) -> str:
    """What is stored of a session id: SHA-256 hex (the id carries 256 random bits)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


class CookieSecurity(StrEnum):
    """When cookies get the ``Secure`` flag: ``auto`` when the request came over HTTPS
    (directly, or as a trusted proxy's ``X-Forwarded-Proto`` says), or always, or never."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


def cookie_secure(mode: CookieSecurity, scheme: str) -> bool:
    if mode is CookieSecurity.ALWAYS:
        return True
    if mode is CookieSecurity.NEVER:
        return False
    return scheme.lower() in ("https", "wss")
