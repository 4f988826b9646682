"""Helpers for tests that run the Plex emulator: tiny tagged audio libraries, a running
emulator, and a webhook receiver. Used by tests/emulator, tests/contract, tests/adapters,
tests/services and tests/cli."""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from plex_emulator.builder import EmulatorConfig, Folder, build_emulator
from plex_emulator.demo_files import DEFAULT_TRACKS, DemoTrack, make_library
from plex_emulator.knobs import Knobs
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section

OWNER_TOKEN = "owner-secret-token-7f3a9c"
BOB_TOKEN = "bob-secret-token-41d2e8"
CAROL_TOKEN = "carol-secret-token-9b7d11"


def template_cache(factory: pytest.TempPathFactory) -> Path:
    return factory.getbasetemp() / "audio-templates"


def write_library(
    root: Path, factory: pytest.TempPathFactory, tracks: Sequence[DemoTrack] = DEFAULT_TRACKS
) -> Path:
    make_library(root, tracks, cache_dir=template_cache(factory))
    return root


@contextmanager
def running_emulator(
    *,
    music: Sequence[Folder] = (),
    movies: Sequence[Folder] = (),
    users: Sequence[tuple[str, str]] = (("bob", BOB_TOKEN),),
    synthetic_tracks: int = 0,
    state_file: str | None = None,
    knobs: Knobs | None = None,
) -> Iterator[EmulatorServer]:
    config = EmulatorConfig(
        owner_token=OWNER_TOKEN,
        music=music,
        movies=movies,
        users=users,
        synthetic_tracks=synthetic_tracks,
        state_file=state_file,
    )
    server = build_emulator(config, knobs=knobs or Knobs(webhooks_sync=True))
    with server:
        yield server


@contextmanager
def synthetic_emulator(count: int, knobs: Knobs | None = None) -> Iterator[EmulatorServer]:
    state = EmulatorState()
    state.add_account("owner", OWNER_TOKEN, owner=True)
    state.add_account("bob", BOB_TOKEN)
    add_synthetic_music_section(state, count)
    with EmulatorServer(state, knobs=knobs or Knobs(webhooks_sync=True)) as server:
        yield server


@dataclass(frozen=True)
class ReceivedHook:
    payload: dict[str, object]
    field_names: tuple[str, ...]
    thumb: bytes | None


class WebhookReceiver:
    """A loopback HTTP server that records multipart webhook posts."""

    def __init__(self) -> None:
        self.received: list[ReceivedHook] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                    header + body
                )
                fields: dict[str, bytes] = {}
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    fields[str(name)] = part.get_payload(decode=True) or b""
                receiver.received.append(
                    ReceivedHook(
                        payload=json.loads(fields["payload"]),
                        field_names=tuple(fields),
                        thumb=fields.get("thumb"),
                    )
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hook"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def events(self) -> list[str]:
        return [str(hook.payload["event"]) for hook in self.received]
