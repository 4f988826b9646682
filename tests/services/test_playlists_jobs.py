"""The ``playlists_sync`` job kind through the container: link validation, parameters, runs of a
link as jobs (dry run and real), and conflicts settled through the review service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.errors import InvalidInput
from app.domain.jobs import JobRecord, JobStatus, JobTrigger
from app.domain.library_records import LibraryRecord
from app.services.playlists.jobs import PLAYLISTS_SYNC, parse_sync_params
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.conftest import Waiter
from tests.emulator.support import running_emulator, write_library


@pytest.mark.parametrize(
    ("raw", "expected"),
    [({}, {"mode": "sync"}), ({"mode": "export"}, {"mode": "export"})],
)
def test_parse_sync_params(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    assert parse_sync_params(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [({"mode": "mirror"}, "unknown mode"), ({"dry": True}, "unknown playlists sync parameters")],
)
def test_parse_sync_params_refuses(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_sync_params(raw)


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(music))]) as server:
        yield server


def libraries(
    container: Container, emulator: EmulatorServer, music: Path, lists: Path
) -> tuple[LibraryRecord, LibraryRecord]:
    catalog = container.domains.libraries
    plex = catalog.add_library(
        kind="plex_music",
        name="Plex",
        config={"base_url": emulator.url, "section_ids": [1]},
        secret=emulator.owner_token,
    )
    folder = catalog.add_library(
        kind="music_folder",
        name="Music",
        config={"root": str(music), "playlist_dir": str(lists)},
    )
    return plex, folder


@pytest.mark.parametrize(
    ("policy", "options", "message"),
    [
        ("highest", {}, "take policy"),
        ("ask", {"mode": "shuffle"}, "mode"),
        ("ask", {"playlist_dir": "relative/dir"}, "not an absolute path"),
        ("ask", {"sort": True}, "Extra inputs"),
    ],
)
def test_link_validation(
    container: Container,
    emulator: EmulatorServer,
    music: Path,
    tmp_path: Path,
    policy: str,
    options: dict[str, Any],
    message: str,
) -> None:
    plex, folder = libraries(container, emulator, music, tmp_path)
    with pytest.raises(InvalidInput, match=message):
        container.domains.libraries.add_link(
            kind="playlists",
            library_a_id=plex.id,
            library_b_id=folder.id,
            policy=policy,
            options=options,
        )


def test_a_link_needs_a_playlist_folder_on_each_folder_side(
    container: Container, music: Path, tmp_path: Path
) -> None:
    catalog = container.domains.libraries
    a = catalog.add_library(kind="music_folder", name="A", config={"root": str(music)})
    b = catalog.add_library(
        kind="music_folder",
        name="B",
        config={"root": str(music), "playlist_dir": str(tmp_path)},
    )
    with pytest.raises(InvalidInput, match="needs a playlist folder"):
        catalog.add_link(kind="playlists", library_a_id=a.id, library_b_id=b.id)
    catalog.update_library(a.id, config={"playlist_dir": str(tmp_path)})
    with pytest.raises(InvalidInput, match="different playlist folders"):
        catalog.add_link(kind="playlists", library_a_id=a.id, library_b_id=b.id)


def finished(container: Container, job: JobRecord, wait: Waiter) -> JobRecord:
    wait(lambda: not container.jobs.get(job.id).status.is_active, what=f"job {job.id}")
    return container.jobs.get(job.id)


def test_link_runs_are_jobs(
    container: Container, emulator: EmulatorServer, music: Path, tmp_path: Path, wait: Waiter
) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    plex, folder = libraries(container, emulator, music, lists)
    link = container.domains.libraries.add_link(
        kind="playlists", library_a_id=plex.id, library_b_id=folder.id
    )
    assert PLAYLISTS_SYNC in container.jobs.registry
    with PlexServerClient(emulator.url, emulator.owner_token) as client:
        keys = [track.rating_key for track in client.iter_tracks(1)][:3]
        playlist = client.create_playlist("Road Trip", 1, keys)

        dry = finished(container, container.link_runs.run(link.id, dry_run=True), wait)

        assert dry.status is JobStatus.SUCCEEDED, dry.error
        assert dry.counters["created_b"] == 1 and dry.counters["entries_added"] == 3
        assert list(lists.iterdir()) == []
        events = container.jobs.events(dry.id, actions=["entry_added"], limit=10).items
        assert [event.subject for event in events] == ["Road Trip"] * 3

        job = finished(container, container.link_runs.run(link.id, trigger=JobTrigger.CLI), wait)
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert (lists / "Road Trip.m3u8").exists()

        client.replace_playlist_items(playlist.playlist_id, keys[:1])
        (lists / "Road Trip.m3u8").write_text("")
        job = finished(container, container.link_runs.run(link.id), wait)
        assert job.counters["conflicts"] == 1
        review = container.domains.playlists.review
        conflicts, _ = review.conflicts(link_id=link.id)
        assert [entry.key for entry in conflicts[0].b_entries] == []

        review.resolve(conflicts[0].id, "keep_a")
        with pytest.raises(InvalidInput, match="already resolved"):
            review.resolve(conflicts[0].id, "keep_b")
        job = finished(container, container.link_runs.run(link.id, mode="export"), wait)

        assert job.counters["updated_b"] == 1
        assert "01 First.flac" in (lists / "Road Trip.m3u8").read_text()
        [view] = review.links()
        assert view.open_conflicts == 0 and [p.title for p in view.pairs] == ["Road Trip"]
