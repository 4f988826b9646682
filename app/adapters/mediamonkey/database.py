"""A MediaMonkey 4/5 database (``MM.DB``/``MM5.DB``) read and written directly with SQLite.

Reading: every song in one query (``Songs`` joined to ``Medias`` for the drive letter), every
playlist in two. A read-only open (dry runs, inspect) uses ``mode=ro`` (plus ``immutable`` when
no ``-wal`` file exists, so not even a ``-shm`` file is made beside the database).

Writing (:meth:`MMDatabase.transaction`): MediaMonkey must be closed
(``app.adapters.mediamonkey.safety``); ``BEGIN IMMEDIATE`` takes the write lock (a held lock is
a SetupError at once, not a wait); a time-named online backup is made while we hold it; the
triggers that only feed MM5's private full-text index are dropped and re-created around the
writes; what was written is re-read and ``PRAGMA quick_check`` must say ``ok`` before
``COMMIT``; any error rolls everything back. The full ``PRAGMA integrity_check`` (IUNICODE
registered) runs once when the database is closed after writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.adapters.mediamonkey.safety import back_up, check_closed, wal_path
from app.adapters.mediamonkey.schema import (
    PLAYLIST_WRITES,
    RATING_WRITES,
    SchemaReport,
    Trigger,
    iunicode,
    read_schema,
)
from app.domain.errors import SetupError

LOCK_TIMEOUT_S = 0.5
_CHUNK = 500  # ids per IN (...) list

# Every song in one query, its values already in the shape MMTrack holds: the drive letter
# put back on a ":\\" path (app.domain.mediamonkey.full_path, done by SQLite: a listing of
# 100,000 songs is mostly this), "3/12" track numbers cut to 3, the length in seconds.
TRACKS_SQL = """
SELECT s.ID, coalesce(s.SongTitle, ''), coalesce(s.Artist, ''), coalesce(s.Album, ''),
       coalesce(s.AlbumArtist, ''),
       nullif(CAST(s.TrackNumber AS INTEGER), 0), nullif(CAST(s.DiscNumber AS INTEGER), 0),
       CASE WHEN s.SongLength > 0 THEN s.SongLength / 1000.0 END,
       coalesce(s.SongPath, ''),
       CASE WHEN substr(s.SongPath, 1, 1) <> ':' THEN s.SongPath
            WHEN m.DriveLetter BETWEEN 0 AND 25 THEN char(65 + m.DriveLetter) || s.SongPath
       END,
       CASE WHEN s.Rating IS NOT NULL THEN CAST(s.Rating AS INTEGER) END
FROM Songs s LEFT JOIN Medias m ON m.IDMedia = s.IDMedia
"""


class MMTrack(NamedTuple):
    """One song: ``path`` is its Windows path (drive letter put back), None when its drive
    is unknown; ``rating`` the raw ``Songs.Rating``."""

    id: int
    title: str
    artist: str
    album: str
    album_artist: str
    track_no: int | None
    disc_no: int | None
    length_s: float | None
    song_path: str
    path: str | None
    rating: int | None


@dataclass(frozen=True, slots=True)
class MMPlaylist:
    """A playlist: ``title`` is its nested name (``Parent/Child``), ``song_ids`` in order."""

    id: int
    name: str
    parent_id: int
    title: str
    auto: bool
    song_ids: tuple[int, ...]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _connect(db_path: Path, *, read_only: bool) -> sqlite3.Connection:
    if not db_path.is_file():
        raise SetupError(f"no MediaMonkey database at {db_path}")
    uri = db_path.resolve().as_uri()
    if read_only:
        uri += "?mode=ro" + ("" if wal_path(db_path).exists() else "&immutable=1")
    else:
        uri += "?mode=rw"
    try:
        con = sqlite3.connect(
            uri,
            uri=True,
            timeout=LOCK_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,  # a run scans on one thread and may write on another
        )
    except sqlite3.Error as error:
        raise SetupError(f"cannot open {db_path}: {error}") from error
    con.create_collation("IUNICODE", iunicode)
    return con


def _locked(db_path: Path, error: sqlite3.Error) -> SetupError:
    return SetupError(
        f"{db_path.name} is locked by another program ({error}): close MediaMonkey (and any "
        "tool that has the database open), then run again"
    )


class MMDatabase:
    """One open MediaMonkey database. ``read_only``: opened with ``mode=ro`` and never
    written. ``confirmed_closed``: the user says MediaMonkey is closed (needed where its
    process cannot be seen)."""

    def __init__(
        self,
        db_path: Path,
        *,
        read_only: bool,
        confirmed_closed: bool = False,
        backup_dir: Path | None = None,
    ) -> None:
        self.path = db_path
        self.read_only = read_only
        self._confirmed_closed = confirmed_closed
        self.backup_dir = backup_dir or db_path.parent / "crossfade-backups"
        self.backups_made: list[Path] = []
        self.wrote = False
        self._wrote_once = False
        self._con = _connect(db_path, read_only=read_only)
        try:
            self.schema: SchemaReport = read_schema(self._con, db_path)
        except sqlite3.Error as error:
            self._con.close()
            raise (
                _locked(db_path, error)
                if "locked" in str(error)
                else SetupError(f"cannot read {db_path}: {error}")
            ) from error

    # --- reading ------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return self._con.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise _locked(self.path, error) from error
            raise SetupError(f"cannot read {self.path}: {error}") from error

    def tracks(self) -> list[MMTrack]:
        """Every song, in one query."""
        self.schema.require()
        make = MMTrack._make
        return [make(row) for row in self.query(TRACKS_SQL)]

    def ratings(self, song_ids: Sequence[int]) -> dict[int, int | None]:
        found: dict[int, int | None] = {}
        for start in range(0, len(song_ids), _CHUNK):
            chunk = list(song_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for song_id, rating in self.query(
                f"SELECT ID, Rating FROM Songs WHERE ID IN ({marks})",  # noqa: S608 (only ? marks)
                chunk,
            ):
                found[int(song_id)] = rating if isinstance(rating, int) else None  # type: ignore[call-overload]
        return found

    def rating_counts(self) -> dict[int | None, int]:
        rows = self.query("SELECT Rating, count(*) FROM Songs GROUP BY Rating")
        return {r if isinstance(r, int) else None: int(n) for r, n in rows}  # type: ignore[call-overload]

    def playlists(self) -> list[MMPlaylist]:
        """Every playlist (auto ones too, marked), titles nested ``Parent/Child``."""
        self.schema.require()
        rows = self.query(
            "SELECT IDPlaylist, PlaylistName, ParentPlaylist, IsAutoPlaylist FROM Playlists"
        )
        members: dict[int, list[int]] = {}
        for playlist_id, song_id in self.query(
            "SELECT IDPlaylist, IDSong FROM PlaylistSongs ORDER BY IDPlaylist, SongOrder"
        ):
            members.setdefault(int(playlist_id), []).append(int(song_id))  # type: ignore[call-overload]
        by_id = {int(r[0]): (_text(r[1]), int(r[2] or 0)) for r in rows}  # type: ignore[call-overload]
        return [
            MMPlaylist(
                id=pid,
                name=name,
                parent_id=parent,
                title=self._nested_title(pid, by_id),
                auto=bool(auto),
                song_ids=tuple(members.get(pid, ())),
            )
            for (pid, (name, parent)), auto in zip(by_id.items(), (r[3] for r in rows), strict=True)
        ]

    @staticmethod
    def _nested_title(playlist_id: int, by_id: Mapping[int, tuple[str, int]]) -> str:
        names: list[str] = []
        seen: set[int] = set()
        current = playlist_id
        while current in by_id and current not in seen:
            seen.add(current)
            name, parent = by_id[current]
            names.append(name)
            current = parent
        return "/".join(reversed(names))

    def integrity(self) -> list[str]:
        """``PRAGMA integrity_check`` (IUNICODE registered); where the private full-text
        table cannot be checked without MediaMonkey's tokenizer, each plain table is."""
        try:
            return [str(r[0]) for r in self._con.execute("PRAGMA integrity_check")]
        except sqlite3.OperationalError as error:
            if "tokenizer" not in str(error) and "module" not in str(error):
                raise
        found: list[str] = []
        for table in self.schema.tables:
            quoted = table.replace('"', '""')
            found += [str(r[0]) for r in self._con.execute(f'PRAGMA integrity_check("{quoted}")')]
        return [r for r in found if r != "ok"] or ["ok"]

    # --- writing ------------------------------------------------------------------------

    def check_writable(self, *, ratings: bool = True, playlists: bool = False) -> None:
        """Everything a write needs, checked before anything is written: the schema, the
        triggers, MediaMonkey closed, the lock free. Raises a SetupError saying what to do."""
        if self.read_only:
            raise SetupError("this MediaMonkey database was opened read-only (a dry run)")
        self.schema.require()
        self._suspended(ratings=ratings, playlists=playlists)
        self._check_closed()
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _locked(self.path, error) from error
        self._con.execute("ROLLBACK")

    def _check_closed(self) -> None:
        """MediaMonkey closed (``safety.check_closed``), checked until this connection first
        wrote: from then on the ``-wal`` file beside a WAL database is our own."""
        if not self._wrote_once:
            check_closed(self.path, confirmed_closed=self._confirmed_closed)

    def _suspended(self, *, ratings: bool, playlists: bool) -> list[Trigger]:
        writes = (RATING_WRITES if ratings else ()) + (PLAYLIST_WRITES if playlists else ())
        return self.schema.suspended_for(writes)

    @contextmanager
    def transaction(
        self, *, ratings: bool = True, playlists: bool = False
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction, all or nothing (see the module's docstring)."""
        if self.read_only:
            raise SetupError("this MediaMonkey database was opened read-only (a dry run)")
        suspended = self._suspended(ratings=ratings, playlists=playlists)
        self._check_closed()
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _locked(self.path, error) from error
        try:
            if not self.backups_made:
                self.backups_made.append(back_up(self.path, self.backup_dir))
            for trigger in suspended:
                self._con.execute(f'DROP TRIGGER "{trigger.name.replace(chr(34), chr(34) * 2)}"')
            yield self._con
            for trigger in suspended:
                self._con.execute(trigger.sql)
            result = [str(r[0]) for r in self._con.execute("PRAGMA quick_check")]
            if result != ["ok"]:
                raise SetupError(f"quick_check failed after writing: {'; '.join(result[:5])}")
            self._con.execute("COMMIT")
            self.wrote = self._wrote_once = True
        except BaseException:
            self._con.execute("ROLLBACK")
            raise

    def write_ratings(self, values: Mapping[int, int]) -> dict[int, int | None]:
        """Set ``Songs.Rating`` of each song id in one transaction; returns what a re-read in
        the same transaction shows (a mismatch rolls back)."""
        with self.transaction(ratings=True) as con:
            con.executemany(
                "UPDATE Songs SET Rating = ? WHERE ID = ?",
                [(value, song_id) for song_id, value in values.items()],
            )
            reread = self.ratings(list(values))
            wrong = [i for i, v in values.items() if reread.get(i) != v]
            if wrong:
                raise SetupError(f"songs {wrong[:10]} did not keep the rating written")
        return reread

    # --- playlists ------------------------------------------------------------------------

    def _static_playlist(self, con: sqlite3.Connection, playlist_id: int) -> None:
        row = con.execute(
            "SELECT IsAutoPlaylist FROM Playlists WHERE IDPlaylist = ?", (playlist_id,)
        ).fetchone()
        if row is None:
            raise SetupError(f"MediaMonkey playlist {playlist_id} is gone")
        if row[0]:
            raise SetupError(f"MediaMonkey playlist {playlist_id} is an auto-playlist: not touched")

    @staticmethod
    def _fill(con: sqlite3.Connection, playlist_id: int, song_ids: Sequence[int]) -> None:
        con.execute("DELETE FROM PlaylistSongs WHERE IDPlaylist = ?", (playlist_id,))
        con.executemany(
            "INSERT INTO PlaylistSongs (IDPlaylist, IDSong, SongOrder) VALUES (?, ?, ?)",
            [(playlist_id, song_id, order) for order, song_id in enumerate(song_ids)],
        )
        reread = [
            int(r[0])
            for r in con.execute(
                "SELECT IDSong FROM PlaylistSongs WHERE IDPlaylist = ? ORDER BY SongOrder",
                (playlist_id,),
            )
        ]
        if reread != list(song_ids):
            raise SetupError(f"MediaMonkey playlist {playlist_id} did not keep its songs")

    def set_playlist(self, playlist_id: int, song_ids: Sequence[int]) -> None:
        """Make a static playlist hold ``song_ids`` (``SongOrder`` 0, 1, 2, ...)."""
        with self.transaction(ratings=False, playlists=True) as con:
            self._static_playlist(con, playlist_id)
            self._fill(con, playlist_id, song_ids)

    def create_playlist(self, title: str, song_ids: Sequence[int]) -> int:
        """A new static playlist titled ``title``; ``Parent/Child`` nests it under ``Parent``
        (found by name, case-insensitively, or created)."""
        names = [part.strip() for part in title.split("/") if part.strip()] or [title]
        with self.transaction(ratings=False, playlists=True) as con:
            parent = 0
            for depth, name in enumerate(names):
                rows = con.execute(
                    "SELECT IDPlaylist, PlaylistName, IsAutoPlaylist FROM Playlists"
                    " WHERE ParentPlaylist = ?",
                    (parent,),
                ).fetchall()
                found = [r for r in rows if str(r[1]).casefold() == name.casefold() and not r[2]]
                if found and depth < len(names) - 1:
                    parent = int(found[0][0])
                    continue
                cursor = con.execute(
                    "INSERT INTO Playlists (PlaylistName, ParentPlaylist, IsAutoPlaylist)"
                    " VALUES (?, ?, 0)",
                    (name, parent),
                )
                parent = int(cursor.lastrowid or 0)
            self._fill(con, parent, song_ids)
        return parent

    def delete_playlist(self, playlist_id: int) -> None:
        """Remove a static playlist (its songs only, when playlists are nested under it)."""
        with self.transaction(ratings=False, playlists=True) as con:
            self._static_playlist(con, playlist_id)
            con.execute("DELETE FROM PlaylistSongs WHERE IDPlaylist = ?", (playlist_id,))
            children = con.execute(
                "SELECT count(*) FROM Playlists WHERE ParentPlaylist = ?", (playlist_id,)
            ).fetchone()[0]
            if not children:
                con.execute("DELETE FROM Playlists WHERE IDPlaylist = ?", (playlist_id,))

    def check_integrity(self) -> None:
        """The full ``PRAGMA integrity_check`` (IUNICODE registered) once the writes are done:
        a SetupError naming the problems and the backup to restore when it is not ``ok``.
        (About 10 s for 100,000 songs: every IUNICODE index entry is compared in Python, so
        each transaction runs the cheaper ``quick_check`` and the run this once at its end.)"""
        result = self.integrity()
        if result != ["ok"]:
            backup = self.backups_made[0] if self.backups_made else None
            raise SetupError(
                f"integrity check of {self.path.name} failed after writing: "
                f"{'; '.join(result[:5])}. Close MediaMonkey and restore the backup {backup}"
            )

    def close(self) -> None:
        """Close the database; after writes, check its integrity first (see
        :meth:`check_integrity`)."""
        try:
            if self.wrote:
                self.wrote = False
                self.check_integrity()
        finally:
            self._con.close()
