"""Tiny real, tagged audio files for demos and tests: ffmpeg makes 0.2 s of silence once per
format, each track is a copy tagged with mutagen.

``make_library(root)`` writes the default set (Unicode and ``&`` in names, a compilation, two
discs, MusicBrainz ids on some tracks, several formats).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen import id3

FFMPEG_ARGS = {
    ".mp3": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.2"],
    ".flac": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.2"],
    ".m4a": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.2", "-c:a", "aac"],
    ".ogg": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.2"],
    ".opus": ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "0.2"],
    ".wav": ["-f", "lavfi", "-i", "anullsrc=r=8000:cl=mono", "-t", "0.2"],
}


@dataclass(frozen=True)
class DemoTrack:
    relative_path: str
    title: str
    artist: str
    album: str
    album_artist: str | None = None
    track_no: int | None = None
    disc_no: int | None = None
    mbid_recording: str | None = None


DEFAULT_TRACKS: tuple[DemoTrack, ...] = (
    DemoTrack("Artist/Album/01 First.flac", "First", "Artist", "Album", None, 1, 1,
              "6524bc2d-3f58-4afa-9e06-00a651f5d813"),
    DemoTrack("Artist/Album/02 Café & Crema.mp3", "Café & Crema", "Artist", "Album", None, 2, 1),
    DemoTrack("Björk & Friends/Ünïcødé Album/1-01 Ça va.m4a", "Ça va", "Björk & Friends",
              "Ünïcødé Album", None, 1, 1, "0a8e1f2a-5b6c-4d7e-8f90-a1b2c3d4e5f6"),
    DemoTrack("Björk & Friends/Ünïcødé Album/2-01 Zweite <Seite>.ogg", 'Zweite "Seite"',
              "Björk & Friends", "Ünïcødé Album", None, 1, 2),
    DemoTrack("Various Artists/Hits/03 Oops.opus", "Oops", "Track Artist", "Hits",
              "Various Artists", 3, 1),
    DemoTrack("Various Artists/Hits/04 Wave.wav", "Wave", "Other Artist", "Hits",
              "Various Artists", 4, 1),
)  # fmt: skip


def make_template(cache_dir: Path, suffix: str) -> Path:
    """A silent file of the format, made once per cache folder."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"template{suffix}"
    if not target.exists():
        partial = cache_dir / f"partial{suffix}"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", *FFMPEG_ARGS[suffix], str(partial)],
            check=True,
            capture_output=True,
        )
        partial.replace(target)
    return target


def tag_file(path: Path, track: DemoTrack) -> None:
    if path.suffix.lower() in {".wav", ".aiff", ".aif"}:
        _tag_id3_container(path, track)
        return
    audio = mutagen.File(path, easy=True)
    if audio is None:
        raise ValueError(f"{path}: not an audio file mutagen knows")
    if audio.tags is None:
        audio.add_tags()
    values = {
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "albumartist": track.album_artist,
        "tracknumber": str(track.track_no) if track.track_no else None,
        "discnumber": str(track.disc_no) if track.disc_no else None,
        "musicbrainz_trackid": track.mbid_recording,
    }
    for key, value in values.items():
        if value is not None:
            audio[key] = [value]
    audio.save()


def _tag_id3_container(path: Path, track: DemoTrack) -> None:
    audio = mutagen.File(path)
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    frames: Any = id3  # mutagen's frame classes are untyped
    tags.add(frames.TIT2(encoding=3, text=[track.title]))
    tags.add(frames.TPE1(encoding=3, text=[track.artist]))
    tags.add(frames.TALB(encoding=3, text=[track.album]))
    if track.album_artist:
        tags.add(frames.TPE2(encoding=3, text=[track.album_artist]))
    if track.track_no:
        tags.add(frames.TRCK(encoding=3, text=[str(track.track_no)]))
    if track.disc_no:
        tags.add(frames.TPOS(encoding=3, text=[str(track.disc_no)]))
    if track.mbid_recording:
        tags.add(frames.UFID(owner="http://musicbrainz.org", data=track.mbid_recording.encode()))
    audio.save()


def make_library(
    root: Path,
    tracks: Sequence[DemoTrack] = DEFAULT_TRACKS,
    *,
    cache_dir: Path | None = None,
) -> list[Path]:
    """Write ``tracks`` under ``root``; templates are cached in ``cache_dir`` (default: root).

    Each file is written under a temporary name and renamed into place: whatever held the
    name before (a symlink to ``/dev/zero`` or to a file elsewhere, a FIFO) is replaced, never
    written through or opened."""
    cache = cache_dir or root / ".templates"
    written: list[Path] = []
    for track in tracks:
        target = root / track.relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".partial-{target.name}")  # keeps the extension
        partial.unlink(missing_ok=True)
        shutil.copyfile(make_template(cache, target.suffix.lower()), partial)
        tag_file(partial, track)
        partial.replace(target)
        written.append(target)
    return written
