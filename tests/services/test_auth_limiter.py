"""The login limiter under real concurrency, on SQLite and PostgreSQL: every attempt is counted
in the database before its password is checked, so parallel wrong passwords get at most the
limit's number of hash checks. The checks are counted on the real argon2 hasher."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import pytest
from argon2 import PasswordHasher

from app.adapters.db.auth_repo import AuthRepository
from app.adapters.db.engine import SessionFactory
from app.domain.auth import RateLimit
from app.domain.errors import AuthError, TooManyAttempts
from app.services.auth.service import AuthService

PASSWORD = "correct horse battery staple"
PARALLEL = 30


class CountingHasher(PasswordHasher):
    """argon2's hasher, counting the verifications it really runs."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self._lock = threading.Lock()
        self.verifications = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.verifications += 1
        return super().verify(hash, password)


def attempt(auth: AuthService, start: threading.Barrier, password: str, client: str) -> str:
    start.wait()
    try:
        auth.login("admin", password, client=client)
    except TooManyAttempts:
        return "limited"
    except AuthError:
        return "wrong"
    return "signed in"


def parallel_attempts(auth: AuthService, password: str, client: str) -> list[str]:
    start = threading.Barrier(PARALLEL)
    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = [pool.submit(attempt, auth, start, password, client) for _ in range(PARALLEL)]
        return [future.result(timeout=120) for future in futures]


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def auth(session_factory: SessionFactory, hasher: CountingHasher) -> AuthService:
    service = AuthService(AuthRepository(session_factory), hasher=hasher)
    service.create_admin("admin", PASSWORD)
    return service


def test_parallel_wrong_passwords_get_at_most_the_limit_of_hash_checks(
    auth: AuthService, hasher: CountingHasher
) -> None:
    limit = RateLimit()
    outcomes = parallel_attempts(auth, "a wrong password!", "203.0.113.7")
    assert hasher.verifications <= limit.max_failures
    assert outcomes.count("wrong") == hasher.verifications
    assert outcomes.count("limited") == PARALLEL - hasher.verifications


def test_a_right_password_releases_its_counted_attempt(
    auth: AuthService, hasher: CountingHasher
) -> None:
    """Racing attempts all count first (on PostgreSQL all 30 may be counted before any is
    looked at, and all are refused); each right password then deletes what its key counted, so
    the next attempt is admitted."""
    outcomes = parallel_attempts(auth, PASSWORD, "198.51.100.1")
    assert set(outcomes) <= {"signed in", "limited"}
    assert outcomes.count("signed in") == hasher.verifications
    assert auth.login("admin", PASSWORD, client="198.51.100.1").username == "admin"


def test_after_a_stranger_exhausts_the_limit_the_admins_device_still_signs_in(
    auth: AuthService, hasher: CountingHasher
) -> None:
    shared_address = "192.0.2.10"
    parallel_attempts(auth, "a wrong password!", shared_address)
    while attempt(auth, threading.Barrier(1), "a wrong password!", shared_address) == "wrong":
        pass  # the flood may have left room for a few more checks: use them up
    checks = hasher.verifications
    assert checks == RateLimit().max_failures
    with pytest.raises(TooManyAttempts):
        auth.login("admin", PASSWORD, client=shared_address)
    assert hasher.verifications == checks  # refused without a hash check
    user = auth.login("admin", PASSWORD, client=shared_address, device_id="the-admins-browser")
    assert user.username == "admin"
    # a client without a device cookie from elsewhere is not affected either
    assert auth.login("admin", PASSWORD, client="192.0.2.99").username == "admin"
