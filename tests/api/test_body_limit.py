"""Request bodies are limited before they are read (413), by declared length and while they
stream; a 300 MB chunked body to a real uvicorn server leaves its memory flat."""

from __future__ import annotations

import asyncio
import select
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from app.api.body_limit import (
    DEFAULT_BODY_LIMIT,
    HOOK_BODY_LIMIT,
    MIB,
    BodyLimit,
    body_limit_for,
)
from app.api.errors import install_error_handlers
from app.main import create_app
from app.settings import Settings
from tests.auth_support import set_up_admin

CHUNK = 64 * 1024
HUGE = 300 * 1000 * 1000


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/api/v1/hooks/plex/secret", HOOK_BODY_LIMIT),
        ("/api/v1/hooks/radarr/secret", HOOK_BODY_LIMIT),
        ("/api/v1/links/1", DEFAULT_BODY_LIMIT),
        ("/links/1", DEFAULT_BODY_LIMIT),
        ("/login", DEFAULT_BODY_LIMIT),
    ],
)
def test_limit_by_route_class(path: str, limit: int) -> None:
    assert body_limit_for(path) == limit


def echo_app() -> FastAPI:
    application = FastAPI()
    install_error_handlers(application)

    @application.post("/api/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    application.add_middleware(BodyLimit)
    return application


def chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        size = min(CHUNK, total - sent)
        sent += size
        yield b"x" * size


async def post(content: bytes | AsyncIterator[bytes], **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=echo_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.post("/api/v1/echo", content=content, headers=headers)


async def async_chunks(total: int) -> AsyncIterator[bytes]:
    for chunk in chunks(total):
        yield chunk


def test_a_body_within_the_limit_passes() -> None:
    response = asyncio.run(post(b"x" * DEFAULT_BODY_LIMIT))
    assert response.status_code == 200
    assert response.json() == {"size": DEFAULT_BODY_LIMIT}


def test_a_declared_length_over_the_limit_is_413_unread() -> None:
    response = asyncio.run(post(b"x" * (DEFAULT_BODY_LIMIT + 1)))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"


def test_a_streamed_body_is_cut_at_the_limit() -> None:
    response = asyncio.run(post(async_chunks(HUGE)))
    assert response.status_code == 413
    assert "larger than this route accepts" in response.json()["detail"]


# -- a real server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def server_url(settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def stream_raw(port: int, head: bytes, first: bytes, total: int) -> tuple[bytes, int]:
    """Send ``head``, then ``first`` and ``total`` more bytes as chunked transfer encoding until
    the server answers; the response's bytes and how many body bytes were sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + b"%x\r\n" % len(first) + first + b"\r\n")
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n" % CHUNK + b"x" * CHUNK + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += CHUNK
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    return answer, sent


def test_a_300_mb_chunked_webhook_is_413_with_memory_flat(server_url: str) -> None:
    with httpx.Client(base_url=server_url) as client:
        set_up_admin(client)
        created = client.post("/api/v1/webhooks", json={"name": "plex", "source": "plex"})
        assert created.status_code == 201, created.text
        path = "/api/v1/hooks/plex/" + created.json()["url"].rsplit("/", 1)[1]
    port = int(server_url.rsplit(":", 1)[1])
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: multipart/form-data; boundary=b\r\n\r\n"
    ).encode()
    thumb_part = (
        b'--b\r\nContent-Disposition: form-data; name="thumb"; filename="t.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n"
    )
    before = rss_bytes()
    answer, sent = stream_raw(port, head, thumb_part, HUGE)
    after = rss_bytes()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < HUGE / 3, sent  # the server stopped taking it long before the end
    assert after - before < 64 * MIB, (before, after)


def test_a_declared_300_mb_body_is_refused_before_a_byte_is_read(server_url: str) -> None:
    port = int(server_url.rsplit(":", 1)[1])
    head = (
        f"POST /api/v1/hooks/plex/whatever HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Length: {HUGE}\r\nContent-Type: application/json\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_large_login_form_is_413(server_url: str) -> None:
    with httpx.Client(base_url=server_url) as client:
        response = client.post(
            "/login",
            content=chunks(2 * MIB),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert response.status_code == 413
