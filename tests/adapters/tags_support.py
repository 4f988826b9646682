"""Helpers shared by the tag tests: the fixture files and an audio-payload fingerprint.

The fixtures are made by ``scripts/make_fixtures`` (real files, a few KB each).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import struct
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.ogg import OggPage

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audio"


@dataclass(frozen=True)
class Fixture:
    name: str
    format: str
    family: str

    @property
    def path(self) -> Path:
        return FIXTURES / self.name

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix


ALL_FIXTURES: tuple[Fixture, ...] = (
    Fixture("mp3.mp3", "mp3", "id3"),
    Fixture("mp3_v23.mp3", "mp3", "id3"),
    Fixture("aiff.aiff", "aiff", "id3"),
    Fixture("wav.wav", "wav", "id3"),
    Fixture("dsf.dsf", "dsf", "id3"),
    Fixture("flac.flac", "flac", "vorbis"),
    Fixture("ogg_vorbis.ogg", "ogg_vorbis", "vorbis"),
    Fixture("opus.opus", "opus", "vorbis"),
    Fixture("speex.spx", "speex", "vorbis"),
    Fixture("ogg_flac.oga", "ogg_flac", "vorbis"),
    Fixture("m4a.m4a", "m4a", "mp4"),
    Fixture("m4b.m4b", "m4b", "mp4"),
    Fixture("alac.m4a", "alac", "mp4"),
    Fixture("wma.wma", "wma", "asf"),
    Fixture("ape.ape", "ape", "ape"),
    Fixture("wavpack.wv", "wavpack", "ape"),
    Fixture("musepack.mpc", "musepack", "ape"),
)
BY_NAME = {f.name: f for f in ALL_FIXTURES}


def by_family(family: str) -> list[Fixture]:
    return [f for f in ALL_FIXTURES if f.family == family]


def copy_fixture(fixture: Fixture | str, folder: Path, name: str | None = None) -> Path:
    source = fixture if isinstance(fixture, Fixture) else BY_NAME[fixture]
    target = folder / (name or source.name)
    shutil.copyfile(source.path, target)
    return target


def without_padding(path: Path) -> Path:
    """Re-save ``path``'s tags with no padding, so the next tag change needs a rewrite."""
    audio = mutagen.File(path)
    if audio.tags is None:
        return path
    version = getattr(audio.tags, "version", None)
    if isinstance(version, tuple) and len(version) == 3:
        audio.save(padding=lambda _info: 0, v2_version=version[1])
    elif hasattr(audio.tags, "_padding") or path.suffix not in {".ape", ".wv", ".mpc"}:
        audio.save(padding=lambda _info: 0)
    return path


NOBODY = 65534


def fork() -> int:
    """os.fork, without the warning newer Pythons give when other threads exist."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def run_as_other_user(action: Callable[[], object]) -> str:
    """Run ``action`` without root's power to ignore permissions (as ``nobody`` when the tests
    run as root); returns "ok" or the name of the exception class it raised."""
    if os.geteuid() != 0:
        try:
            action()
        except Exception as exc:
            return type(exc).__name__
        return "ok"
    read_fd, write_fd = os.pipe()
    pid = fork()
    if pid == 0:  # the child never returns into pytest
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                action()
                result = "ok"
            except BaseException as exc:
                result = type(exc).__name__
            os.write(write_fd, result.encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        result = pipe.read().decode()
    os.waitpid(pid, 0)
    return result


# --- the audio payload: the file minus its tags -------------------------------------------------


def audio_fingerprint(path: Path) -> str:
    """A hash of the audio data only (tags excluded), per container."""
    data = path.read_bytes()
    if data.startswith(b"fLaC"):
        parts = _flac_audio(data)
    elif data.startswith(b"OggS"):
        parts = _ogg_audio(data)
    elif data[4:8] == b"ftyp":
        parts = _mp4_audio(data)
    elif data.startswith(b"FORM"):
        parts = _iff_audio(data, big_endian=True)
    elif data.startswith(b"RIFF"):
        parts = _iff_audio(data, big_endian=False)
    elif data.startswith(b"DSD "):
        parts = _dsf_audio(data)
    elif data.startswith(bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")):
        (header_size,) = struct.unpack_from("<Q", data, 16)
        parts = [data[header_size:]]
    elif data.startswith((b"MAC ", b"wvpk", b"MPCK")):
        parts = [_strip_apev2(data)]
    else:
        parts = [_strip_id3(data)]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _strip_id3(data: bytes) -> bytes:
    start = 0
    if data.startswith(b"ID3"):
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | byte
        start = 10 + size + (10 if data[5] & 0x10 else 0)
    end = len(data) - 128 if data[-128:-125] == b"TAG" else len(data)
    return data[start:end]


def _strip_apev2(data: bytes) -> bytes:
    footer = data[-32:]
    if not footer.startswith(b"APETAGEX"):
        return data
    _version, size, _items, flags = struct.unpack_from("<4I", footer, 8)
    start = len(data) - size - (32 if flags & 0x80000000 else 0)
    return data[:start]


def _flac_audio(data: bytes) -> list[bytes]:
    offset = 4
    parts: list[bytes] = []
    while True:
        header = data[offset]
        size = int.from_bytes(data[offset + 1 : offset + 4], "big")
        if header & 0x7F == 0:  # STREAMINFO
            parts.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
        if header & 0x80:
            break
    parts.append(data[offset:])
    return parts


def _ogg_audio(data: bytes) -> list[bytes]:
    stream = io.BytesIO(data)
    pages = []
    while stream.tell() < len(data):
        pages.append(OggPage(stream))
    packets = OggPage.to_packets(pages, strict=False)
    return [packets[0], *packets[2:]]


def _mp4_audio(data: bytes) -> list[bytes]:
    parts: list[bytes] = []
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, offset + 8)
            header = 16
        elif size == 0:
            size = len(data) - offset
        if kind == b"mdat":
            parts.append(data[offset + header : offset + size])
        offset += size
    return parts


def _iff_audio(data: bytes, *, big_endian: bool) -> list[bytes]:
    order = ">" if big_endian else "<"
    parts: list[bytes] = []
    offset = 12
    while offset + 8 <= len(data):
        kind, size = struct.unpack_from(f"{order}4sI", data, offset)
        if kind.lower() != b"id3 ":
            parts.append(kind + data[offset + 8 : offset + 8 + size])
        offset += 8 + size + (size & 1)
    return parts


def _dsf_audio(data: bytes) -> list[bytes]:
    (size,) = struct.unpack_from("<Q", data, 80 + 4)
    return [data[28:80], data[80 + 12 : 80 + size]]
