"""Section scans: walk the real folders behind a section (or one subtree) and apply the result.

Files are read outside the state lock; an unchanged file (same size and mtime) is not read
again. ``refresh?path=`` takes a path as the server shows it; it is mapped back to the real
folder through the section's locations.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from app.domain.paths import strip_prefix
from plex_emulator.knobs import Knobs
from plex_emulator.model import MOVIE, Location, Movie, MovieSource, Track, TrackSource
from plex_emulator.scan import (
    AUDIO_EXTENSIONS,
    VIDEO_EXTENSIONS,
    read_movies,
    read_track,
    stat_sig,
    walk_files,
)
from plex_emulator.state import EmulatorState
from plex_emulator.state_core import ScanResult

log = logging.getLogger(__name__)


def _under(path: str, folder: str) -> bool:
    folder = folder.rstrip(os.sep) or os.sep
    return path == folder or path.startswith(folder if folder == os.sep else folder + os.sep)


def local_dir_for(location: Location, plex_path: str) -> str | None:
    """The real folder of a server-side path inside ``location``, or None if outside it."""
    if location.local_dir is None:
        return None
    rest = strip_prefix(plex_path, location.plex_path)
    if rest is None:
        return None
    return str(Path(location.local_dir).joinpath(*rest))


def scan_section(state: EmulatorState, section_id: int, plex_path: str | None = None) -> ScanResult:
    """Re-walk a section (or the subtree at ``plex_path``) and apply what changed."""
    with state.lock:
        section = state.sections[section_id]
        locations = list(section.locations)
        kind = section.kind
        known = _known_tracks(state, section.leaf_keys)
    targets = _scan_targets(locations, plex_path)
    if not targets:
        return ScanResult((), (), ())
    folders = [folder for _, folder in targets]
    if kind == MOVIE:
        return _scan_movies(state, section_id, targets, folders)
    sources = _track_sources(targets, known)

    def track_in_scope(track: Track) -> bool:
        local = track.source.local_path
        return local is not None and any(_under(local, f) for f in folders)

    return state.apply_music_scan(section_id, sources, scope=track_in_scope)


def _known_tracks(
    state: EmulatorState, leaf_keys: list[int]
) -> dict[str, tuple[tuple[int, int] | None, object]]:
    """The section's tracks by local path: their stat signature and source (under the lock)."""
    known: dict[str, tuple[tuple[int, int] | None, object]] = {}
    for key in leaf_keys:
        item = state.items.get(key)
        if isinstance(item, Track) and item.source.local_path:
            known[item.source.local_path] = (item.source.stat_sig, item.source)
    return known


def _scan_targets(locations: list[Location], plex_path: str | None) -> list[tuple[Location, str]]:
    """The local folders (or file) to walk: every location, or where ``plex_path`` lies."""
    targets: list[tuple[Location, str]] = []
    for location in locations:
        if location.local_dir is None:
            continue
        if plex_path is None:
            targets.append((location, location.local_dir))
        else:
            local = local_dir_for(location, plex_path)
            if local is not None:
                targets.append((location, local))
    return targets


def _scan_movies(
    state: EmulatorState,
    section_id: int,
    targets: list[tuple[Location, str]],
    folders: list[str],
) -> ScanResult:
    movie_sources: list[MovieSource] = []
    for location, folder in targets:
        files = list(walk_files(folder, VIDEO_EXTENSIONS)) if Path(folder).is_dir() else []
        movie_sources.extend(read_movies(location, files, stat_sig))

    def movie_in_scope(movie: Movie) -> bool:
        return any(
            p.local_path is not None and any(_under(p.local_path, f) for f in folders)
            for p in movie.source.parts
        )

    return state.apply_movie_scan(section_id, movie_sources, scope=movie_in_scope)


def _audio_files(folder: str) -> list[str]:
    if Path(folder).is_file():
        return [folder]
    if Path(folder).is_dir():
        return list(walk_files(folder, AUDIO_EXTENSIONS))
    return []


def _track_sources(
    targets: list[tuple[Location, str]],
    known: dict[str, tuple[tuple[int, int] | None, object]],
) -> list[TrackSource]:
    """The tracks under ``targets``: unchanged files (same stat signature) as they were known,
    the others read again."""
    sources: list[TrackSource] = []
    for location, folder in targets:
        for local_path in _audio_files(folder):
            previous = known.get(local_path)
            if previous is not None and previous[0] == stat_sig(local_path):
                assert isinstance(previous[1], TrackSource)
                sources.append(previous[1])
                continue
            try:
                source = read_track(location, local_path)
            except Exception:  # one item never ends the scan of its section
                log.warning("skipping %r", local_path, exc_info=True)
                continue
            if source is not None:
                sources.append(source)
    return sources


class ScanRunner:
    """Runs section scans the way PMS does: answer at once, scan in the background.

    While a scan waits (``scan_delay_s``) or runs, the section shows ``refreshing="1"``. With
    ``scan_async`` off, a scan finishes before the request is answered. A DELETE of the
    refresh cancels scans that have not started yet.
    """

    def __init__(self, state: EmulatorState, knobs: Knobs) -> None:
        self._state = state
        self._knobs = knobs
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._cancelled: set[int] = set()
        self.results: list[tuple[int, str | None, ScanResult]] = []

    def request(self, section_id: int, plex_path: str | None = None) -> None:
        with self._lock:
            self._cancelled.discard(section_id)
        if not self._knobs.scan_async:
            self._run(section_id, plex_path, 0.0)
            return
        self._set_refreshing(section_id, True)
        thread = threading.Thread(
            target=self._run,
            args=(section_id, plex_path, self._knobs.scan_delay_s),
            name=f"emulator-scan-{section_id}",
            daemon=True,
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def cancel(self, section_id: int) -> None:
        with self._lock:
            self._cancelled.add(section_id)

    def _set_refreshing(self, section_id: int, value: bool) -> None:
        with self._state.lock:
            self._state.sections[section_id].refreshing = value

    def _run(self, section_id: int, plex_path: str | None, delay_s: float) -> None:
        try:
            if delay_s:
                time.sleep(delay_s)
            with self._lock:
                if section_id in self._cancelled:
                    return
            result = scan_section(self._state, section_id, plex_path)
            with self._lock:
                self.results.append((section_id, plex_path, result))
        except Exception:
            log.exception("scan of section %s failed", section_id)
        finally:
            self._set_refreshing(section_id, False)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Wait for running scans; False if some are still running after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                threads = [t for t in self._threads if t.is_alive()]
            if not threads:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            threads[0].join(timeout=remaining)
