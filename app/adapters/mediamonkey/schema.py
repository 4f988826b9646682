"""What Crossfade needs of a MediaMonkey database's schema, and what it found: the columns it
reads and writes, the MediaMonkey version, the private full-text tables (MM5's ``mm``
tokenizer) and the triggers a write would fire.

A missing column or a trigger Crossfade does not know on a table it writes is a
:class:`~app.domain.errors.SetupError` naming it, never a guess.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.errors import SetupError
from app.domain.mediamonkey import trigger_fires_on

SONG_COLUMNS = ("ID", "SongTitle", "Artist", "AlbumArtist", "Album", "TrackNumber",
                "DiscNumber", "SongLength", "SongPath", "IDMedia", "Rating")  # fmt: skip
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "Songs": SONG_COLUMNS,
    "Medias": ("IDMedia", "DriveLetter"),
    "Playlists": ("IDPlaylist", "PlaylistName", "ParentPlaylist", "IsAutoPlaylist"),
    "PlaylistSongs": ("IDPlaylistSong", "IDPlaylist", "IDSong", "SongOrder"),
}
# What each kind of write does to which table: (table, event, columns).
Writes = tuple[tuple[str, str, frozenset[str]], ...]
RATING_WRITES: Writes = (("Songs", "UPDATE", frozenset({"Rating"})),)
PLAYLIST_WRITES: Writes = (
    ("Playlists", "INSERT", frozenset()),
    ("Playlists", "DELETE", frozenset()),
    ("PlaylistSongs", "INSERT", frozenset()),
    ("PlaylistSongs", "DELETE", frozenset()),
)
_PRIVATE_TOKENIZER = re.compile(r"tokenize\s*=?\s*['\"]?\s*mm\b", re.IGNORECASE)


def iunicode(a: str, b: str) -> int:
    """MediaMonkey's ``IUNICODE`` collation stand-in: case-insensitive, -1/0/1 (a collation
    answering True/False would make every row match)."""
    left, right = a.casefold(), b.casefold()
    return (left > right) - (left < right)


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    table: str
    sql: str


@dataclass
class SchemaReport:
    """What a database holds: its tables (name → columns), triggers, private full-text
    tables, MediaMonkey version (4, 5, or 0 unknown), journal mode and user version."""

    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    private_fts: tuple[str, ...] = ()
    version: int = 0
    journal_mode: str = ""
    user_version: int = 0

    def missing_columns(self) -> list[str]:
        missing: list[str] = []
        for table, columns in REQUIRED_COLUMNS.items():
            found = {c.casefold() for c in self.tables.get(table, ())}
            missing += [f"{table}.{c}" for c in columns if c.casefold() not in found]
        return missing

    def fired_by(self, writes: Writes) -> list[Trigger]:
        return [
            t
            for t in self.triggers
            for table, event, columns in writes
            if t.table.casefold() == table.casefold() and trigger_fires_on(t.sql, event, columns)
        ]

    def feeds_private_fts(self, trigger: Trigger) -> bool:
        return any(
            re.search(rf"\b{re.escape(name)}\b", trigger.sql, re.IGNORECASE)
            for name in self.private_fts
        )

    def suspended_for(self, writes: Writes) -> list[Trigger]:
        """The triggers a write would fire that only feed MediaMonkey's private full-text
        index: dropped for the write and re-created in the same transaction. Any other trigger
        a write would fire is a SetupError."""
        fired = self.fired_by(writes)
        unknown = [t.name for t in fired if not self.feeds_private_fts(t)]
        if unknown:
            raise SetupError(
                "this MediaMonkey database has triggers Crossfade does not know on the tables "
                f"it would write ({', '.join(sorted(unknown))}); nothing was written. Run "
                "'crossfade mediamonkey inspect' and attach its schema dump to a report"
            )
        return fired

    def require(self) -> None:
        missing = self.missing_columns()
        if missing:
            raise SetupError(
                "this does not look like a MediaMonkey 4 or 5 database: missing "
                f"{', '.join(missing)}. Run 'crossfade mediamonkey inspect' and attach its "
                "schema dump to a report"
            )


def _detect_version(report: SchemaReport, file_name: str) -> int:
    playlists = {c.casefold() for c in report.tables.get("Playlists", ())}
    songs = {c.casefold() for c in report.tables.get("Songs", ())}
    if report.private_fts or "querydatajson" in playlists or "extendedtags" in songs:
        return 5
    if "Songs" in report.tables and ("querydata" in playlists or file_name.upper() == "MM.DB"):
        return 4
    return 5 if file_name.upper() == "MM5.DB" and "Songs" in report.tables else 0


def read_schema(con: sqlite3.Connection, db_path: Path) -> SchemaReport:
    report = SchemaReport()
    rows = con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, table, sql in rows:
        if kind == "table":
            if sql and sql.upper().startswith("CREATE VIRTUAL TABLE"):
                if _PRIVATE_TOKENIZER.search(sql):
                    report.private_fts += (name,)
                continue
            if name.startswith("sqlite_"):
                continue
            report.tables[name] = _columns(con, name)
        elif kind == "trigger":
            report.triggers.append(Trigger(name, table, sql or ""))
    shadow = tuple(f"{fts}_" for fts in report.private_fts)
    report.tables = {n: c for n, c in report.tables.items() if not n.startswith(shadow or ("\0",))}
    report.version = _detect_version(report, db_path.name)
    report.journal_mode = _journal_mode(con, db_path)
    report.user_version = int(con.execute("PRAGMA user_version").fetchone()[0])
    return report


def _journal_mode(con: sqlite3.Connection, db_path: Path) -> str:
    """The journal mode; the file header says WAL even where a read-only (immutable) open
    reports otherwise (bytes 18 and 19 are 2 in a WAL database)."""
    try:
        with db_path.open("rb") as file:
            header = file.read(20)
    except OSError:
        header = b""
    if len(header) == 20 and header[18] == 2 and header[19] == 2:
        return "wal"
    return str(con.execute("PRAGMA journal_mode").fetchone()[0])


def _columns(con: sqlite3.Connection, table: str) -> tuple[str, ...]:
    quoted = table.replace('"', '""')
    return tuple(row[1] for row in con.execute(f'PRAGMA table_info("{quoted}")'))
