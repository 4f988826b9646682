"""A world for ratings sync tests: real tagged files, the Plex emulator over them, a migrated
database with a Plex library, a folder library and a ratings link between them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db.engine import SessionFactory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.db.sync_repo import SyncRepository
from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.domain.library_records import LinkRecord
from app.domain.links import Mode
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.libraries.service import SideFactory, link_rules
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import SyncSummary
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import running_emulator, write_library


@dataclass
class RecordingReporter:
    """A reporter that keeps everything (a fake behind the Reporter port)."""

    events: list[dict[str, object]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    phases: list[str] = field(default_factory=list)

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        if not self.phases or self.phases[-1] != phase:
            self.phases.append(phase)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        self.events.append(
            {
                "action": action,
                "subject": subject,
                "level": level,
                "before": before,
                "after": after,
                "detail": detail,
            }
        )

    def counter(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n

    def check_cancelled(self) -> None:
        return None

    def actions(self, action: str) -> list[dict[str, object]]:
        return [event for event in self.events if event["action"] == action]


@dataclass
class RatingsWorld:
    music: Path
    emulator: EmulatorServer
    client: PlexServerClient
    section_id: int
    libraries: LibraryRepository
    sync_repository: SyncRepository
    link: LinkRecord
    factory: SideFactory

    def plex_key(self, relative_path: str) -> int:
        wanted = str(self.music / relative_path)
        for track in self.client.iter_tracks(self.section_id):
            if wanted in track.file_paths:
                return track.rating_key
        raise AssertionError(f"{relative_path} is not in the emulator's section")

    def plex_rating(self, relative_path: str) -> int | None:
        return self.client.get_track(self.plex_key(relative_path)).user_rating

    def rate_in_plex(self, relative_path: str, half_stars: int | None) -> None:
        self.client.rate(self.plex_key(relative_path), half_stars)

    def file_rating(self, relative_path: str) -> int | None:
        tags = read_file(self.music / relative_path)
        rating = tags.resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
        return None if rating is None else rating.half_stars

    def rate_file(
        self, relative_path: str, half_stars: int | None, profile: str = "foobar2000"
    ) -> None:

        write_rating(
            self.music / relative_path,
            None if half_stars is None else Rating(half_stars),
            preset(profile),
            options=WriteOptions(),
        )

    def run(
        self, mode: Mode = Mode.SYNC, *, dry_run: bool = False, job_id: int | None = None
    ) -> tuple[SyncSummary, RecordingReporter]:
        reporter = RecordingReporter()
        link = self.libraries.link(self.link.id)
        with self.factory.sides(link, dry_run=dry_run) as sides:
            summary = self.service.run(
                link_id=link.id,
                sides=sides,
                rules=link_rules(link),
                mode=mode,
                dry_run=dry_run,
                job_id=job_id,
                reporter=reporter,
            )
        return summary, reporter

    @property
    def service(self) -> RatingsSync:
        return RatingsSync(self.sync_repository, now=lambda: datetime.now(UTC))

    def tree_digest(self) -> dict[str, str]:
        return {
            str(path.relative_to(self.music)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.music.rglob("*"))
            if path.is_file()
        }


@contextmanager
def ratings_world(
    tmp_path: Path,
    factory: pytest.TempPathFactory,
    session_factory: SessionFactory,
    *,
    policy: str = "ask",
    direction: str = "both",
    options: dict[str, object] | None = None,
    write_profile: str = "musicbee",
    tag_processes: int = 1,
) -> Iterator[RatingsWorld]:
    """``tag_processes`` > 1: the folder's tags are written (and from 3 read) on that many
    worker processes, however few files there are, and Plex is listed in a child process."""
    music = write_library(tmp_path / "music", factory)
    with running_emulator(music=[Folder(str(music))]) as emulator:
        client = PlexServerClient(emulator.url, emulator.owner_token, retries=3, backoff_s=0.01)
        try:
            section = next(s for s in client.list_sections() if s.is_music)
            libraries = LibraryRepository(session_factory)
            plex = libraries.add_library(
                kind="plex_music",
                name="Plex music",
                config={"base_url": emulator.url, "section_ids": [section.section_id]},
                secret=emulator.owner_token,
            )
            folder = libraries.add_library(
                kind="music_folder",
                name="Music folder",
                config={
                    "root": str(music),
                    "write_profile": write_profile,
                    "read_policy": "priority",
                },
                secret=None,
            )
            link = libraries.add_link(
                kind="ratings",
                library_a_id=plex.id,
                library_b_id=folder.id,
                direction=direction,
                policy=policy,
                options=options or {},
            )
            sync_repository = SyncRepository(session_factory)
            side_factory = SideFactory(
                libraries=libraries,
                sync_repository=sync_repository,
                plex_client=lambda url, token, timeout_s: PlexServerClient(
                    url, token, timeout_s=timeout_s, retries=3, backoff_s=0.01
                ),
                write_options=WriteOptions(),
                worker_processes=tag_processes,
                tag_pool_min_items=1,
            )
            yield RatingsWorld(
                music=music,
                emulator=emulator,
                client=client,
                section_id=section.section_id,
                libraries=libraries,
                sync_repository=sync_repository,
                link=link,
                factory=side_factory,
            )
        finally:
            client.close()
