"""What authentication costs: argon2id per sign-in, and the gate per request.

Usage: python bench/auth.py [--requests 500]
Prints the time to hash and verify the admin's password with the default parameters, then
requests per second for GET /api/v1/status through the real app (TestClient, SQLite): with a
bearer token, with the session cookie, and GET /api/v1/health (no authentication) for scale.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.main import create_app
from app.services.auth.service import default_password_hasher
from app.settings import load_settings

PASSWORD = "correct horse battery staple"


def form_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def hashing(rounds: int = 5) -> None:
    hasher = default_password_hasher()
    start = time.perf_counter()
    for _ in range(rounds):
        stored = hasher.hash(PASSWORD)
    hashed = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    for _ in range(rounds):
        hasher.verify(stored, PASSWORD)
    verified = (time.perf_counter() - start) / rounds
    print(
        f"argon2id (19 MiB, t=2, p=1): hash {hashed * 1000:.0f} ms, verify {verified * 1000:.0f} ms"
    )


def rate(client: TestClient, path: str, requests: int, headers: dict[str, str]) -> float:
    client.get(path, headers=headers).raise_for_status()
    start = time.perf_counter()
    for _ in range(requests):
        client.get(path, headers=headers)
    return requests / (time.perf_counter() - start)


def gate(requests: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings(
            data_dir=Path(scratch), redis_url=None, database_url=None, admin_password=PASSWORD
        )
        with TestClient(create_app(settings)) as client:
            csrf = form_csrf(client.get("/login").text)
            client.post(
                "/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf}
            )
            client.headers["X-CSRF-Token"] = form_csrf(client.get("/tokens").text)
            created = client.post("/api/v1/tokens", json={"name": "bench", "scopes": ["read"]})
            token = created.json()["token"]
            anonymous = TestClient(client.app)
            health = rate(anonymous, "/api/v1/health", requests, {})
            by_token = rate(
                anonymous, "/api/v1/status", requests, {"Authorization": f"Bearer {token}"}
            )
            by_session = rate(client, "/api/v1/status", requests, {})
    print(f"GET /api/v1/health, no auth:      {health:7.0f} requests/s")
    print(f"GET /api/v1/status, bearer token: {by_token:7.0f} requests/s")
    print(f"GET /api/v1/status, session:      {by_session:7.0f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    hashing()
    gate(args.requests)


if __name__ == "__main__":
    main()
