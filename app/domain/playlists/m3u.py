"""M3U/M3U8 playlists: parse bytes into values, render values into bytes, name playlist files.

Pure: the caller reads the file and passes its bytes, the playlist file's own absolute path and
that path's style (:class:`PathStyle`); nothing here touches the file system.

Decisions where the formats are loose:

* Decoding (the extension does not matter): a UTF-16 BOM means UTF-16; otherwise UTF-8 (with or
  without BOM) is tried first, because a Latin-1 file with any non-ASCII byte is almost never
  valid UTF-8. The fallback is **cp1252**, not Latin-1: the two agree on every printable byte
  except 0x80-0x9F, where cp1252 has the characters Windows players (MusicBee, foobar2000,
  Winamp) actually wrote (``’ – …``) and Latin-1 has control characters no file name contains.
  Bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) make the whole file decode as
  Latin-1 instead. :attr:`Playlist.encoding` says which one was used. NUL bytes without a
  UTF-16 BOM mean the file is not a text playlist: :class:`CorruptFile`.
* Lines end at CR, LF or CRLF and are stripped of surrounding whitespace. Lines starting with
  ``#`` are directives or comments; ``#EXTINF`` applies to the next location line, the first
  ``#PLAYLIST`` names the playlist (else the file name's stem does).
* A backslash in a location is a separator (Windows players write ``..\\Music\\a.flac``); a
  literal backslash in a POSIX file name survives only in a ``file://`` URL.
* Resolved paths are normalised purely (``posixpath``/``ntpath``, ``..`` collapsed, no
  symlinks). In a POSIX-style playlist a drive path (``D:\\...``) or UNC path (``\\\\srv\\share``)
  stays a Windows path for the path mappings to translate; ``//x`` collapses to ``/x``. In a
  Windows-style playlist every location is read with Windows rules (``/Music`` is the root of
  the playlist's drive; ``//srv/share`` is UNC). Windows paths get backslashes and an upper-case
  drive letter; ``\\\\?\\`` prefixes are dropped.
* ``file://`` URLs are percent-decoded: POSIX ones as UTF-8 with ``surrogateescape`` (exactly
  the bytes of the name, as Python's ``os`` functions spell them), Windows ones (``file:///C:/``
  or ``file://server/share``) as text, UTF-8 then cp1252. ``?`` and ``#`` in a file URL are
  taken as part of the path, for the players that forget to escape them.
* ``scheme://...`` other than ``file`` (http, https, ftp, smb, ...) is a remote entry: kept, with
  its EXTINF, but never matched to a track.
* Rendering writes UTF-8 without BOM, LF line ends (CRLF for a Windows-style target). Every
  location line is checked by parsing it back; a line that would not read back as the same path
  (a name starting with ``#``, leading or trailing spaces, line breaks, a first folder named
  like ``C:``, a path of the other style, undecodable names) is written as a ``file://`` URL.
"""

from __future__ import annotations

import ntpath
import posixpath
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote, unquote_to_bytes

from app.domain.errors import CorruptFile, InvalidInput

PLAYLIST_EXTENSIONS = (".m3u8", ".m3u", ".pls")  # .pls: app.domain.playlists.pls
MAX_FILE_NAME_BYTES = 255  # ext4, btrfs, XFS, ZFS; NTFS allows 255 UTF-16 units, never fewer
FALLBACK_TITLE = "Playlist"


class PathStyle(StrEnum):
    POSIX = "posix"
    WINDOWS = "windows"


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    """One location of a playlist.

    ``location`` is the resolved, normalised absolute path (in ``path_style``), or the URL of a
    remote entry (``path_style`` None). ``raw`` is the location line as written in the file
    ("" for an entry built from a track) and ``line_number`` its 1-based line (0 likewise).
    """

    location: str
    path_style: PathStyle | None
    duration_s: int | None = None
    display_title: str | None = None
    raw: str = ""
    line_number: int = 0

    @classmethod
    def for_path(
        cls,
        path: str,
        path_style: PathStyle,
        *,
        duration_s: int | None = None,
        artist: str | None = None,
        title: str | None = None,
    ) -> PlaylistEntry:
        """An entry for a track file, e.g. to render; ``path`` must be absolute."""
        if not _is_absolute(path, path_style):
            raise InvalidInput(f"a playlist entry needs an absolute path, not {path!r}")
        return cls(
            location=_normalise(path, path_style),
            path_style=path_style,
            duration_s=duration_s,
            display_title=format_display_title(artist, title),
        )

    @property
    def is_remote(self) -> bool:
        return self.path_style is None

    @property
    def path(self) -> str | None:
        """The resolved path, or None for a remote entry."""
        return None if self.path_style is None else self.location

    @property
    def artist(self) -> str | None:
        return split_display_title(self.display_title)[0]

    @property
    def title(self) -> str | None:
        return split_display_title(self.display_title)[1]


@dataclass(frozen=True, slots=True)
class Playlist:
    """A playlist's title and entries in order; ``encoding`` is how its bytes were decoded."""

    title: str
    entries: tuple[PlaylistEntry, ...]
    encoding: str | None = None


def format_display_title(artist: str | None, title: str | None) -> str | None:
    """The EXTINF text: "artist - title", or whichever of the two is known."""
    parts = [part.strip() for part in (artist, title) if part and part.strip()]
    return " - ".join(parts) or None


def split_display_title(display_title: str | None) -> tuple[str | None, str | None]:
    """(artist, title) from "artist - title", split at the first " - " (titles have more)."""
    if not display_title:
        return None, None
    artist, separator, title = display_title.partition(" - ")
    if not separator:
        return None, display_title
    return artist.strip() or None, title.strip() or None


# --- parsing -------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_REMOTE_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")
_FILE_URL = re.compile(r"^file:", re.IGNORECASE)
_DRIVE_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")
_URL_DRIVE = re.compile(r"^/?[A-Za-z][:|](?:/|$)")
_EXTINF = re.compile(
    r"^#EXTINF:\s*(?P<duration>[+-]?\d+(?:\.\d*)?)?(?:\s+[^\s=,]+=\"[^\"]*\")*[^,]*,(?P<title>.*)$",
    re.IGNORECASE,
)
_EXTINF_NO_TITLE = re.compile(r"^#EXTINF:\s*(?P<duration>[+-]?\d+(?:\.\d*)?)", re.IGNORECASE)
_PLAYLIST = re.compile(r"^#PLAYLIST:(?P<title>.*)$", re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class _ExtInf:
    duration_s: int | None
    display_title: str | None


def parse_playlist(data: bytes, *, playlist_path: str, path_style: PathStyle) -> Playlist:
    """Parse M3U or M3U8 bytes read from ``playlist_path`` (absolute, in ``path_style``)."""
    if not _is_absolute(playlist_path, path_style):
        raise InvalidInput(f"the playlist's own path must be absolute, not {playlist_path!r}")
    text, encoding = decode_playlist_bytes(data, playlist_path=playlist_path)
    base_dir = _dirname(_normalise(playlist_path, path_style), path_style)
    title: str | None = None
    pending: _ExtInf | None = None
    entries: list[PlaylistEntry] = []
    for line_number, raw_line in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith("#"):
            playlist_match = _PLAYLIST.match(line)
            if playlist_match and title is None:
                title = playlist_match["title"].strip() or None
            elif line[:8].upper() == "#EXTINF:":
                pending = _parse_extinf(line)
            continue
        location, style = resolve_location(line, base_dir=base_dir, path_style=path_style)
        entries.append(
            PlaylistEntry(
                location=location,
                path_style=style,
                duration_s=pending.duration_s if pending else None,
                display_title=pending.display_title if pending else None,
                raw=line,
                line_number=line_number,
            )
        )
        pending = None
    if title is None:
        title = title_from_file_name(_basename(playlist_path, path_style))
    return Playlist(title=title, entries=tuple(entries), encoding=encoding)


def playlist_base_dir(playlist_path: str, path_style: PathStyle) -> str:
    """The folder relative entries of the playlist at ``playlist_path`` are read against."""
    if not _is_absolute(playlist_path, path_style):
        raise InvalidInput(f"the playlist's own path must be absolute, not {playlist_path!r}")
    return _dirname(_normalise(playlist_path, path_style), path_style)


def decode_playlist_bytes(data: bytes, *, playlist_path: str) -> tuple[str, str]:
    """(text, encoding name) of a playlist file's bytes; see the module docstring."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise CorruptFile(f"invalid UTF-16 text: {error.reason}", path=playlist_path) from None
    if b"\x00" in data:
        raise CorruptFile("binary data (NUL bytes), not a text playlist", path=playlist_path)
    if data.startswith(b"\xef\xbb\xbf"):
        body, bom_encoding = data[3:], "utf-8-sig"
    else:
        body, bom_encoding = data, "utf-8"
    return _decode_text(body, utf8_name=bom_encoding)


def _decode_text(data: bytes, *, utf8_name: str = "utf-8") -> tuple[str, str]:
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), utf8_name if encoding == "utf-8" else encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _parse_extinf(line: str) -> _ExtInf:
    match = _EXTINF.match(line) or _EXTINF_NO_TITLE.match(line)
    if match is None:
        return _ExtInf(duration_s=None, display_title=None)
    duration_text = match["duration"]
    duration_s = round(float(duration_text)) if duration_text else None
    if duration_s is not None and duration_s < 0:
        duration_s = None
    groups = match.groupdict()
    display_title = (groups.get("title") or "").strip() or None
    return _ExtInf(duration_s=duration_s, display_title=display_title)


def resolve_location(
    location: str, *, base_dir: str, path_style: PathStyle
) -> tuple[str, PathStyle | None]:
    """A playlist line → (normalised absolute path, its style), or (URL, None) when remote.

    ``base_dir`` is the playlist's folder, absolute, in ``path_style``.
    """
    if _FILE_URL.match(location):
        return _resolve_file_url(location)
    if _REMOTE_URL.match(location):
        return location, None
    if path_style is PathStyle.WINDOWS:
        return _normalise(ntpath.join(base_dir, location), PathStyle.WINDOWS), PathStyle.WINDOWS
    if _DRIVE_ABSOLUTE.match(location) or location.startswith("\\\\"):
        return _normalise(location, PathStyle.WINDOWS), PathStyle.WINDOWS
    joined = posixpath.join(base_dir, location.replace("\\", "/"))
    return _normalise(joined, PathStyle.POSIX), PathStyle.POSIX


def _resolve_file_url(url: str) -> tuple[str, PathStyle | None]:
    rest = url[len("file:") :]
    host = ""
    if rest.startswith("//"):
        host, slash, after_host = rest[2:].partition("/")
        rest = slash + after_host
    if host and host.lower() != "localhost":
        if not rest.strip("/"):
            return url, None  # a server without a share: keep it, as an unmatchable entry
        text, _ = _decode_text(unquote_to_bytes(rest))
        return _normalise(f"\\\\{host}{text}", PathStyle.WINDOWS), PathStyle.WINDOWS
    if _URL_DRIVE.match(rest):
        text, _ = _decode_text(unquote_to_bytes(rest.lstrip("/")))
        drive_path = f"{text[0]}:{text[2:] or '/'}"
        return _normalise(drive_path, PathStyle.WINDOWS), PathStyle.WINDOWS
    if not rest.startswith("/"):
        return url, None  # "file:" with no usable path: keep it, as an unmatchable entry
    path = unquote_to_bytes(rest).decode("utf-8", "surrogateescape")
    return _normalise(path, PathStyle.POSIX), PathStyle.POSIX


# --- paths ---------------------------------------------------------------------------------


def _dirname(path: str, path_style: PathStyle) -> str:
    return ntpath.dirname(path) if path_style is PathStyle.WINDOWS else posixpath.dirname(path)


def _basename(path: str, path_style: PathStyle) -> str:
    return ntpath.basename(path) if path_style is PathStyle.WINDOWS else posixpath.basename(path)


def _normalise(path: str, path_style: PathStyle) -> str:
    if path_style is PathStyle.POSIX:
        normalised = posixpath.normpath(path)
        return "/" + normalised.lstrip("/") if normalised.startswith("//") else normalised
    if path.startswith(("\\\\?\\UNC\\", "//?/UNC/")):
        path = "\\\\" + path[8:]
    elif path.startswith(("\\\\?\\", "//?/")):
        path = path[4:]
    normalised = ntpath.normpath(path)
    if len(normalised) >= 2 and normalised[1] == ":":
        # an upper-case drive letter; a drive-relative "C:x" is taken from the drive's root
        root = "" if normalised[2:3] == "\\" else "\\"
        normalised = normalised[0].upper() + ":" + root + normalised[2:]
    return normalised


def _is_absolute(path: str, path_style: PathStyle) -> bool:
    if path_style is PathStyle.POSIX:
        return path.startswith("/")
    drive, rest = ntpath.splitdrive(path)
    return bool(drive) and rest[:1] in ("\\", "/")


def _split_absolute(path: str, path_style: PathStyle) -> tuple[str, list[str]]:
    """(anchor, folder and file names) of a normalised absolute path."""
    if path_style is PathStyle.POSIX:
        return "/", [part for part in path.split("/") if part]
    drive, rest = ntpath.splitdrive(path)
    return drive.upper() + "\\", [part for part in rest.split("\\") if part]


def relative_location(path: str, *, base_dir: str, path_style: PathStyle) -> str | None:
    """``path`` relative to ``base_dir`` (both absolute, normalised, in ``path_style``).

    None when there is no relative form (another drive or share). Windows names compare
    case-insensitively. Pure: unlike ``os.path.relpath`` it never looks at the working directory.
    """
    path_anchor, path_parts = _split_absolute(path, path_style)
    base_anchor, base_parts = _split_absolute(base_dir, path_style)
    windows = path_style is PathStyle.WINDOWS
    if path_anchor.casefold() != base_anchor.casefold():  # POSIX anchors are always "/"
        return None
    common = 0
    for path_part, base_part in zip(path_parts, base_parts, strict=False):
        same = path_part.casefold() == base_part.casefold() if windows else path_part == base_part
        if not same:
            break
        common += 1
    relative_parts = [".."] * (len(base_parts) - common) + path_parts[common:]
    if not relative_parts or common == len(path_parts):
        return None
    return ("\\" if windows else "/").join(relative_parts)


def file_url(path: str, path_style: PathStyle) -> str:
    """A ``file://`` URL for a normalised absolute path (RFC 8089 forms)."""
    if path_style is PathStyle.POSIX:
        return "file://" + quote(path, safe="/", errors="surrogateescape")
    forward = path.replace("\\", "/")
    if forward.startswith("//"):
        return "file:" + quote(forward, safe="/", errors="surrogateescape")
    return "file:///" + quote(forward, safe="/:", errors="surrogateescape")


# --- rendering -----------------------------------------------------------------------------


def render_playlist(
    playlist: Playlist,
    *,
    playlist_path: str,
    path_style: PathStyle,
    absolute_paths: bool = False,
) -> bytes:
    """M3U8 bytes (UTF-8, no BOM) for ``playlist`` written at ``playlist_path``.

    Entries are relative to the playlist's folder unless ``absolute_paths``; ``path_style`` is
    the target's (separators, line ends). Remote entries are written as their URLs.
    """
    if not _is_absolute(playlist_path, path_style):
        raise InvalidInput(f"the playlist's own path must be absolute, not {playlist_path!r}")
    base_dir = _dirname(_normalise(playlist_path, path_style), path_style)
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(playlist.title)}"]
    for entry in playlist.entries:
        if entry.duration_s is not None or entry.display_title:
            duration = -1 if entry.duration_s is None else entry.duration_s
            lines.append(f"#EXTINF:{duration},{_one_line(entry.display_title or '')}")
        lines.append(
            location_line(
                entry, base_dir=base_dir, path_style=path_style, absolute_paths=absolute_paths
            )
        )
    line_end = "\r\n" if path_style is PathStyle.WINDOWS else "\n"
    return (line_end.join(lines) + line_end).encode("utf-8")


def location_line(
    entry: PlaylistEntry, *, base_dir: str, path_style: PathStyle, absolute_paths: bool
) -> str:
    """How ``entry`` is written in a playlist in ``base_dir``: relative (unless
    ``absolute_paths``), else absolute, else a ``file://`` URL, whichever reads back first."""
    if entry.path_style is None:
        return _one_line(entry.location)
    path = _normalise(entry.location, entry.path_style)
    candidates: list[str] = []
    if entry.path_style is path_style and not absolute_paths:
        relative = relative_location(path, base_dir=base_dir, path_style=path_style)
        if relative is not None:
            candidates.append(relative)
    candidates.append(path)
    for line in candidates:
        if _reads_back(line, path, entry.path_style, base_dir=base_dir, path_style=path_style):
            return line
    return file_url(path, entry.path_style)


def _reads_back(
    line: str, path: str, style: PathStyle, *, base_dir: str, path_style: PathStyle
) -> bool:
    if line != line.strip() or line.startswith("#") or _LINE_BREAK.search(line):
        return False
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return resolve_location(line, base_dir=base_dir, path_style=path_style) == (path, style)


def _one_line(text: str) -> str:
    """Directive text on one line of valid UTF-8: control characters become spaces, lone
    surrogates (names that were not UTF-8) become U+FFFD."""
    return _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub(" ", text)).strip()


# --- file names ----------------------------------------------------------------------------

_INVALID_NAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\ud800-\udfff]')
_EDGE_DOTS_AND_SPACES = re.compile(r"^[\s.]+|[\s.]+$")
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{device}{digit}" for device in ("COM", "LPT") for digit in "0123456789¹²³"}
)


def title_from_file_name(file_name: str) -> str:
    """The playlist title a file name stands for: its name without .m3u/.m3u8/.pls."""
    stem, extension = posixpath.splitext(file_name)
    return stem if extension.lower() in PLAYLIST_EXTENSIONS and stem else file_name


def safe_file_name(title: str, *, extension: str = ".m3u8") -> str:
    """A file name for ``title`` that is valid on Windows and POSIX.

    Invalid characters become "_", leading dots and surrounding spaces go, trailing dots go,
    reserved device names get a "_" (``CON`` → ``CON_``), the result is NFC and at most
    255 UTF-8 bytes; an empty result is "Playlist". Idempotent through
    :func:`title_from_file_name`.
    """
    return _fit_file_name(_safe_stem(title), suffix="", extension=_checked_extension(extension))


def assign_file_names(
    titles: Sequence[str], *, extension: str = ".m3u8", taken: Collection[str] = ()
) -> tuple[str, ...]:
    """Distinct safe file names for ``titles``, in order: "Mix.m3u8", "Mix (2).m3u8", ...

    Names compare case-insensitively (as on Windows and macOS), also against ``taken`` (names
    already used by other files). The same input order always gives the same names.
    """
    checked = _checked_extension(extension)
    used = {_name_key(name) for name in taken}
    names: list[str] = []
    for title in titles:
        stem = _safe_stem(title)
        number = 1
        name = _fit_file_name(stem, suffix="", extension=checked)
        while _name_key(name) in used:
            number += 1
            name = _fit_file_name(stem, suffix=f" ({number})", extension=checked)
        used.add(_name_key(name))
        names.append(name)
    return tuple(names)


def _checked_extension(extension: str) -> str:
    if extension.lower() not in PLAYLIST_EXTENSIONS:
        raise InvalidInput(f"not a playlist file extension: {extension!r}")
    return extension


def _safe_stem(title: str) -> str:
    stem = _INVALID_NAME_CHARS.sub("_", unicodedata.normalize("NFC", title))
    stem = _EDGE_DOTS_AND_SPACES.sub("", stem) or FALLBACK_TITLE
    device = stem.split(".", 1)[0].rstrip(" ")
    if device.upper() in _RESERVED_NAMES:
        stem = device + "_" + stem[len(device) :]
    return stem


def _fit_file_name(stem: str, *, suffix: str, extension: str) -> str:
    budget = MAX_FILE_NAME_BYTES - len((suffix + extension).encode("utf-8"))
    # cut on a character boundary: "ignore" drops a character split by the byte limit
    stem = stem.encode("utf-8")[:budget].decode("utf-8", "ignore")
    return f"{_EDGE_DOTS_AND_SPACES.sub('', stem)}{suffix}{extension}"


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()
