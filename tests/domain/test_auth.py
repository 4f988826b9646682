from datetime import UTC, datetime, timedelta

import pytest

from app.domain.auth import (
    PASSWORD_MIN,
    SCOPE_RULES,
    CookieSecurity,
    Gate,
    Principal,
    RateLimit,
    Scope,
    ScopeRule,
    attempt_admitted,
    bearer_token,
    check_password,
    check_token_name,
    cookie_secure,
    csrf_matches,
    format_token,
    gate_for,
    is_token_shaped,
    limiter_key,
    needs_csrf,
    normalize_username,
    parse_scopes,
    password_problems,
    required_scope,
    retry_after_s,
    safe_next,
    session_digest,
    strongest,
    token_digest,
    token_display_prefix,
)
from app.domain.errors import InvalidInput

RANDOM_43 = "A" * 20 + "b-_" + "9" * 20


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        (Scope.READ, Scope.READ, True),
        (Scope.READ, Scope.TRIGGER, False),
        (Scope.READ, Scope.ADMIN, False),
        (Scope.TRIGGER, Scope.READ, True),
        (Scope.TRIGGER, Scope.TRIGGER, True),
        (Scope.TRIGGER, Scope.ADMIN, False),
        (Scope.ADMIN, Scope.READ, True),
        (Scope.ADMIN, Scope.TRIGGER, True),
        (Scope.ADMIN, Scope.ADMIN, True),
    ],
)
def test_scopes_nest(held: Scope, needed: Scope, allowed: bool) -> None:
    assert held.includes(needed) is allowed
    principal = Principal(kind="token", name="t", scopes=frozenset({held}), token_id=1)
    assert principal.allows(needed) is allowed


def test_a_principal_with_several_scopes_has_the_strongest() -> None:
    principal = Principal(kind="token", name="t", scopes=frozenset({Scope.READ, Scope.TRIGGER}))
    assert principal.allows(Scope.TRIGGER)
    assert not principal.allows(Scope.ADMIN)
    assert strongest(principal.scopes) is Scope.TRIGGER
    assert strongest([]) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["read"], {Scope.READ}),
        ([" Trigger "], {Scope.TRIGGER}),
        (["admin", "read", "admin"], {Scope.ADMIN, Scope.READ}),
    ],
)
def test_parse_scopes(values: list[str], expected: set[Scope]) -> None:
    assert parse_scopes(values) == expected


@pytest.mark.parametrize("values", [[], ["write"], ["read", ""], ["root"]])
def test_parse_scopes_refuses_unknown_or_empty(values: list[str]) -> None:
    with pytest.raises(InvalidInput):
        parse_scopes(values)


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/api/v1/jobs", Scope.READ),
        ("GET", "/api/v1/jobs/12/events", Scope.READ),
        ("HEAD", "/api/v1/libraries", Scope.READ),
        ("GET", "/api/v1/status", Scope.READ),
        ("GET", "/api/v1/jobs/3/stream", Scope.READ),
        ("get", "/api/v1/conflicts", Scope.READ),
        ("POST", "/api/v1/diffs", Scope.READ),
        ("POST", "/api/v1/jobs", Scope.TRIGGER),
        ("POST", "/api/v1/jobs/", Scope.TRIGGER),
        ("POST", "/api/v1/jobs/7/cancel", Scope.TRIGGER),
        ("POST", "/api/v1/jobs/7/rerun", Scope.TRIGGER),
        ("POST", "/api/v1/jobs/7/undo", Scope.TRIGGER),
        ("POST", "/api/v1/links/2/run", Scope.TRIGGER),
        ("POST", "/api/v1/conflicts/9/resolve", Scope.TRIGGER),
        ("POST", "/api/v1/matches/4", Scope.TRIGGER),
        # everything else that changes state is admin
        ("POST", "/api/v1/libraries", Scope.ADMIN),
        ("PATCH", "/api/v1/libraries/1", Scope.ADMIN),
        ("DELETE", "/api/v1/links/1", Scope.ADMIN),
        ("POST", "/api/v1/links", Scope.ADMIN),
        ("POST", "/api/v1/tokens", Scope.ADMIN),
        ("DELETE", "/api/v1/tokens/3", Scope.ADMIN),
        ("PUT", "/api/v1/something/new", Scope.ADMIN),
        # reading tokens is admin too
        ("GET", "/api/v1/tokens", Scope.ADMIN),
        ("GET", "/api/v1/tokens/3", Scope.ADMIN),
        # templates match one segment, not more
        ("POST", "/api/v1/jobs/7/cancel/extra", Scope.ADMIN),
        ("POST", "/api/v1/links/2/x/run", Scope.ADMIN),
    ],
)
def test_required_scope(method: str, path: str, scope: Scope) -> None:
    assert required_scope(method, path) is scope


def test_scope_rules_are_unique_and_under_the_api() -> None:
    keys = [(rule.method, rule.template) for rule in SCOPE_RULES]
    assert len(keys) == len(set(keys))
    assert all(rule.template.startswith("/api/v1/") for rule in SCOPE_RULES)


def test_template_special_characters_are_literal() -> None:
    rule = ScopeRule(method="POST", template="/api/v1/a.b/{id}", scope=Scope.TRIGGER)
    assert rule.matches("POST", "/api/v1/a.b/1")
    assert not rule.matches("POST", "/api/v1/aXb/1")
    assert not rule.matches("GET", "/api/v1/a.b/1")


@pytest.mark.parametrize(
    ("path", "gate"),
    [
        ("/api/v1/health", Gate.PUBLIC),
        ("/api/v1/hooks/plex/abc", Gate.PUBLIC),
        ("/api/v1/hooks/generic/x/y", Gate.PUBLIC),
        ("/login", Gate.PUBLIC),
        ("/setup", Gate.PUBLIC),
        ("/static/htmx.min.js", Gate.PUBLIC),
        ("/favicon.ico", Gate.PUBLIC),
        ("/api/v1/healthz", Gate.API),
        ("/api/v1/hooks", Gate.API),
        ("/api/v1/jobs", Gate.API),
        ("/api/v1/openapi.json", Gate.API),
        ("/api", Gate.API),
        ("/", Gate.PAGE),
        ("/docs", Gate.PAGE),
        ("/tokens", Gate.PAGE),
        ("/login/extra", Gate.PAGE),
        ("/static", Gate.PAGE),
        ("/apiary", Gate.PAGE),
    ],
)
def test_gate_for(path: str, gate: Gate) -> None:
    assert gate_for(path) is gate


@pytest.mark.parametrize(
    ("method", "path", "bearer", "needed"),
    [
        ("GET", "/jobs", False, False),
        ("HEAD", "/api/v1/jobs", False, False),
        ("POST", "/jobs/selftest", False, True),
        ("POST", "/api/v1/jobs", False, True),
        ("POST", "/api/v1/jobs", True, False),
        ("DELETE", "/api/v1/links/1", False, True),
        ("POST", "/login", False, True),
        ("POST", "/setup", False, True),
        ("POST", "/api/v1/hooks/plex/secret", False, False),
    ],
)
def test_needs_csrf(method: str, path: str, bearer: bool, needed: bool) -> None:
    assert needs_csrf(method, path, bearer=bearer) is needed


@pytest.mark.parametrize(
    ("expected", "given", "ok"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("abc", "", False),
        ("", "", False),
        (None, None, False),
        (None, "abc", False),
        ("abc", None, False),
        ("äbc", "äbc", True),
    ],
)
def test_csrf_matches(expected: str | None, given: str | None, ok: bool) -> None:
    assert csrf_matches(expected, given) is ok


@pytest.mark.parametrize(
    ("target", "result"),
    [
        (None, "/"),
        ("", "/"),
        ("/jobs/3?level=error", "/jobs/3?level=error"),
        ("/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("jobs", "/"),
        ("/a\\b", "/"),
        ("/jobs\r\nSet-Cookie: x", "/"),
        ("/login?next=/x", "/"),
        ("/setup", "/"),
    ],
)
def test_safe_next(target: str | None, result: str) -> None:
    assert safe_next(target) == result


def test_token_format_digest_and_prefix() -> None:
    token = format_token(RANDOM_43)
    assert token == "cf_" + RANDOM_43
    assert is_token_shaped(token)
    digest = token_digest(token)
    assert len(digest) == 64
    assert digest == token_digest(token)
    assert digest != token_digest(token + "x")
    assert RANDOM_43 not in digest
    assert token_display_prefix(token) == "cf_" + RANDOM_43[:8]


@pytest.mark.parametrize(
    "text",
    ["", "cf_", "cf_short", "xx_" + RANDOM_43, "cf_" + RANDOM_43 + "!", "CF_" + RANDOM_43],
)
def test_is_token_shaped_refuses(text: str) -> None:
    assert not is_token_shaped(text)


@pytest.mark.parametrize("random_part", ["short", "a" * 129, "has space" * 5, "ü" * 40])
def test_format_token_refuses_a_bad_random_part(random_part: str) -> None:
    with pytest.raises(InvalidInput):
        format_token(random_part)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer cf_abc", "cf_abc"),
        ("bearer   cf_abc  ", "cf_abc"),
        ("BEARER cf_abc", "cf_abc"),
        ("Basic dXNlcjpwdw==", None),
        ("Bearer", None),
        ("Bearer   ", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("name", "cleaned"),
    [("home assistant", "home assistant"), ("  ha \t cron  ", "ha cron"), ("ñ" * 100, "ñ" * 100)],
)
def test_check_token_name(name: str, cleaned: str) -> None:
    assert check_token_name(name) == cleaned


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bell\x07"])
def test_check_token_name_refuses(name: str) -> None:
    with pytest.raises(InvalidInput):
        check_token_name(name)


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("admin", "admin"),
        (" Admin ", "admin"),
        ("me@home.lan", "me@home.lan"),
        ("a_b-c.d", "a_b-c.d"),
    ],
)
def test_normalize_username(raw: str, name: str) -> None:
    assert normalize_username(raw) == name


@pytest.mark.parametrize("raw", ["", "  ", "-admin", "has space", "x" * 65, "<script>", "ümlaut"])
def test_normalize_username_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_username(raw)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", f"at least {PASSWORD_MIN}"),
        ("a" * 12, "distinct"),
        ("administrator", "username"),
        (" padded password ", "spaces"),
        ("x" * 1025 + "y", "at most"),
    ],
)
def test_password_problems(password: str, problem: str) -> None:
    problems = password_problems(password, username="administrator")
    assert any(problem in text for text in problems), problems
    with pytest.raises(InvalidInput, match="password rejected"):
        check_password(password, username="administrator")


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "0123456789", "Tr0ub4dor&3xx"]
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problems(password, username="admin") == []
    check_password(password, username="admin")


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        ([], None),
        ([ago(1), ago(2), ago(3), ago(4)], None),
        ([ago(1), ago(2), ago(3), ago(4), ago(5)], 55),
        ([ago(10), ago(20), ago(30), ago(40), ago(59.5)], 1),
        # the oldest of the newest five decides
        ([ago(1), ago(2), ago(3), ago(4), ago(5), ago(50)], 55),
        # failures older than the window do not count
        ([ago(1), ago(2), ago(3), ago(4), ago(60)], None),
        ([ago(61)] * 10, None),
    ],
)
def test_retry_after(failures: list[datetime], wait: int | None) -> None:
    assert retry_after_s(failures, NOW, RateLimit(max_failures=5, window_s=60)) == wait


def test_retry_after_with_another_limit() -> None:
    limit = RateLimit(max_failures=2, window_s=10)
    assert retry_after_s([ago(1)], NOW, limit) is None
    assert retry_after_s([ago(1), ago(4)], NOW, limit) == 6


@pytest.mark.parametrize(
    ("recent", "admitted"), [(1, True), (4, True), (5, True), (6, False), (30, False)]
)
def test_an_attempt_is_admitted_while_its_key_holds_at_most_the_limit(
    recent: int, admitted: bool
) -> None:
    assert attempt_admitted(recent, RateLimit()) is admitted


@pytest.mark.parametrize(
    ("address", "device", "key"),
    [
        ("10.0.0.1", None, "address:10.0.0.1"),
        ("10.0.0.1", "", "address:10.0.0.1"),
        ("10.0.0.1", "d3v1c3", "device:d3v1c3"),
        ("10.0.0.2", "d3v1c3", "device:d3v1c3"),  # a device is one key wherever it is
        ("x" * 300, None, "address:" + "x" * 92),
    ],
)
def test_limiter_key(address: str, device: str | None, key: str) -> None:
    assert limiter_key(address, device) == key


@pytest.mark.parametrize(
    ("mode", "scheme", "secure"),
    [
        (CookieSecurity.AUTO, "http", False),
        (CookieSecurity.AUTO, "https", True),
        (CookieSecurity.AUTO, "HTTPS", True),
        (CookieSecurity.AUTO, "wss", True),
        (CookieSecurity.ALWAYS, "http", True),
        (CookieSecurity.NEVER, "https", False),
    ],
)
def test_cookie_secure(mode: CookieSecurity, scheme: str, secure: bool) -> None:
    assert cookie_secure(mode, scheme) is secure


def test_session_digest_is_sha256_hex_and_not_the_id() -> None:
    digest = session_digest("some-session-id")
    assert len(digest) == 64 and digest != "some-session-id"
    assert session_digest("some-session-id") == digest
