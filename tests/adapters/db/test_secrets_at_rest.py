"""Reversible secrets (Plex tokens, outgoing webhook URLs) are sealed in the database: by the
repositories, and for rows stored before, by migration 0008; the SQLite files are private."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.hook_repo import HookRepository
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.secret_box import SecretBox, SecretUnreadable, is_sealed
from app.domain.errors import SetupError
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library

TOKEN = "clear-plex-token-7Hq2"
HOOK_URL = "https://ha.example:8123/api/webhook/secret-hook-id-91x"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    built = create_db_engine(db_url)
    try:
        yield built
    finally:
        built.dispose()


def stored(engine: Engine) -> tuple[str, str]:
    with engine.connect() as connection:
        secret = connection.execute(text("SELECT secret FROM library")).scalar_one()
        url = connection.execute(text("SELECT url FROM outgoing_webhook")).scalar_one()
    return secret, url


def insert_clear_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO library (kind, name, config, secret, created_at, updated_at) "
                "VALUES ('plex_music', 'P', '{}', :secret, :now, :now)"
            ),
            {"secret": TOKEN, "now": "2026-01-01 00:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO outgoing_webhook (name, url, events, enabled, created_at, updated_at)"
                " VALUES ('HA', :url, '[\"job_finished\"]', :yes, :now, :now)"
            ),
            {"url": HOOK_URL, "yes": True, "now": "2026-01-01 00:00:00"},
        )


def test_repositories_store_sealed_and_return_plain(engine: Engine) -> None:
    migrate.upgrade(engine)
    box = SecretBox("installation key")
    sessions = create_session_factory(engine)
    libraries = LibraryRepository(sessions, box)
    hooks = HookRepository(sessions, box)
    library = libraries.add_library(kind="plex_music", name="P", config={}, secret=TOKEN)
    hook = hooks.add_outgoing(name="HA", url=HOOK_URL, events=["job_finished"])
    secret, url = stored(engine)
    assert is_sealed(secret) and TOKEN not in secret
    assert is_sealed(url) and "secret-hook-id" not in url
    assert libraries.secret(library.id) == TOKEN
    assert libraries.library(library.id).has_secret
    assert hooks.outgoing(hook.id).url == HOOK_URL
    libraries.update_library(library.id, secret="new-token")
    hooks.update_outgoing(hook.id, url="https://ntfy.example/topic-2")
    secret, url = stored(engine)
    assert "new-token" not in secret and "topic-2" not in url
    assert libraries.secret(library.id) == "new-token"
    assert hooks.outgoing(hook.id).url == "https://ntfy.example/topic-2"


def test_a_changed_secret_key_is_a_clear_error_not_a_broken_listing(engine: Engine) -> None:
    migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    old = SecretBox("old key")
    library = LibraryRepository(sessions, old).add_library(
        kind="plex_music", name="P", config={}, secret=TOKEN
    )
    hook = HookRepository(sessions, old).add_outgoing(
        name="HA", url=HOOK_URL, events=["job_finished"]
    )
    new = SecretBox("new key")
    libraries = LibraryRepository(sessions, new)
    hooks = HookRepository(sessions, new)
    with pytest.raises(SecretUnreadable, match=r"the token of library \d+ .* secret key changed"):
        libraries.secret(library.id)
    assert [record.id for record in libraries.libraries()] == [library.id]
    listed = hooks.outgoing_hooks()
    assert [record.id for record in listed] == [hook.id]
    assert listed[0].url == ""
    assert listed[0].last_error is not None and "secret key changed" in listed[0].last_error


def test_migration_0008_seals_existing_rows_and_downgrade_opens_them(engine: Engine) -> None:
    migrate.upgrade(engine, "0007")
    insert_clear_rows(engine)
    box = SecretBox("installation key")
    migrate.upgrade(engine, secret_box=box)
    secret, url = stored(engine)
    assert is_sealed(secret) and box.open(secret) == TOKEN
    assert is_sealed(url) and box.open(url) == HOOK_URL
    migrate.upgrade(engine, secret_box=box)  # at head: nothing sealed twice
    assert stored(engine) == (secret, url)
    migrate.downgrade(engine, "0007", secret_box=box)
    assert stored(engine) == (TOKEN, HOOK_URL)


def test_migration_0008_without_the_key_stops_with_a_message(engine: Engine) -> None:
    migrate.upgrade(engine, "0007")
    insert_clear_rows(engine)
    with pytest.raises(SetupError, match="needs the secret key: run `crossfade db upgrade`"):
        migrate.upgrade(engine)
    assert migrate.current_revision(engine) == "0007"
    assert stored(engine) == (TOKEN, HOOK_URL)


def test_migration_0008_without_secrets_needs_no_key(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_migration_0008_with_another_key_cannot_downgrade(engine: Engine) -> None:
    migrate.upgrade(engine, "0007")
    insert_clear_rows(engine)
    migrate.upgrade(engine, secret_box=SecretBox("one"))
    with pytest.raises(SecretUnreadable):
        migrate.downgrade(engine, "0007", secret_box=SecretBox("two"))


@pytest.fixture
def emulator(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    music = write_library(tmp_path / "music", tmp_path_factory)
    with running_emulator(music=[Folder(str(music))]) as server:
        yield server


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_plex_token_added_through_the_api_is_not_in_the_database_files(
    app_client: TestClient, emulator: EmulatorServer, settings_data_dir: Path
) -> None:
    created = app_client.post(
        "/api/v1/libraries",
        json={
            "kind": "plex_music",
            "name": "Emulated Plex",
            "config": {"base_url": emulator.url, "section_ids": [1]},
            "token": emulator.owner_token,
        },
    )
    assert created.status_code == 201, created.text
    hook = app_client.post(
        "/api/v1/webhooks/outgoing",
        json={"name": "HA", "url": HOOK_URL, "events": ["job_finished"]},
    )
    assert hook.status_code == 201, hook.text
    database = settings_data_dir / "crossfade.db"
    files = [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    written = b"".join(path.read_bytes() for path in files if path.exists())
    assert len(written) > 10_000
    for secret in (emulator.owner_token, "secret-hook-id-91x"):
        assert secret.encode() not in written
    assert mode_of(settings_data_dir) == 0o700
    for path in [*files, settings_data_dir / "secret_key"]:
        if path.exists():
            assert mode_of(path) == 0o600, path
    assert (database.with_name(database.name + "-wal")).exists()


@pytest.fixture
def settings_data_dir(tmp_path: Path) -> Path:
    """The data dir of the ``settings`` fixture (see tests/conftest.py)."""
    return tmp_path / "data"
