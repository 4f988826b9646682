"""The torture library: 200 good, rated audio files under every kind of hostile name, among
the entries real libraries hold and engines trip over (symlink loops and links out of the
root, a FIFO, a ``.mp3`` that is ``/dev/zero``, a folder named ``x.flac``, zero-byte,
truncated and read-only files), plus a Latin-1-named ``.m3u`` playlist.

:func:`build_torture_library` writes it under a folder from the real fixtures in
``tests/fixtures/audio`` (each copy gets its own tags, a MusicBrainz id and a rating, written
with mutagen and our writer) and returns a :class:`TortureLibrary`, the manifest: which items
are good, which bad and why. Paths in the manifest are ``bytes`` (names need not be UTF-8).

Read-only files: the tests run as root, whom mode bits do not stop. The engines check the
file's mode bits themselves (``app.adapters.tags.files.open_media`` never opens a file without
any write bit for writing), so the read-only item is refused for writing whoever runs it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import mutagen

from app.adapters.tags import WriteOptions, write_rating
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import BY_NAME

GOOD_COUNT = 200
FORMATS = ("mp3.mp3", "flac.flac", "ogg_vorbis.ogg", "m4a.m4a", "opus.opus")
BY_SUFFIX = {os.fsencode(Path(name).suffix): BY_NAME[name] for name in FORMATS}
ARTIST = "Torture Artist"
MAX_NAME_BYTES = 255


class Hazard(StrEnum):
    """What makes an item hostile. Good items carry the name hazards; bad items are entries
    no engine may open, follow or take as a track."""

    PLAIN = "plain name"
    LATIN1 = "name that is not UTF-8 (Latin-1)"
    NFD = "NFD name beside its NFC twin"
    NFC = "NFC name beside its NFD twin"
    LONG_NAME = "255-byte name"
    NEWLINE = "name with a newline"
    LEADING_DASH = "name with a leading dash"
    CASE_TWIN = "names that differ only in case"
    IN_FOLDER_NAMED_AUDIO = "file inside a folder named x.flac"
    READ_ONLY = "read-only file (mode 0444)"
    SYMLINK_LOOP = "symlink loop"
    SYMLINK_OUT = "symlink out of the root"
    FIFO = "FIFO named like audio"
    DEV_ZERO = "symlink to /dev/zero named .mp3"
    ZERO_BYTES = "zero-byte file"
    TRUNCATED = "truncated file"
    FOLDER_NAMED_AUDIO = "folder named x.flac"


BAD_HAZARDS = frozenset(
    {
        Hazard.SYMLINK_LOOP,
        Hazard.SYMLINK_OUT,
        Hazard.FIFO,
        Hazard.DEV_ZERO,
        Hazard.ZERO_BYTES,
        Hazard.TRUNCATED,
    }
)
"""Entries that are never a track: every engine reports each one as one event."""


@dataclass(frozen=True)
class Item:
    """One entry of the library. ``relative`` is its path under the music root (bytes);
    good items have a unique ``title`` and MusicBrainz id and a ``half_stars`` rating."""

    relative: bytes
    hazard: Hazard
    title: str | None = None
    mbid: str | None = None
    half_stars: int | None = None

    @property
    def good(self) -> bool:
        return self.title is not None

    @property
    def name(self) -> bytes:
        return self.relative.rsplit(b"/", 1)[-1]


@dataclass(frozen=True)
class TortureLibrary:
    base: Path
    music: Path
    playlists: Path
    outside: Path
    items: tuple[Item, ...]
    playlist: bytes
    """The Latin-1-named ``.m3u`` under ``playlists`` (its name, bytes)."""
    playlist_entries: tuple[Item, ...]

    @property
    def good(self) -> tuple[Item, ...]:
        """Readable audio files with tags (the read-only one included)."""
        return tuple(item for item in self.items if item.good)

    @property
    def bad(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.hazard in BAD_HAZARDS)

    def item(self, hazard: Hazard) -> Item:
        return next(item for item in self.items if item.hazard is hazard)

    def path(self, item: Item) -> bytes:
        """The absolute path of ``item`` (bytes)."""
        return os.fsencode(self.music) + b"/" + item.relative

    def str_path(self, item: Item) -> str:
        """The absolute path as Python names it (``surrogateescape``)."""
        return os.fsdecode(self.path(item))

    def hashes(self) -> dict[bytes, str]:
        """Every entry under the base folder: a regular file's SHA-256, a symlink's target, a
        folder's or FIFO's kind; never opening anything but regular files."""
        return dict(_hash_tree(os.fsencode(self.base)))


def _hash_tree(folder: bytes) -> Iterator[tuple[bytes, str]]:
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        st = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            yield entry.path, "-> " + os.fsdecode(os.readlink(entry.path))
        elif stat.S_ISDIR(st.st_mode):
            yield entry.path, "dir"
            yield from _hash_tree(entry.path)
        elif stat.S_ISREG(st.st_mode):
            with open(entry.path, "rb") as handle:
                yield entry.path, hashlib.sha256(handle.read()).hexdigest()
        else:
            yield entry.path, f"special {stat.S_IFMT(st.st_mode):o}"


def file_hash(path: bytes | str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _long_name(stem: str, suffix: str) -> bytes:
    """A name of exactly :data:`MAX_NAME_BYTES` bytes."""
    stem_bytes = MAX_NAME_BYTES - len(suffix.encode())
    encoded = (stem + "x" * stem_bytes).encode()[:stem_bytes]
    return encoded + suffix.encode()


def _names() -> list[tuple[bytes, Hazard]]:
    """The hostile good names (all in one folder), each with its hazard."""
    nfc = unicodedata.normalize("NFC", "Café Crème.flac")
    nfd = unicodedata.normalize("NFD", "Café Crème.flac")
    assert nfc != nfd
    return [
        (b"09 Caf\xe9 Cr\xe8me.mp3", Hazard.LATIN1),
        (b"10 \xc0 bient\xf4t.ogg", Hazard.LATIN1),
        (nfc.encode(), Hazard.NFC),
        (nfd.encode(), Hazard.NFD),
        (_long_name("Long é name ", ".mp3"), Hazard.LONG_NAME),
        (_long_name("Long ö name ", ".m4a"), Hazard.LONG_NAME),
        (b"new\nline.opus", Hazard.NEWLINE),
        (b"-rf.mp3", Hazard.LEADING_DASH),
        (b"--help.flac", Hazard.LEADING_DASH),
        (b"Case Twin.mp3", Hazard.CASE_TWIN),
        (b"case twin.mp3", Hazard.CASE_TWIN),
    ]


def _tag(path: bytes, title: str, album: str, number: int, mbid: str) -> None:
    """Replace the fixture's tags with this item's own."""
    name = os.fsdecode(path)
    audio = mutagen.File(name, easy=True)
    assert audio is not None and audio.tags is not None, name
    for key in list(audio.tags.keys()):
        del audio.tags[key]
    audio["title"] = [title]
    audio["artist"] = [ARTIST]
    audio["albumartist"] = [ARTIST]
    audio["album"] = [album]
    audio["tracknumber"] = [str(number)]
    audio["musicbrainz_trackid"] = [mbid]
    audio.save()


def _good_file(path: bytes, number: int, hazard: Hazard, relative: bytes) -> Item:
    fixture = BY_SUFFIX[os.path.splitext(path)[1].lower()]
    shutil.copyfile(fixture.path, path)
    title = f"Torture {number:03d}"
    mbid = str(uuid.UUID(int=0x70F7_0000_0000_4000_8000_0000_0000_0000 + number))
    _tag(path, title, f"Torture Album {number // 20:02d}", number, mbid)
    half_stars = 1 + number % 10
    write_rating(os.fsdecode(path), Rating(half_stars), preset("musicbee"), options=WriteOptions())
    return Item(relative, hazard, title, mbid, half_stars)


def build_torture_library(base: Path) -> TortureLibrary:
    """Write the torture library under ``base`` (``music/``, ``playlists/``, ``outside/``)."""
    music = base / "music"
    playlists = base / "playlists"
    outside = base / "outside"
    for folder in (music, playlists, outside):
        folder.mkdir(parents=True)
    raw_music = os.fsencode(music)
    items: list[Item] = []
    number = 0

    def add_good(relative: bytes, hazard: Hazard) -> Item:
        nonlocal number
        folder = os.path.dirname(raw_music + b"/" + relative)
        os.makedirs(folder, exist_ok=True)
        item = _good_file(raw_music + b"/" + relative, number, hazard, relative)
        items.append(item)
        number += 1
        return item

    # Hostile names (the extension picks the fixture format).
    for name, hazard in _names():
        add_good(b"Names/" + name, hazard)
    add_good(b"Odd/x.flac/01 Inside.mp3", Hazard.IN_FOLDER_NAMED_AUDIO)
    read_only = add_good(b"Odd/02 Read only.flac", Hazard.READ_ONLY)
    while number < GOOD_COUNT:
        album = number // 20
        suffix = Path(FORMATS[number % len(FORMATS)]).suffix
        relative = f"Artist {album:02d}/Album {album:02d}/{number:03d} Track{suffix}"
        add_good(relative.encode(), Hazard.PLAIN)
    os.chmod(raw_music + b"/" + read_only.relative, 0o444)
    items.append(Item(b"Odd/x.flac", Hazard.FOLDER_NAMED_AUDIO))

    # Bad entries, all in one folder.
    bad = raw_music + b"/Bad"
    os.mkdir(bad)
    os.symlink(b"03 Loop.mp3", bad + b"/03 Loop.mp3")
    outside_file = os.fsencode(outside) + b"/Outside.mp3"
    shutil.copyfile(BY_NAME["mp3.mp3"].path, outside_file)
    os.symlink(outside_file, bad + b"/04 Outside.mp3")
    os.mkfifo(bad + b"/05 Pipe.mp3")
    os.symlink(b"/dev/zero", bad + b"/06 Zero.mp3")
    with open(bad + b"/07 Empty.flac", "wb"):
        pass
    data = BY_NAME["flac.flac"].path.read_bytes()
    with open(bad + b"/08 Truncated.flac", "wb") as handle:
        handle.write(data[:60])  # inside the first metadata block
    for name, hazard in (
        (b"03 Loop.mp3", Hazard.SYMLINK_LOOP),
        (b"04 Outside.mp3", Hazard.SYMLINK_OUT),
        (b"05 Pipe.mp3", Hazard.FIFO),
        (b"06 Zero.mp3", Hazard.DEV_ZERO),
        (b"07 Empty.flac", Hazard.ZERO_BYTES),
        (b"08 Truncated.flac", Hazard.TRUNCATED),
    ):
        items.append(Item(b"Bad/" + name, hazard))

    # A Latin-1-named playlist of a few good files, hostile names first.
    entries = tuple(item for item in items if item.good)[:6]
    playlist = b"Caf\xe9 mix.m3u"
    lines = [b"#EXTM3U"] + [raw_music + b"/" + item.relative for item in entries]
    with open(os.fsencode(playlists) + b"/" + playlist, "wb") as handle:
        handle.write(b"\n".join(line for line in lines if b"\n" not in line) + b"\n")
    entries = tuple(item for item in entries if b"\n" not in item.relative)
    return TortureLibrary(base, music, playlists, outside, tuple(items), playlist, entries)


# --- the movie-shaped variant, for the mirror ----------------------------------------------------


@dataclass(frozen=True)
class TortureMovies:
    """A Plex-layout movie library: ``good`` are the files every mirror run must link (paths
    relative to ``source``, bytes), ``bad`` the entries it must ignore, each with the reason
    it must give (relative path -> reason)."""

    base: Path
    source: Path
    outside: Path
    good: tuple[bytes, ...]
    bad: dict[bytes, str]

    def hashes(self) -> dict[bytes, str]:
        return dict(_hash_tree(os.fsencode(self.base)))


OUTSIDE_REASON = "symlink that leads outside the library root, not followed"
LOOP_REASON = "symlink loop, not followed"


def build_torture_movies(base: Path) -> TortureMovies:
    """Movies under hostile names, among the same hazards as the music library."""
    source = base / "movies"
    outside = base / "outside"
    raw = os.fsencode(source)
    os.makedirs(os.fsencode(outside) + b"/Secret (1999)")
    with open(os.fsencode(outside) + b"/Secret (1999)/Secret (1999).mkv", "wb") as handle:
        handle.write(b"outside the library")
    folders = {
        b"Caf\xe9 (1999) {imdb-tt0000001}": b"Caf\xe9 (1999) {imdb-tt0000001} [1080p].mkv",
        unicodedata.normalize("NFC", "Crème (2001)").encode(): b"Cr\xc3\xa8me (2001).mkv",
        unicodedata.normalize("NFD", "Crème (2001)").encode(): b"Cre\xcc\x80me (2001).mkv",
        b"-rf (2002)": b"-rf (2002).mkv",
        b"New\nline (2003)": b"New\nline (2003).mkv",
        b"Long (2004)": _long_name("Long (2004) ", ".mkv"),
        b"Case (2005)": b"Case (2005).mkv",
        b"case (2005)": b"case (2005).mkv",
    }
    good: list[bytes] = []
    for folder, video in folders.items():
        os.makedirs(raw + b"/" + folder)
        for name, data in ((video, b"video " + folder), (b"poster.jpg", b"jpg")):
            with open(raw + b"/" + folder + b"/" + name, "wb") as handle:
                handle.write(data)
            good.append(folder + b"/" + name)
    hazards = raw + b"/Hazards (2010)"
    os.makedirs(hazards + b"/x.mkv")  # a folder named like a video: an asset folder
    with open(hazards + b"/Hazards (2010).mkv", "wb") as handle:
        handle.write(b"hazards")
    with open(hazards + b"/x.mkv/inside.jpg", "wb") as handle:
        handle.write(b"jpg")
    with open(hazards + b"/empty.nfo", "wb"):
        pass
    read_only = hazards + b"/read only.nfo"
    with open(read_only, "wb") as handle:
        handle.write(b"<movie/>")
    os.chmod(read_only, 0o444)
    good += [
        b"Hazards (2010)/Hazards (2010).mkv",
        b"Hazards (2010)/x.mkv/inside.jpg",
        b"Hazards (2010)/empty.nfo",
        b"Hazards (2010)/read only.nfo",
    ]
    os.symlink(b"Loop", hazards + b"/Loop")
    os.symlink(b"..", hazards + b"/Up")  # a folder loop (an ancestor)
    os.symlink(os.fsencode(outside) + b"/Secret (1999)/Secret (1999).mkv", hazards + b"/out.mkv")
    os.symlink(os.fsencode(outside), hazards + b"/Extras")
    os.symlink(b"/dev/zero", hazards + b"/zero.mkv")
    os.mkfifo(hazards + b"/pipe.mkv")
    os.symlink(os.fsencode(outside) + b"/Secret (1999)", raw + b"/Secret (1999)")
    bad = {
        b"Hazards (2010)/Loop": LOOP_REASON,
        b"Hazards (2010)/Up": LOOP_REASON,
        b"Hazards (2010)/out.mkv": OUTSIDE_REASON,
        b"Hazards (2010)/Extras": OUTSIDE_REASON,
        b"Hazards (2010)/zero.mkv": OUTSIDE_REASON,
        b"Hazards (2010)/pipe.mkv": "named pipe (FIFO), not opened",
        b"Secret (1999)": OUTSIDE_REASON,
    }
    return TortureMovies(base, source, outside, tuple(good), bad)
