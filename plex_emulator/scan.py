"""Walking real folders the way a PMS scanner would: audio tags with mutagen, movie names.

The emulator reads tags itself (title, artists, album, album artist, track and disc number,
duration, MusicBrainz ids) and does not use the app's tag adapter. A file mutagen cannot parse
is skipped and logged, as PMS skips files it cannot analyse; a readable file without tags gets
its title from the file name and album/artist from its folders, as PMS does.

Only regular files of at most :data:`MAX_FILE_BYTES` are opened (a name like ``x.mp3`` may be
a FIFO, or a symlink to ``/dev/zero``); symlinks are followed, as PMS follows them, except into
a folder the walk is already in (a loop). Whatever cannot be listed, stat'ed or read is skipped
with a warning and the walk goes on.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any

import mutagen

from app.domain.paths import join_path, split_path
from plex_emulator.model import Location, MoviePartSource, MovieSource, TrackSource

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = frozenset(
    {".mp3", ".flac", ".m4a", ".ogg", ".oga", ".opus", ".aiff", ".aif", ".wav", ".wma"}
)
VIDEO_EXTENSIONS = frozenset({".mkv", ".mp4", ".m4v", ".avi", ".mov", ".ts", ".wmv", ".webm"})

_CONTAINERS = {".m4a": "aac", ".oga": "ogg", ".aif": "aiff", ".wma": "wma"}

MAX_FILE_BYTES = 4 << 30
"""The largest file a scan opens (4 GiB: far above any audio file, far below the memory a
reader can take from an endless or huge file)."""


def plex_join(plex_root: str, relative_parts: list[str]) -> str:
    """Join path parts onto a root in the root's own style (``\\`` for Windows roots)."""
    root = split_path(plex_root)
    return join_path(root.anchor, (*root.parts, *relative_parts), windows=root.windows)


def _display(name: str) -> str:
    """A file name as PMS would show it: undecodable bytes become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def walk_files(local_dir: str, extensions: frozenset[str]) -> Iterator[str]:
    """Every regular file under ``local_dir`` with one of ``extensions`` and at most
    :data:`MAX_FILE_BYTES`, in sorted order."""
    try:
        st = os.stat(local_dir)
    except OSError as exc:
        log.warning("cannot list %s: %s", _display(local_dir), exc.strerror or exc)
        return
    yield from _walk(local_dir, extensions, frozenset({(st.st_dev, st.st_ino)}))


def _walk(
    folder: str, extensions: frozenset[str], ancestors: frozenset[tuple[int, int]]
) -> Iterator[str]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        log.warning("cannot list %s: %s", _display(folder), exc.strerror or exc)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            st = entry.stat()  # through symlinks, as PMS follows them
        except OSError as exc:
            log.warning("skipping %s: %s", _display(entry.path), exc.strerror or exc)
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                log.warning("skipping %s: a symlink loop", _display(entry.path))
                continue
            yield from _walk(entry.path, extensions, ancestors | {key})
        elif PurePath(entry.name).suffix.lower() in extensions:
            problem = _unfit(st)
            if problem is not None:
                log.warning("skipping %s: %s", _display(entry.path), problem)
                continue
            yield entry.path


def _unfit(st: os.stat_result) -> str | None:
    """Why a file must not be opened, or None."""
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_size > MAX_FILE_BYTES:
        return f"{st.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit"
    return None


def stat_sig(path: str) -> tuple[int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC)


def _read_audio(local_path: str) -> tuple[Any, tuple[int, int]] | None:
    """Mutagen's view of a regular file and its (size, mtime); None (with a warning) when it
    is not a regular file, too large, unreadable or not audio mutagen knows."""
    try:
        with open(local_path, "rb", opener=_open_nonblocking) as handle:
            st = os.fstat(handle.fileno())
            problem = _unfit(st)
            if problem is not None:
                log.warning("skipping %s: %s", _display(local_path), problem)
                return None
            audio = mutagen.File(handle, easy=True)
    except Exception as exc:  # mutagen raises many types for damaged files
        log.warning("skipping unreadable audio file %s: %s", _display(local_path), exc)
        return None
    if audio is None:
        log.warning("skipping unrecognised audio file %s", _display(local_path))
        return None
    return audio, (st.st_size, st.st_mtime_ns)


def plex_path_for(location: Location, local_path: str) -> str:
    assert location.local_dir is not None
    rel = Path(local_path).relative_to(location.local_dir)
    return plex_join(location.plex_path, [_display(p) for p in rel.parts])


def _text_of(value: Any) -> str | None:
    """The first text of a tag value: easy lists, ID3 frames (``.text``), ASF (``.value``)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    inner = getattr(value, "text", None)
    if inner is not None:
        return _text_of(inner)
    inner = getattr(value, "value", None)
    if inner is not None:
        value = inner
    text = str(value).strip()
    return text or None


def _first(tags: Any, *keys: str) -> str | None:
    if tags is None:
        return None
    for key in keys:
        try:
            value = tags.get(key)
        except (KeyError, ValueError, TypeError):
            continue
        text = _text_of(value)
        if text:
            return text
    return None


def _number(text: str | None) -> int | None:
    if not text:
        return None
    match = re.match(r"\s*(\d+)", text)
    return int(match.group(1)) if match else None


def _ufid(tags: Any) -> str | None:
    try:
        frame = tags.get("UFID:http://musicbrainz.org")
    except (AttributeError, KeyError, ValueError):
        return None
    data = getattr(frame, "data", None)
    return data.decode("ascii", "replace") if isinstance(data, bytes) else None


def read_track(location: Location, local_path: str) -> TrackSource | None:
    """Read one audio file; None when it cannot be read or parsed (the scanner skips it)."""
    read = _read_audio(local_path)
    if read is None:
        return None
    audio, sig = read
    tags = audio.tags
    plex_path = plex_path_for(location, local_path)
    path = Path(local_path)
    ext = path.suffix.lower()
    folder_album = _display(path.parent.name)
    folder_artist = _display(path.parent.parent.name)
    stem = _display(path.stem)

    title = _first(tags, "title", "TIT2", "Title") or stem
    track_artist = _first(tags, "artist", "TPE1", "Author")
    album_artist = _first(tags, "albumartist", "TPE2", "WM/AlbumArtist")
    album = _first(tags, "album", "TALB", "WM/AlbumTitle") or folder_album
    album_artist = album_artist or track_artist or folder_artist
    length = getattr(audio.info, "length", 0.0) or 0.0
    bitrate = getattr(audio.info, "bitrate", 0) or 0
    return TrackSource(
        plex_path=plex_path,
        local_path=local_path,
        title=title,
        album_artist=album_artist,
        track_artist=track_artist,
        album=album,
        track_no=_number(_first(tags, "tracknumber", "TRCK", "WM/TrackNumber")),
        disc_no=_number(_first(tags, "discnumber", "TPOS", "WM/PartOfSet")),
        duration_ms=round(length * 1000),
        year=_number(_first(tags, "date", "TDRC", "WM/Year")),
        mbid_recording=_first(tags, "musicbrainz_trackid", "MusicBrainz/Track Id") or _ufid(tags),
        mbid_release=_first(
            tags, "musicbrainz_albumid", "TXXX:MusicBrainz Album Id", "MusicBrainz/Album Id"
        ),
        mbid_artist=_first(
            tags, "musicbrainz_artistid", "TXXX:MusicBrainz Artist Id", "MusicBrainz/Artist Id"
        ),
        size_bytes=sig[0],
        container=_CONTAINERS.get(ext, ext.lstrip(".")),
        bitrate_kbps=round(bitrate / 1000),
        stat_sig=sig,
    )


# --- movies ---------------------------------------------------------------------------------

_MOVIE_NAME = re.compile(r"^(?P<title>.+?)\s*\((?P<year>\d{4})\)(?P<rest>.*)$")
_EDITION = re.compile(r"\{edition-(?P<edition>[^}]+)\}")
_ID_TAGS = re.compile(
    r"[\[{](?P<kind>imdb|tmdb|tvdb)(?:id)?-(?P<value>[^\]}]+)[\]}]", re.IGNORECASE
)


def parse_movie_name(stem: str) -> tuple[str, int | None, str | None, tuple[str, ...]]:
    """``Blade Runner (1982) {edition-Final Cut} {imdb-tt0083658} - 1080p`` ->
    (title, year, edition, external ids)."""
    ids = tuple(f"{m.group('kind').lower()}://{m.group('value')}" for m in _ID_TAGS.finditer(stem))
    edition_match = _EDITION.search(stem)
    edition = edition_match.group("edition").strip() if edition_match else None
    cleaned = _ID_TAGS.sub("", _EDITION.sub("", stem)).strip()
    match = _MOVIE_NAME.match(cleaned)
    if match:
        return match.group("title").strip(), int(match.group("year")), edition, ids
    title = cleaned.split(" - ")[0].strip() or stem
    return title, None, edition, ids


def read_movies(
    location: Location, local_paths: list[str], sig_of: Callable[[str], tuple[int, int] | None]
) -> list[MovieSource]:
    """Group video files into movies: same folder, title, year and edition = one movie with
    several versions (parts)."""
    groups: dict[tuple[str, str, int | None, str | None], list[MoviePartSource]] = {}
    ids_of: dict[tuple[str, str, int | None, str | None], tuple[str, ...]] = {}
    for local_path in local_paths:
        sig = sig_of(local_path)
        if sig is None:
            continue
        path = Path(local_path)
        title, year, edition, ids = parse_movie_name(_display(path.stem))
        folder_plex = plex_path_for(location, str(path.parent))
        key = (folder_plex, title, year, edition)
        groups.setdefault(key, []).append(
            MoviePartSource(
                plex_path=plex_path_for(location, local_path),
                local_path=local_path,
                size_bytes=sig[0],
                container=path.suffix.lower().lstrip("."),
                stat_sig=sig,
            )
        )
        if ids:
            ids_of[key] = ids
    return [
        MovieSource(
            title=title,
            year=year,
            edition=edition,
            external_ids=ids_of.get((folder, title, year, edition), ()),
            parts=tuple(parts),
            folder=folder,
        )
        for (folder, title, year, edition), parts in groups.items()
    ]
