"""The registry's "Test connection": any kind that declares a ``check`` gets one, from typed
settings (validated like a new library's, secret required) or from a saved library (its stored
secret); a test never waits longer than ``TEST_TIMEOUT_S`` per request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.jellyfin import JellyfinClient
from app.adapters.plex import PlexServerClient
from app.adapters.subsonic import connect
from app.adapters.tags import WriteOptions
from app.domain.errors import InvalidInput
from app.domain.subsonic import SubsonicConnection
from app.services.libraries.builtin_kinds import BUILTIN_KINDS
from app.services.libraries.configs import KindConfig
from app.services.libraries.connection import TEST_TIMEOUT_S, check_saved, check_typed
from app.services.libraries.kinds import (
    ConnectionReport,
    JellyfinServer,
    KindEntry,
    KindRegistry,
    SecretSpec,
    SideContext,
)
from app.services.libraries.service import LibraryCatalog, SideFactory
from app.services.subsonic.api import SubsonicApi
from tests.adapters.jellyfin_fake import FakeJellyfin
from tests.subsonic_emulator import SubsonicEmulator, transport

SECRET = "s3cret-for-the-test"


class EchoConfig(KindConfig):
    address: str


def echo_check(
    config: Mapping[str, Any], secret: str, ctx: SideContext, timeout_s: float
) -> ConnectionReport:
    return ConnectionReport(
        facts=(("Address", str(config["address"])), ("Secret length", str(len(secret)))),
        warnings=(f"waited at most {timeout_s:g} s",),
    )


ECHO = KindEntry(
    kind="echo",
    display_name="Echo",
    config_model=EchoConfig,
    secret=SecretSpec(label="Key", missing="an echo library needs a key"),
    check=echo_check,
)


def factory(session_factory: SessionFactory, **clients: Any) -> SideFactory:
    return SideFactory(
        libraries=LibraryRepository(session_factory),
        sync_repository=SyncRepository(session_factory),
        plex_client=lambda url, token, timeout_s: PlexServerClient(url, token),
        write_options=WriteOptions(),
        kinds=KindRegistry([*BUILTIN_KINDS, ECHO]),
        **clients,
    )


def test_a_new_kind_gets_its_test_by_declaring_a_check(session_factory: SessionFactory) -> None:
    sides = factory(session_factory)
    report = check_typed(sides, "echo", {"address": "here"}, SECRET)
    assert report.facts == (("Address", "here"), ("Secret length", str(len(SECRET))))
    assert report.warnings == (f"waited at most {TEST_TIMEOUT_S:g} s",)
    with pytest.raises(InvalidInput, match="needs a key"):
        check_typed(sides, "echo", {"address": "here"}, None)
    with pytest.raises(InvalidInput, match="invalid settings: address"):
        check_typed(sides, "echo", {}, SECRET)
    with pytest.raises(InvalidInput, match="Music folder library has no connection test"):
        check_typed(sides, "music_folder", {"root": "/srv/music"}, None)

    catalog = LibraryCatalog(sides.libraries, sides.kinds)
    saved = catalog.add_library(kind="echo", name="E", config={"address": "there"}, secret="k")
    assert check_saved(sides, saved).facts == (("Address", "there"), ("Secret length", "1"))


def test_subsonic_waits_no_longer_than_a_test_should(session_factory: SessionFactory) -> None:
    emulator = SubsonicEmulator()
    emulator.library.add_user("alice", SECRET)
    asked: list[SubsonicConnection] = []

    def in_process(connection: SubsonicConnection, secret: str) -> SubsonicApi:
        asked.append(connection)
        return connect(connection, secret, http=transport(emulator))

    sides = factory(session_factory, subsonic_client=in_process)
    catalog = LibraryCatalog(sides.libraries, sides.kinds)
    config = {"base_url": "https://music.example", "user": "alice", "timeout_s": 60}
    saved = catalog.add_library(kind="subsonic", name="S", config=config, secret=SECRET)
    report = check_saved(sides, saved)
    assert asked[-1].timeout_s == TEST_TIMEOUT_S and asked[-1].user == "alice"
    assert asked[-1].retries == 0  # a test says at once that nothing answered
    facts = dict(report.facts)
    assert facts["Signed in with"].startswith("token") and facts["OpenSubsonic"] == "yes"
    assert report.warnings == ()  # https: nothing travels in clear
    assert SECRET not in repr(report)


def test_jellyfin_says_its_name_and_version(session_factory: SessionFactory) -> None:
    fake = FakeJellyfin(SECRET)

    def jellyfin(base_url: str, api_key: str, timeout_s: float) -> JellyfinServer:
        assert timeout_s <= TEST_TIMEOUT_S
        return JellyfinClient(base_url, api_key, timeout_s=timeout_s, transport=fake.transport())

    sides = factory(session_factory, jellyfin_client=jellyfin)
    report = check_typed(sides, "jellyfin", {"base_url": "http://jf:8096/"}, SECRET)
    assert report.facts == (("Server", "living-room"), ("Version", "10.9.11"))
