"""Every engine over the torture library (``tests/torture.py``): each bad item is one clear
event (never zero, never a crash), the run ends "with problems", every good item is synced,
and no byte of any file changes but the intended rating writes (whose audio payload is
compared instead)."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.adapters.plex import PlexServerClient
from app.adapters.tags import WriteOptions, read_file, write_rating
from app.bootstrap import Container
from app.cli.job_runs import follow, local_container
from app.cli.main import app
from app.domain.jobs import EventLevel, JobEventRecord, JobRecord, JobStatus, JobTrigger
from app.domain.names import display_form
from app.domain.playlists.m3u import PathStyle, parse_playlist
from app.domain.problems import ExitCode, exit_code, is_problem
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy
from app.domain.ratings.value import Rating
from app.services.jobs.service import MAX_PAGE
from plex_emulator.builder import Folder
from plex_emulator.model import MUSIC, Location, Track
from plex_emulator.scanner import scan_section
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from tests.adapters.tags_support import audio_fingerprint
from tests.emulator.support import OWNER_TOKEN, running_emulator
from tests.torture import (
    BAD_HAZARDS,
    Hazard,
    TortureLibrary,
    TortureMovies,
    build_torture_library,
    build_torture_movies,
)


@pytest.fixture
def library(tmp_path: Path) -> TortureLibrary:
    return build_torture_library(tmp_path / "torture")


@pytest.fixture
def movies(tmp_path: Path) -> TortureMovies:
    return build_torture_movies(tmp_path / "torture")


def shown(path: bytes) -> str:
    """A path as reports show it: undecodable bytes as U+FFFD."""
    return path.decode("utf-8", "replace")


# --- the emulator's scan ---------------------------------------------------------------------


def test_emulator_scan(library: TortureLibrary, caplog: pytest.LogCaptureFixture) -> None:
    before = library.hashes()
    state = EmulatorState()
    state.add_account("owner", "t", owner=True)
    music = str(library.music)
    section = state.add_section(MUSIC, "Music", [Location(music, music)])
    caplog.set_level(logging.WARNING, logger="plex_emulator")
    result = scan_section(state, section.section_id)

    tracks = [track for key in result.added if isinstance(track := state.items[key], Track)]
    assert len(tracks) == len(result.added)
    local = {os.fsencode(t.source.local_path or "") for t in tracks}
    good = {library.path(item) for item in library.good}
    outside = library.path(library.item(Hazard.SYMLINK_OUT))
    # Symlinks are followed as PMS follows them (the file outside the root is a track there).
    assert local == good | {outside}
    titles = {t.title for t in tracks}
    assert titles >= {item.title for item in library.good}

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for item in library.bad:
        if item.hazard is Hazard.SYMLINK_OUT:
            continue
        name = shown(item.name)
        assert sum(name in message for message in warnings) == 1, (item, warnings)
    assert len(warnings) == len(BAD_HAZARDS) - 1
    assert library.hashes() == before


# --- crossfade tags scan -----------------------------------------------------------------------


def exact_path(record: dict[str, str]) -> bytes:
    """A path of the tags CLI's JSON: its exact bytes when it is not shown as itself."""
    if "path_bytes_b64" in record:
        return base64.b64decode(record["path_bytes_b64"])
    return os.fsencode(record["path"])


def test_tags_scan_cli(library: TortureLibrary) -> None:
    before = library.hashes()
    result = CliRunner().invoke(app, ["tags", "scan", str(library.music), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    document = json.loads(result.stdout)
    good = len(library.good)
    assert (document["read"], document["rated"]) == (good, good)
    failures = {exact_path(f): f["error"] for f in document["failures"]}
    assert set(failures) == {library.path(item) for item in library.bad}
    assert failures[library.path(library.item(Hazard.FIFO))] == "named pipe (FIFO), not opened"
    assert document["failed"] == len(library.bad)
    assert result.exit_code == ExitCode.PROBLEMS, "a scan with unreadable items has problems"
    assert library.hashes() == before


# --- the movie mirror --------------------------------------------------------------------------


def test_mirror_cli(movies: TortureMovies, tmp_path: Path) -> None:
    before = movies.hashes()
    target = tmp_path / "jellyfin"
    result = CliRunner().invoke(
        app, ["mirror", "sync", str(movies.source), str(target), "--create", "--json"]
    )
    document = json.loads(result.stdout)
    assert document["error"] is None, document["error"]
    ignored = {
        os.fsencode(i["path"]): i["reason"]
        for i in document["ignored"]
        if i["reason"] != "not a directory"
    }
    raw_source = os.fsencode(movies.source)
    expected = {raw_source + b"/" + path: reason for path, reason in movies.bad.items()}
    assert ignored == expected
    assert document["summary"]["items_ignored"] == len(movies.bad)
    assert document["folder_clashes"] == []

    # Every good file is in the target, as a hardlink of its source (metadata as a copy).
    linked = {}
    for root, dirs, files in os.walk(os.fsencode(target)):
        dirs[:] = [d for d in dirs if d != b".crossfade"]  # the mirror's own state
        for name in files:
            st = os.stat(os.path.join(root, name))
            linked[(st.st_dev, st.st_ino)] = os.path.join(root, name)
    sizes = {}
    for relative in movies.good:
        st = os.stat(raw_source + b"/" + relative)
        sizes[relative] = st.st_size
        is_video = relative.endswith(b".mkv")
        if is_video:
            assert (st.st_dev, st.st_ino) in linked, relative
    copies = [p for p in linked.values() if not p.endswith(b".mkv")]
    assert len(copies) == sum(1 for r in movies.good if not r.endswith(b".mkv"))
    assert len(linked) == len(movies.good)
    outside = {(os.stat(p).st_dev, os.stat(p).st_ino) for p in _files(os.fsencode(movies.outside))}
    assert not outside & set(linked)
    assert movies.hashes() == before


def _files(folder: bytes) -> list[bytes]:
    return [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]


# --- runs through the real job path ------------------------------------------------------------


@dataclass
class Run:
    job: JobRecord
    events: list[JobEventRecord]

    def about(self, path: bytes | str) -> list[JobEventRecord]:
        """The events whose subject is ``path`` (as events show paths)."""
        subject = display_form(os.fsdecode(path))
        return [event for event in self.events if event.subject == subject]

    def problems(self) -> list[JobEventRecord]:
        return [e for e in self.events if is_problem(e.level, e.action)]


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    """A local installation (SQLite in a data folder), jobs run in this process."""
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    with local_container() as started:
        yield started


def run_link(container: Container, link_id: int, mode: str | None = None) -> Run:
    job = container.link_runs.run(link_id, mode=mode, trigger=JobTrigger.CLI)
    job = follow(container, job, show_progress=False)
    events: list[JobEventRecord] = []
    while True:
        page = container.jobs.events(job.id, limit=MAX_PAGE, offset=len(events))
        events.extend(page.items)
        if len(page.items) < MAX_PAGE:
            return Run(job, events)


def add_library(
    container: Container, kind: str, config: dict[str, Any], secret: str | None = None
) -> int:
    repository = container.domains.libraries.repository
    record = repository.add_library(
        kind=kind, name=f"{kind} {config}", config=config, secret=secret
    )
    return record.id


def add_link(container: Container, kind: str, a: int, b: int, policy: str, **options: Any) -> int:
    link = container.domains.libraries.add_link(
        kind=kind, library_a_id=a, library_b_id=b, direction="both", policy=policy, options=options
    )
    return link.id


def test_mirror_job(container: Container, movies: TortureMovies, tmp_path: Path) -> None:
    before = movies.hashes()
    target = tmp_path / "jellyfin"
    target.mkdir()
    source_id = add_library(
        container, "movie_folder", {"root": str(movies.source), "layout": "plex"}
    )
    target_id = add_library(container, "movie_folder", {"root": str(target), "layout": "jellyfin"})
    run = run_link(container, add_link(container, "mirror", source_id, target_id, "prefer_a"))
    assert run.job.status is JobStatus.SUCCEEDED, run.job.error
    raw_source = os.fsencode(movies.source)
    for relative, reason in movies.bad.items():
        (event,) = run.about(raw_source + b"/" + relative)
        assert (event.action, event.level, event.detail) == ("ignored", EventLevel.WARNING, reason)
    assert run.job.problems == len(movies.bad) == len(run.problems())
    assert exit_code(run.job.status, run.job.problems) is ExitCode.PROBLEMS
    assert run.job.counters["files_updated"] == len(movies.good)
    assert movies.hashes() == before


# --- ratings ---------------------------------------------------------------------------------


def file_rating(path: bytes | str) -> int | None:
    rating = read_file(os.fsdecode(path)).resolve(ReadPolicy.for_profile(preset("musicbee"))).rating
    return None if rating is None else rating.half_stars


def rate_file(path: bytes, half_stars: int) -> None:
    """Rate a file of the library, even the read-only one (its mode is put back)."""
    mode = os.stat(path).st_mode
    os.chmod(path, 0o644)
    write_rating(os.fsdecode(path), Rating(half_stars), preset("musicbee"), options=WriteOptions())
    os.chmod(path, stat.S_IMODE(mode))


def changed(half_stars: int | None) -> int:
    return 1 + (half_stars or 0) % 10 if (half_stars or 0) < 10 else 3


def check_bytes(
    before: dict[bytes, str], after: dict[bytes, str], written: dict[bytes, str]
) -> None:
    """No byte changed, except in ``written`` files, whose audio payload (given) is kept."""
    assert set(after) == set(before)
    differ = {path for path in before if before[path] != after[path]}
    assert differ == set(written), sorted(differ ^ set(written))
    for path, payload in written.items():
        assert audio_fingerprint(Path(os.fsdecode(path))) == payload, path


def expect_bad_items_reported(run: Run, library: TortureLibrary) -> None:
    """Each bad item of the folder is one error event about it."""
    for item in library.bad:
        events = run.about(library.path(item))
        assert [e.level for e in events] == [EventLevel.ERROR], (item, events)


def test_ratings_folder_to_folder(container: Container, tmp_path: Path) -> None:
    a = build_torture_library(tmp_path / "a")
    b = build_torture_library(tmp_path / "b")
    # B's copies of every tenth good file (the read-only one too) were rated differently.
    read_only = b.item(Hazard.READ_ONLY)
    moved = [item for item in b.good if int(str(item.title)[-3:]) % 10 == 0 or item is read_only]
    for item in moved:
        rate_file(b.path(item), changed(item.half_stars))
    before_a, before_b = a.hashes(), b.hashes()
    payloads = {b.path(item): audio_fingerprint(Path(b.str_path(item))) for item in moved}

    lib_a = add_library(container, "music_folder", {"root": str(a.music)})
    lib_b = add_library(container, "music_folder", {"root": str(b.music)})
    run = run_link(container, add_link(container, "ratings", lib_a, lib_b, "prefer_a"))
    assert run.job.status is JobStatus.SUCCEEDED, run.job.error

    for item in a.good:
        assert file_rating(a.path(item)) == item.half_stars
    for item in b.good:
        wanted = changed(item.half_stars) if item is read_only else item.half_stars
        assert file_rating(b.path(item)) == wanted, item
    expect_bad_items_reported(run, a)
    expect_bad_items_reported(run, b)
    (refused,) = [e for e in run.problems() if f"{read_only.title} (" in e.subject]
    assert refused.action == "error" and "read-only file (mode 0444)" in (refused.detail or "")
    assert run.job.problems == 2 * len(a.bad) + 1 == len(run.problems())
    check_bytes(before_a, a.hashes(), {})
    written = {path: payload for path, payload in payloads.items() if path != b.path(read_only)}
    check_bytes(before_b, b.hashes(), written)


@contextmanager
def plex_over(library: TortureLibrary) -> Iterator[tuple[EmulatorServer, PlexServerClient, int]]:
    """The emulator serving the library's folder (it scans the same tree)."""
    with (
        running_emulator(music=[Folder(str(library.music))]) as emulator,
        PlexServerClient(emulator.url, OWNER_TOKEN, retries=3, backoff_s=0.01) as client,
    ):
        section = next(s for s in client.list_sections() if s.is_music)
        yield emulator, client, section.section_id


def plex_ratings(client: PlexServerClient, section_id: int) -> dict[str, int | None]:
    return {track.title: track.user_rating for track in client.iter_tracks(section_id)}


def add_plex(container: Container, emulator: EmulatorServer, section_id: int) -> int:
    config = {"base_url": emulator.url, "section_ids": [section_id]}
    return add_library(container, "plex_music", config, secret=OWNER_TOKEN)


def test_ratings_plex_to_folder(container: Container, library: TortureLibrary) -> None:
    with plex_over(library) as (emulator, client, section_id):
        keys = {track.title: track.rating_key for track in client.iter_tracks(section_id)}
        read_only = library.item(Hazard.READ_ONLY)
        # Plex ratings of every tenth good track (the read-only one too) differ from the files.
        moved = [i for i in library.good if int(str(i.title)[-3:]) % 10 == 0 or i is read_only]
        for item in moved:
            client.rate(keys[str(item.title)], changed(item.half_stars))
        before = library.hashes()
        payloads = {library.path(i): audio_fingerprint(Path(library.str_path(i))) for i in moved}

        plex = add_plex(container, emulator, section_id)
        folder = add_library(container, "music_folder", {"root": str(library.music)})
        run = run_link(container, add_link(container, "ratings", plex, folder, "prefer_a"))
        assert run.job.status is JobStatus.SUCCEEDED, run.job.error

        in_plex = plex_ratings(client, section_id)
        for item in library.good:
            plex_wins = item in moved
            wanted = changed(item.half_stars) if plex_wins else item.half_stars
            assert in_plex[str(item.title)] == wanted, item
            on_file = item.half_stars if item is read_only else wanted
            assert file_rating(library.path(item)) == on_file, item
    expect_bad_items_reported(run, library)
    (refused,) = [e for e in run.problems() if f"{read_only.title} (" in e.subject]
    assert refused.action == "error" and "read-only file (mode 0444)" in (refused.detail or "")
    assert run.job.problems == len(run.problems()) == len(library.bad) + 1
    assert exit_code(run.job.status, run.job.problems) is ExitCode.PROBLEMS
    written = {
        path: payload for path, payload in payloads.items() if path != library.path(read_only)
    }
    check_bytes(before, library.hashes(), written)


# --- playlists ---------------------------------------------------------------------------------


def playlist_titles(client: PlexServerClient, playlist_id: int) -> list[str]:
    return [entry.track.title for entry in client.playlist_items(playlist_id)]


def test_playlists(container: Container, library: TortureLibrary) -> None:
    with plex_over(library) as (emulator, client, section_id):
        keys = {track.title: track.rating_key for track in client.iter_tracks(section_id)}
        names = [i for i in library.good if i.hazard not in (Hazard.PLAIN, Hazard.READ_ONLY)]
        client.create_playlist("Torture export", section_id, [keys[str(i.title)] for i in names])
        before = library.hashes()

        plex = add_plex(container, emulator, section_id)
        folder = add_library(container, "music_folder", {"root": str(library.music)})
        link = add_link(
            container, "playlists", plex, folder, "ask", playlist_dir=str(library.playlists)
        )
        run = run_link(container, link)
        assert run.job.status is JobStatus.SUCCEEDED, run.job.error

        # The Latin-1-named .m3u became a Plex playlist of its tracks, in order.
        by_title = {p.title: p.playlist_id for p in client.list_audio_playlists()}
        imported = [title for title in by_title if title != "Torture export"]
        assert len(imported) == 1, by_title
        wanted = [str(item.title) for item in library.playlist_entries]
        assert playlist_titles(client, by_title[imported[0]]) == wanted
        # The Plex playlist became a file naming each track's file, byte for byte.
        exported = library.playlists / "Torture export.m3u8"
        parsed = parse_playlist(
            exported.read_bytes(), playlist_path=str(exported), path_style=PathStyle.POSIX
        )
        listed = [os.fsencode(entry.path or "") for entry in parsed.entries]
        assert listed == [library.path(item) for item in names]
    expect_bad_items_reported(run, library)
    assert run.job.problems == len(run.problems()) == len(library.bad)
    assert exit_code(run.job.status, run.job.problems) is ExitCode.PROBLEMS
    after = library.hashes()
    assert after.pop(os.fsencode(exported)) is not None
    assert after == before
