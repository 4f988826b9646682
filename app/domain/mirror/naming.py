"""Plex and Jellyfin movie naming: the vocabulary and the rules both grammars share.

Pure functions over names (strings in, values out). This module holds the values (formats,
suffixes, :class:`Loss`, :class:`MovieName`, :class:`VideoName`), resolution labels, parts and
inline extras, sidecars and format detection; the two grammars that parse and render folder and
video names, and their format-neutral entry points, are :mod:`app.domain.mirror.grammar`.

The grammar is that of docs/MIRROR.md, which follows jellyplex-sync 0.5.0 on well-formed
libraries and fixes its known bugs:

- video names are parsed relative to their folder name, so a `` - `` inside a title is not a
  version separator and a ``[label]`` inside a title is not a version label;
- resolution labels are looked up case-insensitively, with ``UHD``/``FHD``/``SD`` aliases;
- the ``[0123abcd]`` disambiguator jellyplex-sync appends on a clash parses back both ways;
- stacked parts (``pt1``, ``cd2``, ...) and Plex inline extras (``-trailer``, ...) are
  recognised instead of being treated as versions;
- sidecars (``.en.srt``, ``.nfo``, ``-poster.jpg``) follow their video's or folder's new name.

Names may contain lone surrogates (``os.fsdecode`` of bytes that are not UTF-8); nothing here
encodes them except :func:`short_hash`, which uses ``surrogateescape`` to hash the raw bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

Format = Literal["plex", "jellyfin"]
FORMATS: tuple[Format, ...] = ("jellyfin", "plex")

PROVIDERS: tuple[str, ...] = ("imdb", "tmdb", "tvdb")

JPS_VIDEO_SUFFIXES = frozenset({".mkv", ".m4v"})
"""What jellyplex-sync 0.5.0 treats as a video (everything else is a loose file)."""

VIDEO_SUFFIXES = frozenset(
    {
        ".mkv",
        ".m4v",
        ".mp4",
        ".avi",
        ".mov",
        ".ts",
        ".m2ts",
        ".webm",
        ".wmv",
        ".mpg",
        ".mpeg",
        ".iso",
    }
)
"""Fix: the video suffixes we recognise, compared case-insensitively."""

METADATA_SUFFIXES = frozenset(
    {
        ".nfo",
        ".xml",
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".gif",
        ".bmp",
        ".tbn",
        ".srt",
        ".ass",
        ".ssa",
        ".sub",
        ".idx",
        ".vtt",
        ".sup",
        ".smi",
    }
)
"""Small metadata files that are copied rather than hardlinked by default: media server agents
rewrite them in place, and a hardlink would silently rewrite the other library's copy too."""

IGNORE_MARKERS = frozenset({".jellyplex-sync-ignore", ".crossfade-ignore"})

HASH_LENGTH = 8

# Reasons use jellyplex-sync's wording so ``jq`` filters on them keep working.
REASON_ONE_PROVIDER = "only one provider id is emitted per Jellyfin folder"
REASON_UNKNOWN_PROVIDER = "unknown Jellyfin provider key"
REASON_NO_VERSION_LABEL = "no equivalent in a Jellyfin version label"
REASON_MULTIPLE_RESOLUTIONS = "multiple resolution labels; first one wins"


@dataclass(frozen=True, slots=True)
class Loss:
    """A piece of a name the target grammar cannot express (jellyplex-sync's ``Drop``)."""

    kind: str
    key: str | None
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class MovieName:
    """A movie's identity as read from its folder name. ``ids`` keeps one value per provider,
    in the order first seen (a later duplicate replaces the value, as a dict would)."""

    title: str
    year: str | None = None
    ids: tuple[tuple[str, str], ...] = ()

    def id_of(self, provider: str) -> str | None:
        for key, value in self.ids:
            if key == provider:
                return value
        return None


@dataclass(frozen=True, slots=True)
class VideoName:
    """What a video file name says beyond the movie's identity.

    ``labels`` are Plex ``[label]`` values in order; read from Jellyfin they hold at most the
    canonical Plex resolution (``1080p`` for ``BD``). ``disambiguator`` is the 8-hex hash
    jellyplex-sync appends on a clash; ``part`` a stacking marker such as ``pt1`` (kept
    verbatim); ``extra`` an inline extra's kind (``trailer``) when the file is an extra.
    """

    extension: str
    edition: str | None = None
    labels: tuple[str, ...] = ()
    disambiguator: str | None = None
    part: str | None = None
    extra: str | None = None


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------

_RESOLUTION = re.compile(r"\d{3,4}[pi]", re.IGNORECASE)


def split_suffix(name: str) -> tuple[str, str]:
    """``("Movie (2020)", ".mkv")`` for ``Movie (2020).mkv``, with pathlib's rules for what a
    suffix is (none for ``.hidden`` or ``name.``)."""
    index = name.rfind(".")
    if 0 < index < len(name) - 1:
        return name[:index], name[index:]
    return name, ""


def is_video_name(name: str) -> bool:
    return split_suffix(name)[1].lower() in VIDEO_SUFFIXES


def is_metadata_name(name: str, metadata_suffixes: frozenset[str] = METADATA_SUFFIXES) -> bool:
    return split_suffix(name)[1].lower() in metadata_suffixes


_SURROGATE = re.compile("[\udc80-\udcff]")


def has_undecodable(name: str) -> bool:
    """True when ``name`` came from bytes that are not valid UTF-8 (lone surrogates)."""
    return not name.isascii() and _SURROGATE.search(name) is not None


def printable(name: str) -> str:
    """``name`` safe for UTF-8 output: undecodable bytes shown as ``\\xff`` escapes."""
    if not has_undecodable(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def short_hash(name: str, length: int = HASH_LENGTH) -> str:
    """jellyplex-sync's disambiguator: the first hex digits of sha256 of the file name."""
    raw = name.encode("utf-8", "surrogateescape")
    return hashlib.sha256(raw).hexdigest()[:length]


# --------------------------------------------------------------------------------------------
# resolution labels
# --------------------------------------------------------------------------------------------

_LABEL_TO_JELLYFIN: dict[str, str] = {
    "dvd": "DVD",
    "sd": "DVD",
    "480i": "DVD",
    "480p": "DVD",
    "576i": "DVD",
    "576p": "DVD",
    "720i": "720p",
    "720p": "720p",
    "bd": "BD",
    "fhd": "BD",
    "1080i": "BD",
    "1080p": "BD",
    "4k": "4k",
    "uhd": "4k",
    "2160i": "4k",
    "2160p": "4k",
}

_JELLYFIN_TO_PLEX: dict[str, str] = {"dvd": "DVD", "bd": "1080p", "4k": "2160p"}


def jellyfin_resolution(plex_label: str) -> str | None:
    """The Jellyfin version-label word for a Plex ``[label]``, or None if it is no resolution.

    Fix: case-insensitive, with ``UHD``/``FHD``/``SD`` aliases. Other ``\\d{3,4}[pi]`` labels
    (``570i``, ``1440p``) pass through verbatim.
    """
    mapped = _LABEL_TO_JELLYFIN.get(plex_label.lower())
    if mapped is not None:
        return mapped
    if _RESOLUTION.fullmatch(plex_label):
        return plex_label
    return None


def plex_resolution(jellyfin_word: str) -> str | None:
    """The canonical Plex label for a Jellyfin version-label word, or None."""
    mapped = _JELLYFIN_TO_PLEX.get(jellyfin_word.lower())
    if mapped is not None:
        return mapped
    if _RESOLUTION.fullmatch(jellyfin_word):
        return jellyfin_word
    return None


# --------------------------------------------------------------------------------------------
# parts and inline extras
# --------------------------------------------------------------------------------------------

_PART = re.compile(
    r"(?P<sep>\s+-\s+|[-_. ])(?P<part>(?:cd|dvd|disc|disk|part|pt)\d{1,3})$", re.IGNORECASE
)

PLEX_EXTRA_FOLDERS: dict[str, str] = {
    "trailer": "Trailers",
    "behindthescenes": "Behind The Scenes",
    "deleted": "Deleted Scenes",
    "featurette": "Featurettes",
    "interview": "Interviews",
    "scene": "Scenes",
    "short": "Shorts",
    "other": "Other",
}
"""Plex inline-extra suffix -> Plex extras folder."""

JELLYFIN_EXTRA_FOLDERS: dict[str, str] = {
    "trailer": "trailers",
    "behindthescenes": "behind the scenes",
    "deleted": "deleted scenes",
    "featurette": "featurettes",
    "interview": "interviews",
    "scene": "scenes",
    "short": "shorts",
    "other": "other",
    "sample": "samples",
    "clip": "clips",
    "deletedscene": "deleted scenes",
    "extra": "extras",
}
"""Inline-extra suffix -> the Jellyfin extras folder it goes to (Fix). Jellyfin knows a few
suffixes Plex does not (``-sample``, ``-clip``, ...); they are extras all the same."""

_EXTRA_KINDS = "|".join(sorted(JELLYFIN_EXTRA_FOLDERS, key=len, reverse=True))
_INLINE_EXTRA = re.compile(rf"^(?P<name>.*\S)-(?P<kind>{_EXTRA_KINDS})$", re.IGNORECASE)

JELLYFIN_ONLY_EXTRA_FOLDERS = frozenset({"extras", "clips", "samples"})
"""Jellyfin extras folders Plex does not know; they become ``Other`` in a Plex target (Fix)."""


def split_inline_extra(stem: str) -> tuple[str, str] | None:
    """``("Making of", "behindthescenes")`` for ``Making of-behindthescenes``, else None."""
    match = _INLINE_EXTRA.match(stem)
    if match is None:
        return None
    return match.group("name"), match.group("kind").lower()


def split_part(stem: str, folder_name: str = "") -> tuple[str, str | None]:
    """``("Movie (2020)", "pt1")`` for ``Movie (2020) - pt1``; the marker is kept verbatim.
    A marker that would cut into the folder-name prefix (a title ending in ``Part1``) is none."""
    match = _PART.search(stem)
    if match is None or match.start() == 0:
        return stem, None
    if folder_name and stem.startswith(folder_name) and match.start() < len(folder_name):
        return stem, None
    return stem[: match.start()], match.group("part")


# --------------------------------------------------------------------------------------------
# sidecars
# --------------------------------------------------------------------------------------------


def _follows(name: str, old_stem: str) -> bool:
    return (
        len(name) > len(old_stem)
        and name.startswith(old_stem)
        and name[len(old_stem)] in ".-"
        and bool(old_stem)
    )


def sidecar_name(
    name: str,
    renamed_stems: dict[str, str],
    old_folder: str,
    new_folder: str,
) -> str:
    """Fix: the target name of a loose file next to renamed videos.

    A file whose name starts with a video's old stem followed by ``.`` or ``-`` follows that
    video's new stem, keeping its tail (``.en.forced.srt``, ``.nfo``, ``-poster.jpg``); the
    longest matching stem wins. One named after the old folder follows the folder's new name.
    Others keep their name.
    """
    best: str | None = None
    for old_stem in renamed_stems:
        if _follows(name, old_stem) and (best is None or len(old_stem) > len(best)):
            best = old_stem
    if best is not None:
        return renamed_stems[best] + name[len(best) :]
    if _follows(name, old_folder):
        return new_folder + name[len(old_folder) :]
    return name


# --------------------------------------------------------------------------------------------
# format detection (jellyplex-sync's heuristic)
# --------------------------------------------------------------------------------------------

_GUESS_JELLYFIN_ID = re.compile(r"\[[a-z]+id-[^\]]+\]", re.IGNORECASE)
_GUESS_PLEX_BRACE = re.compile(r"\{[a-z]+-[^\}]+\}", re.IGNORECASE)
_GUESS_YEAR = re.compile(r"\(\d{4}\)")
_GUESS_PLEX_RES = re.compile(r"\[\d{3,4}[pi]\]", re.IGNORECASE)
_GUESS_PLEX_LABEL = re.compile(r"\[[a-z0-9\.\,]+\]", re.IGNORECASE)


@dataclass(slots=True)
class FormatGuess:
    """Accumulates evidence from video stems; :meth:`result` decides."""

    decided: Format | None = None
    plex_hints: int = 0
    jellyfin_hints: int = 0

    def add(self, video_stem: str) -> None:
        if self.decided is not None:
            return
        if _GUESS_JELLYFIN_ID.search(video_stem):
            self.decided = "jellyfin"
            return
        if _GUESS_PLEX_BRACE.search(video_stem):
            self.decided = "plex"
            return
        pieces = video_stem.split(" - ")
        if len(pieces) > 1 and _GUESS_YEAR.search(pieces[-1]) is None:
            self.jellyfin_hints += 1
        if _GUESS_PLEX_RES.search(video_stem):
            self.plex_hints += 1
        if _GUESS_PLEX_LABEL.search(video_stem):
            self.plex_hints += 1

    def result(self) -> Format | None:
        if self.decided is not None:
            return self.decided
        if self.plex_hints > self.jellyfin_hints:
            return "plex"
        if self.jellyfin_hints > self.plex_hints:
            return "jellyfin"
        return None


def opposite(fmt: Format) -> Format:
    return "plex" if fmt == "jellyfin" else "jellyfin"
