"""PLS playlists (Winamp's ``[playlist]`` INI form), read and written with the M3U rules.

Pure, like :mod:`app.domain.playlists.m3u`, whose rules it shares: the same decoding (UTF-16
BOM, else UTF-8, else cp1252, else Latin-1), the same resolution of locations (relative to the
file, Windows or POSIX style, ``file://`` URLs, remote URLs kept but never matched) and the same
rendering of each location (relative unless asked otherwise, else absolute, else a
``file://`` URL, whichever reads back as the same path).

Reading: ``FileN=``, ``TitleN=`` and ``LengthN=`` (keys in any case, any order, surrounding
spaces ignored) make entry N; entries are ordered by N, a number without ``FileN`` is no entry
(a repeated key: the first one counts). ``Length`` -1 (or anything not a whole number of
seconds) is unknown. Lines outside the ``[playlist]`` section, comments (``;`` or ``#``) and
other keys (``NumberOfEntries``, ``Version``) are skipped. PLS has no title: the file name's
stem is the playlist's title.

Writing: ``[playlist]``, then per entry ``FileN``, ``TitleN`` (when known) and ``LengthN`` (-1
when unknown), then ``NumberOfEntries`` and ``Version=2``; UTF-8 without BOM, CRLF line ends
for a Windows-style target, else LF. ``backslashes`` writes relative locations with Windows
separators (a file that had them keeps them; only locations change, never titles).
"""

from __future__ import annotations

import re

from app.domain.playlists.m3u import (
    PathStyle,
    Playlist,
    PlaylistEntry,
    decode_playlist_bytes,
    location_line,
    playlist_base_dir,
    resolve_location,
    title_from_file_name,
)

PLS_EXTENSION = ".pls"

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SECTION = re.compile(r"^\[(?P<name>[^\]]*)\]$")
_ENTRY_KEY = re.compile(r"^(?P<field>file|title|length)(?P<number>\d+)$", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]+")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def is_pls_name(file_name: str) -> bool:
    return file_name.lower().endswith(PLS_EXTENSION)


def parse_pls(data: bytes, *, playlist_path: str, path_style: PathStyle) -> Playlist:
    """Parse PLS bytes read from ``playlist_path`` (absolute, in ``path_style``)."""
    base_dir = playlist_base_dir(playlist_path, path_style)
    text, encoding = decode_playlist_bytes(data, playlist_path=playlist_path)
    fields: dict[int, dict[str, tuple[str, int]]] = {}
    in_playlist = False
    for line_number, raw_line in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw_line.strip()
        if not line or line.startswith((";", "#")):
            continue
        section = _SECTION.match(line)
        if section:
            in_playlist = section["name"].strip().lower() == "playlist"
            continue
        key, separator, value = line.partition("=")
        match = _ENTRY_KEY.match(key.strip())
        if not in_playlist or not separator or match is None:
            continue
        entry = fields.setdefault(int(match["number"]), {})
        entry.setdefault(match["field"].lower(), (value.strip(), line_number))
    entries: list[PlaylistEntry] = []
    for number in sorted(fields):
        entry_fields = fields[number]
        if "file" not in entry_fields or not entry_fields["file"][0]:
            continue
        raw, line_number = entry_fields["file"]
        location, style = resolve_location(raw, base_dir=base_dir, path_style=path_style)
        title = entry_fields.get("title", ("", 0))[0] or None
        entries.append(
            PlaylistEntry(
                location=location,
                path_style=style,
                duration_s=_seconds(entry_fields.get("length", ("", 0))[0]),
                display_title=title,
                raw=raw,
                line_number=line_number,
            )
        )
    name = playlist_path.replace("\\", "/").rsplit("/", 1)[-1]
    return Playlist(title=title_from_file_name(name), entries=tuple(entries), encoding=encoding)


def _seconds(text: str) -> int | None:
    try:
        seconds = round(float(text))
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def render_pls(
    playlist: Playlist,
    *,
    playlist_path: str,
    path_style: PathStyle,
    absolute_paths: bool = False,
    backslashes: bool = False,
) -> bytes:
    """PLS bytes (UTF-8, no BOM) for ``playlist`` written at ``playlist_path``; the title is
    the file name's (PLS has none)."""
    base_dir = playlist_base_dir(playlist_path, path_style)
    lines = ["[playlist]"]
    for number, entry in enumerate(playlist.entries, start=1):
        location = location_line(
            entry, base_dir=base_dir, path_style=path_style, absolute_paths=absolute_paths
        )
        if backslashes and not location.startswith("/") and not _SCHEME.match(location):
            location = location.replace("/", "\\")
        lines.append(f"File{number}={location}")
        if entry.display_title:
            lines.append(f"Title{number}={_one_line(entry.display_title)}")
        lines.append(f"Length{number}={-1 if entry.duration_s is None else entry.duration_s}")
    lines.append(f"NumberOfEntries={len(playlist.entries)}")
    lines.append("Version=2")
    line_end = "\r\n" if path_style is PathStyle.WINDOWS else "\n"
    return (line_end.join(lines) + line_end).encode("utf-8")


def _one_line(text: str) -> str:
    """A title on one line of valid UTF-8 (lone surrogates become U+FFFD)."""
    return _SURROGATES.sub("\ufffd", _CONTROL_CHARS.sub(" ", text)).strip()
