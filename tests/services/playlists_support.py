"""A world for playlists sync tests: real tagged files, the Plex emulator over them, a folder
for playlist files, a migrated database with a Plex library, a music folder library and a
playlists link between them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.playlist_journal_repo import PlaylistJournalRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions
from app.domain.library_records import LinkRecord
from app.domain.links import Mode
from app.domain.playlists.m3u import PathStyle, parse_playlist
from app.services.libraries.service import LibraryCatalog, SideFactory
from app.services.playlists.jobs import PlaylistServices, build_playlist_services, playlist_rules
from app.services.playlists.run.run_state import PlaylistsSummary
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library
from tests.services.ratings_support import RecordingReporter

FIRST = "Artist/Album/01 First.flac"
CAFE = "Artist/Album/02 Café & Crema.mp3"
CA_VA = "Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a"
ZWEITE = "Björk & Friends/Ünïcødé Album/2-01 Zweite <Seite>.ogg"
OOPS = "Various Artists/Hits/03 Oops.opus"
WAVE = "Various Artists/Hits/04 Wave.wav"
CHANGING_METHODS = frozenset({"PUT", "POST", "DELETE"})


@dataclass
class PlaylistsWorld:
    root: Path
    music: Path
    playlists: Path
    emulator: EmulatorServer
    client: PlexServerClient
    section_id: int
    libraries: LibraryRepository
    link: LinkRecord
    services: PlaylistServices
    plex_prefix: str

    def plex_key(self, relative_path: str) -> int:
        wanted = f"{self.plex_prefix}/{relative_path}"
        for track in self.client.iter_tracks(self.section_id):
            if any(path.replace("\\", "/") == wanted for path in track.file_paths):
                return track.rating_key
        raise AssertionError(f"{relative_path} is not in the emulator's section")

    def keys(self, *relative_paths: str) -> list[int]:
        return [self.plex_key(path) for path in relative_paths]

    def create_plex_playlist(self, title: str, *relative_paths: str) -> int:
        return self.client.create_playlist(
            title, self.section_id, self.keys(*relative_paths)
        ).playlist_id

    def plex_items(self, playlist_id: int) -> list[int]:
        return [item.track.rating_key for item in self.client.playlist_items(playlist_id)]

    def plex_titles(self) -> dict[str, int]:
        return {p.title: p.playlist_id for p in self.client.list_audio_playlists()}

    def file_paths(self, name: str) -> list[str | None]:
        """The resolved paths of a playlist file's entries (URLs as they are)."""
        path = self.playlists / name
        parsed = parse_playlist(
            path.read_bytes(), playlist_path=str(path), path_style=PathStyle.POSIX
        )
        return [entry.path or entry.location for entry in parsed.entries]

    def local(self, *relative_paths: str) -> list[str | None]:
        return [str(self.music / path) for path in relative_paths]

    def set_options(self, **options: object) -> None:
        catalog = LibraryCatalog(self.libraries)
        self.link = catalog.update_link(self.link.id, options=options)

    def set_link(self, **changes: object) -> None:
        self.link = LibraryCatalog(self.libraries).update_link(self.link.id, **changes)

    def run(
        self,
        mode: Mode = Mode.SYNC,
        *,
        dry_run: bool = False,
        job_id: int | None = None,
        reporter: RecordingReporter | None = None,
    ) -> tuple[PlaylistsSummary, RecordingReporter]:
        reporter = reporter or RecordingReporter()
        link = self.libraries.link(self.link.id)
        with self.services.factory.build(link, dry_run=dry_run) as sides:
            summary = self.services.sync.run(
                link_id=link.id,
                sides=sides,
                rules=playlist_rules(link),
                mode=mode,
                dry_run=dry_run,
                job_id=job_id,
                reporter=reporter,
            )
        return summary, reporter

    def changing_requests(self) -> list[str]:
        return [
            f"{entry.method} {entry.path}"
            for entry in self.emulator.log.entries()
            if entry.method in CHANGING_METHODS
        ]

    def digest(self) -> dict[str, str]:
        """Hashes of every file in the music and playlist folders."""
        return {
            str(path.relative_to(self.root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in (self.music, self.playlists)
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }


@contextmanager
def playlists_world(
    tmp_path: Path,
    factory: pytest.TempPathFactory,
    session_factory: SessionFactory,
    *,
    policy: str = "ask",
    direction: str = "both",
    options: dict[str, object] | None = None,
    plex_path: str | None = None,
    path_maps: Sequence[tuple[str, str]] = (),
    synthetic_tracks: int = 0,
) -> Iterator[PlaylistsWorld]:
    music = write_library(tmp_path / "music", factory)
    playlists = tmp_path / "playlists"
    playlists.mkdir()
    with running_emulator(
        music=[Folder(str(music), plex_path)], synthetic_tracks=synthetic_tracks
    ) as emulator:
        client = PlexServerClient(emulator.url, emulator.owner_token, retries=3, backoff_s=0.01)
        try:
            section = next(s for s in client.list_sections() if s.title == "Music")
            libraries = LibraryRepository(session_factory)
            plex = libraries.add_library(
                kind="plex_music",
                name="Plex music",
                config={"base_url": emulator.url, "section_ids": [section.section_id]},
                secret=emulator.owner_token,
                path_mappings=list(path_maps),
            )
            folder = libraries.add_library(
                kind="music_folder",
                name="Music folder",
                config={"root": str(music), "write_profile": "musicbee", "read_policy": "priority"},
                secret=None,
            )
            catalog = LibraryCatalog(libraries)
            link = catalog.add_link(
                kind="playlists",
                library_a_id=plex.id,
                library_b_id=folder.id,
                direction=direction,
                policy=policy,
                options={"playlist_dir": str(playlists), **(options or {})},
            )
            side_factory = SideFactory(
                libraries=libraries,
                sync_repository=SyncRepository(session_factory),
                plex_client=lambda url, token, timeout_s: PlexServerClient(
                    url, token, timeout_s=timeout_s, retries=3, backoff_s=0.01
                ),
                write_options=WriteOptions(),
            )
            yield PlaylistsWorld(
                root=tmp_path,
                music=music,
                playlists=playlists,
                emulator=emulator,
                client=client,
                section_id=section.section_id,
                libraries=libraries,
                link=link,
                services=build_playlist_services(
                    PlaylistRepository(session_factory),
                    PlaylistJournalRepository(session_factory),
                    side_factory,
                    catalog,
                ),
                plex_prefix=(plex_path or str(music)).replace("\\", "/"),
            )
        finally:
            client.close()
