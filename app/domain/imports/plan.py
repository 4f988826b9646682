"""What an imported configuration asks for, independent of the tool it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.domain.links import Direction, LinkKind, Mode


class SystemKind(StrEnum):
    """A player in the old tool's terms: each becomes one Crossfade library."""

    PLEX = "plex"
    FILESYSTEM = "filesystem"
    MEDIAMONKEY = "mediamonkey"


@dataclass(frozen=True, slots=True)
class PlexSource:
    """A Plex server: its address (None when the file names a server only by its plex.tv
    name, which needs ``--plex-url``), its token and the music sections by title."""

    base_url: str | None
    token: str
    section_titles: tuple[str, ...]
    server_name: str | None = None


@dataclass(frozen=True, slots=True)
class FolderSource:
    """A folder of music files and the rating-tag choices the old tool made for it."""

    root: str | None  # None: to be learnt from Plex's section locations or --music-dir
    playlist_dir: str | None = None
    write_profile: str | None = None
    write_mode: str | None = None
    read_policy: str | None = None
    read_priority: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """Libraries and links to create. ``source``/``destination`` name which system is A and
    which B; ``direction`` which may be written; ``mode``: the mode of the next command to
    run (the old tool's default behaviour); ``kept``/``dropped``: notes for the user on
    settings carried over or not, each a sentence."""

    tool: str
    plex: PlexSource | None
    folder: FolderSource | None
    side_a: SystemKind
    side_b: SystemKind
    link_kinds: tuple[LinkKind, ...]
    direction: Direction = Direction.BOTH
    mode: Mode = Mode.SYNC
    mediamonkey_db: str | None = None
    kept: tuple[str, ...] = field(default=())
    dropped: tuple[str, ...] = field(default=())
