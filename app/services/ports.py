"""The ports the services depend on: what a job reports to, the rating side and playlist side
protocols (with the values they exchange), and the repositories the services use.

Services type against these, never against the concrete adapters; the composition root
(``app.bootstrap``) hands them the concrete objects. The sides themselves live with their
feature (``app.services.ratings.plex_side`` and ``folder_side``,
``app.services.playlists.sides``).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.domain.errors import CrossfadeError
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.match_keys import TrackInfo
from app.domain.playlists.file_snapshot import PlaylistFileSnapshot
from app.domain.playlists.m3u import PlaylistEntry
from app.domain.playlists.records import (
    ConflictEntry,
    NewPlaylistWrite,
    PlaylistConflictRecord,
    PlaylistPairRecord,
    PlaylistState,
    PlaylistWriteRecord,
)
from app.domain.ratings.records import (
    ConflictRecord,
    FileStateRecord,
    JournalRecord,
    NewConflict,
    NewJournalEntry,
    NewTrackLink,
    SettledWrite,
    TrackLinkRecord,
)
from app.domain.ratings.value import Rating

# --- Jobs ------------------------------------------------------------------------------------


class Reporter(Protocol):
    """What a side reports to while it works (``app.services.jobs.context.JobContext`` is one)."""

    def progress(self, phase: str, done: int, total: int | None = None) -> None: ...

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None: ...

    def counter(self, name: str, n: int = 1) -> None: ...

    def check_cancelled(self) -> None: ...


# --- Rating sides -----------------------------------------------------------------------------


class SideItem:
    """One track on one side: its key, match metadata, rating, and why we believe that rating.

    ``evidence`` names where the rating came from ("POPM MusicBee 196", "Plex 3½★").
    ``disagreement``: the file's rating tags disagree (the read policy chose one);
    ``undecided``: they disagree and the read policy is ``ask``; then ``choices`` holds the
    half-star values the tags hold (what a person picks from in the conflict inbox).
    ``track`` may be given as a function that builds it: it is built on first use only (a
    no-change run matches every pair by its stored keys and never looks at most tracks).
    """

    __slots__ = ("_make_track", "_track", "choices", "disagreement", "evidence", "key",
                 "rated_at_s", "rating", "undecided")  # fmt: skip

    def __init__(
        self,
        key: str,
        track: TrackInfo | Callable[[], TrackInfo],
        rating: Rating | None,
        rated_at_s: float | None,
        evidence: str,
        undecided: bool = False,
        disagreement: bool = False,
        choices: tuple[int, ...] = (),
    ) -> None:
        self.key = key
        self.choices = choices
        self._track = track if isinstance(track, TrackInfo) else None
        self._make_track = None if isinstance(track, TrackInfo) else track
        self.rating = rating
        self.rated_at_s = rated_at_s
        self.evidence = evidence
        self.undecided = undecided
        self.disagreement = disagreement

    @property
    def track(self) -> TrackInfo:
        track = self._track
        if track is None:
            assert self._make_track is not None
            track = self._track = self._make_track()
            self._make_track = None
        return track

    def _fields(self) -> tuple[object, ...]:
        return (self.key, self.track, self.rating, self.rated_at_s, self.evidence,
                self.undecided, self.disagreement)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SideItem):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return f"SideItem(key={self.key!r}, rating={self.rating!r}, evidence={self.evidence!r})"


@dataclass(frozen=True, slots=True)
class RatingWrite:
    """One rating to set on one item (``rating`` None clears it); ``rated_at_s`` is when it
    was set on the other side, for a side that keeps that time (Plex)."""

    key: str
    rating: Rating | None
    rated_at_s: float | None = None


Written = Rating | None | CrossfadeError


def never_stop() -> bool:
    """The default ``should_stop`` of a side's ``write_many``: never."""
    return False


class RatingSide(Protocol):
    label: str
    holds_files: bool
    scans_in_child: bool  # its scan leaves this process's GIL free (parsed in a child)

    def load_state(self) -> None:
        """Read what the scan needs from our own database (a folder's file states). Called
        before a helper thread that parses in this process starts (rows come one at a time,
        each a wait for the GIL it holds for up to 5 ms: 10× slower than alone), or while a
        child process parses; :meth:`scan` loads it itself when nobody did."""
        ...

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        """Every item of the side; per-item problems are events, never exceptions."""
        ...

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        """Set ``key``'s rating and return what a re-read shows; raises our errors."""
        ...

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        """:meth:`write` of each, in order, yielding what a re-read shows or the error.

        ``should_stop`` is asked as the writes go out; once it says yes, the outcomes of the
        writes already sent are yielded and nothing more is written (fewer outcomes than
        writes)."""
        ...

    def read(self, key: str) -> Rating | None:
        """The item's current rating, read now (for undo and conflict resolution)."""
        ...

    def commit(self) -> None:
        """Persist what the scan learnt (file states); real runs only."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


# --- Playlist sides ---------------------------------------------------------------------------

Selector = Callable[[Sequence[str]], bool]


@dataclass(frozen=True, slots=True)
class SideEntry:
    """One entry of a playlist on one side.

    ``ident`` is what the entry points at on its side: a Plex ``ratingKey`` or a file entry's
    location. ``entry`` is the parsed line (folder sides; reused when the file is rewritten),
    ``track`` what matching knows (Plex sides: the mapped path and the tags).
    """

    ident: str
    label: str
    entry: PlaylistEntry | None = None
    track: TrackInfo | None = None


@dataclass(frozen=True, slots=True)
class SidePlaylist:
    """A playlist as listed: ``ref`` (Plex playlist id, or file name), title, entries.

    ``names`` are the titles it answers to (its title, and a file's name without extension);
    ``changed_at_s`` when it last changed (Plex ``updatedAt``, a file's mtime).
    """

    ref: str
    title: str
    entries: tuple[SideEntry, ...]
    changed_at_s: float | None
    names: tuple[str, ...] = ()
    snapshot: PlaylistFileSnapshot | None = None
    encoding: str | None = None


@dataclass
class SideListing:
    """``playlists``: the selected, readable ones. ``present``: every ref that exists (also
    unselected and unreadable ones, which a run must leave alone, never take for deleted).
    ``unreadable`` maps the refs that could not be read to the name they go by (a Plex title, a
    file's name without extension): no playlist of that name is created on the other side."""

    playlists: list[SidePlaylist] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    unreadable: dict[str, str] = field(default_factory=dict)


class PlaylistSide(Protocol):
    label: str
    holds_files: bool

    def list(self, reporter: Reporter, selected: Selector) -> SideListing:
        """The side's playlists; a playlist that cannot be read is an event, not an error."""
        ...

    def write(self, playlist: SidePlaylist, title: str, entries: Sequence[SideEntry]) -> None:
        """Make ``playlist`` hold ``entries`` in order, keeping its identity."""
        ...

    def new_ref(self, title: str, taken: set[str]) -> str:
        """The ref a new playlist titled ``title`` will get (files: a free, safe name)."""
        ...

    def create(self, title: str, entries: Sequence[SideEntry], ref: str) -> str:
        """Create a playlist (at ``ref`` where the side chooses names); returns its ref."""
        ...

    def delete(self, playlist: SidePlaylist) -> None: ...

    def close(self) -> None: ...


# --- Repositories ----------------------------------------------------------------------------


class LibraryRepositoryPort(Protocol):
    """The libraries and links a catalog keeps (``app.adapters.db.library_repo``'s
    ``LibraryRepository`` is the one in use); a library's secret is stored sealed."""

    def libraries(self, *, kind: str | None = None) -> list[LibraryRecord]: ...

    def library(self, library_id: int) -> LibraryRecord: ...

    def secret(self, library_id: int) -> str | None: ...

    def add_library(
        self,
        *,
        kind: str,
        name: str,
        config: dict[str, Any],
        secret: str | None,
        path_mappings: Sequence[tuple[str, str]] = (),
    ) -> LibraryRecord: ...

    def update_library(
        self,
        library_id: int,
        *,
        name: str | None = None,
        config: dict[str, Any] | None = None,
        secret: str | None = None,
        path_mappings: Sequence[tuple[str, str]] | None = None,
    ) -> LibraryRecord: ...

    def delete_library(self, library_id: int) -> None: ...

    def links(self, *, kind: str | None = None) -> list[LinkRecord]: ...

    def link(self, link_id: int) -> LinkRecord: ...

    def add_link(
        self,
        *,
        kind: str,
        library_a_id: int,
        library_b_id: int,
        direction: str,
        policy: str,
        options: dict[str, Any],
        schedule: str | None = None,
        enabled: bool = True,
    ) -> LinkRecord: ...

    def update_link(self, link_id: int, **changes: Any) -> LinkRecord: ...

    def delete_link(self, link_id: int) -> None: ...


class FileStateRepositoryPort(Protocol):
    """A music folder's file-state cache (size, mtime, rating tags, match metadata per file),
    so that a file that did not change is not opened again (``SyncRepository`` is the one in
    use)."""

    def file_states(self, library_id: int) -> dict[str, FileStateRecord]: ...

    def save_file_states(
        self,
        library_id: int,
        states: Sequence[FileStateRecord],
        *,
        gone: Sequence[str] = (),
        stored: Container[str] | None = None,
    ) -> None: ...


# --- Ratings and playlists repositories ------------------------------------------------------


class RatingsRepositoryPort(Protocol):
    """The ratings sync tables as the ratings services use them: track links with baselines,
    conflicts and the write journal (``app.adapters.db.sync_repo``'s ``SyncRepository``)."""

    def add_journal(self, job_id: int, entries: Sequence[NewJournalEntry]) -> None: ...

    def add_track_links(self, link_id: int, links: Sequence[NewTrackLink]) -> list[int]: ...

    def close_conflicts_for(self, track_link_ids: Sequence[int], *, resolution: str) -> None: ...

    def conflict(self, conflict_id: int) -> ConflictRecord: ...

    def conflicts(
        self,
        *,
        status: str | None = "open",
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[ConflictRecord], int]: ...

    def delete_track_links(self, ids: Sequence[int]) -> None: ...

    def finish_conflict(
        self, conflict_id: int, *, status: str, resolution: str, value: int | None
    ) -> ConflictRecord: ...

    def journal(self, job_id: int) -> list[JournalRecord]: ...

    def mark_undone(self, journal_ids: Sequence[int], *, by_job_id: int) -> None: ...

    def record_conflicts(
        self, *, link_id: int, job_id: int | None, conflicts: Sequence[NewConflict]
    ) -> None: ...

    def rekey(self, track_link_id: int, *, a_key: str, b_key: str) -> None: ...

    def set_baselines(
        self,
        baselines: Sequence[tuple[int, int | None]],
        *,
        at: datetime,
        held: Mapping[int, tuple[int | None, int | None]] | None = None,
    ) -> None: ...

    def set_status(self, track_link_id: int, status: str) -> TrackLinkRecord: ...

    def settle_entries(
        self, settled: Sequence[tuple[JournalRecord, SettledWrite]], *, at: datetime
    ) -> None: ...

    def settle_journal(
        self, job_id: int, settled: Sequence[SettledWrite], *, at: datetime
    ) -> None: ...

    def track_link(self, track_link_id: int) -> TrackLinkRecord: ...

    def track_links(self, link_id: int, *, status: str | None = None) -> list[TrackLinkRecord]: ...

    def track_links_page(
        self,
        *,
        status: str | None = None,
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[TrackLinkRecord], int]: ...

    def unsettled_journal(
        self, link_id: int, *, except_job_id: int | None
    ) -> list[JournalRecord]: ...


class PlaylistRepositoryPort(Protocol):
    """Playlist pairs and playlist conflicts (``app.adapters.db.playlist_repo``'s
    ``PlaylistRepository``); an argument ``update_pair`` is not given leaves its column as is."""

    def add_pair(
        self, link_id: int, *, a_ref: str | None, b_ref: str | None, title: str
    ) -> PlaylistPairRecord: ...

    def close_conflicts_for(self, pair_ids: Sequence[int], *, resolution: str) -> None: ...

    def conflict(self, conflict_id: int) -> PlaylistConflictRecord: ...

    def conflicts(
        self,
        *,
        status: str | None = "open",
        link_id: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[PlaylistConflictRecord], int]: ...

    def delete_pairs(self, pair_ids: Sequence[int]) -> None: ...

    def finish_conflict(
        self, conflict_id: int, *, status: str, resolution: str
    ) -> PlaylistConflictRecord: ...

    def pair(self, pair_id: int) -> PlaylistPairRecord: ...

    def pairs(self, link_id: int) -> list[PlaylistPairRecord]: ...

    def record_conflict(
        self,
        *,
        link_id: int,
        pair_id: int,
        job_id: int | None,
        title: str,
        a_entries: Sequence[ConflictEntry],
        b_entries: Sequence[ConflictEntry],
        baseline: Sequence[str] | None,
    ) -> int: ...

    def update_pair(
        self,
        pair_id: int,
        *,
        a_ref: str | None = ...,
        b_ref: str | None = ...,
        title: str = ...,
        baseline: Sequence[str] | None = ...,
        job_id: int | None = ...,
        a_held: str | None = ...,
        b_held: str | None = ...,
    ) -> PlaylistPairRecord: ...


class PlaylistJournalRepositoryPort(Protocol):
    """The playlist write journal (``app.adapters.db.playlist_journal_repo``'s
    ``PlaylistJournalRepository``)."""

    def add(self, job_id: int, write: NewPlaylistWrite) -> int: ...

    def entries(self, job_id: int) -> list[PlaylistWriteRecord]: ...

    def mark_undone(self, entry_ids: Sequence[int], *, by_job_id: int) -> None: ...

    def settle(
        self, entry_id: int, *, state: str, after: PlaylistState, ref: str | None = None
    ) -> None: ...

    def unsettled(
        self, link_id: int, *, except_job_id: int | None
    ) -> list[PlaylistWriteRecord]: ...
