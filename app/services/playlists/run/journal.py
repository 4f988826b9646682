"""The playlists sync's write-ahead journal and its undo.

A run journals every playlist it creates, rewrites or deletes *before* the write (committed,
``pending``, with the playlist as it was and as it is to be), and settles the entry after it:
``done`` with the playlist as a re-read shows it, or ``failed``. Undo restores each playlist to
what it was (a Plex playlist's items in order, or its absence; a playlist file's exact bytes, or
its absence) unless it changed since, and journals its own writes the same way: undoing an undo
job redoes the run. A ``pending`` entry left by a process that died says what the playlist held
before and was to hold after; the playlist itself says which (``app.domain.journal``).

A playlist as journaled (``PlaylistState``): ``{"title": …, "keys": [ratingKey, …]}`` for Plex,
``{"b64": …}`` for a file, None when it does not exist.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from app.adapters.playlist_files import (
    delete_playlist_file,
    read_playlist_file,
    write_playlist_file,
)
from app.domain.errors import CrossfadeError, NotFound
from app.domain.journal import (
    ReconcileAction,
    UndoAction,
    WriteState,
    plan_reconcile,
    plan_undo_write,
)
from app.domain.playlists.diff import Side
from app.domain.playlists.records import (
    NewPlaylistWrite,
    PlaylistState,
    PlaylistWriteRecord,
    half_written,
)
from app.services.playlists.run.events import PlaylistsEvent
from app.services.playlists.sides import FolderPlaylistSide, PlexPlaylistSide
from app.services.ports import (
    PlaylistJournalRepositoryPort,
    PlaylistRepositoryPort,
    PlaylistSide,
    Reporter,
    SideEntry,
    SidePlaylist,
)


@runtime_checkable
class KeyedPlaylists(Protocol):
    """A server side that reads and restores its own playlists as journaled ``{"title",
    "keys"}`` states (the Subsonic side); Plex and folders are handled here."""

    def keyed_state(self, ref: str) -> PlaylistState: ...

    def restore_keyed(self, ref: str | None, want: PlaylistState) -> str | None: ...

    def find_keyed(self, after: PlaylistState) -> str | None: ...


def planned_state(
    side: PlaylistSide,
    title: str,
    entries: Sequence[SideEntry],
    *,
    ref: str | None,
    like: SidePlaylist | None,
) -> PlaylistState:
    """What a playlist is to hold after a write (a file: the bytes the side will write)."""
    if isinstance(side, FolderPlaylistSide):
        assert ref is not None
        data = side.render(title, entries, side.path(ref), like)
        return {"b64": base64.b64encode(data).decode("ascii")}
    return {"title": title, "keys": [str(entry.ident) for entry in entries]}


def held_digest(state: PlaylistState) -> str | None:
    """A short, stable fingerprint of a playlist state (what a pair's ``a_held``/``b_held``
    keep after an undo); None for an absent playlist."""
    if state is None:
        return None
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def listed_state(side: PlaylistSide, playlist: SidePlaylist) -> PlaylistState:
    """A playlist as the run listed it."""
    if isinstance(side, PlexPlaylistSide | KeyedPlaylists):
        return {"title": playlist.title, "keys": [str(e.ident) for e in playlist.entries]}
    if playlist.snapshot is None:
        return None
    return {"b64": base64.b64encode(playlist.snapshot.data).decode("ascii")}


def current_state(side: PlaylistSide, ref: str | None) -> PlaylistState:
    """The playlist ``ref`` as it is now (None: it does not exist)."""
    if ref is None:
        return None
    if isinstance(side, KeyedPlaylists):
        return side.keyed_state(ref)
    if isinstance(side, PlexPlaylistSide):
        for playlist in side.client.list_audio_playlists():
            if str(playlist.playlist_id) == ref:
                items = side.client.playlist_items(playlist.playlist_id)
                return {"title": playlist.title, "keys": [str(i.track.rating_key) for i in items]}
        return None
    if isinstance(side, FolderPlaylistSide):
        try:
            data = read_playlist_file(side.path(ref)).data
        except CrossfadeError:
            try:
                open(side.path(ref), "rb").close()
            except FileNotFoundError:
                return None
            raise
        return {"b64": base64.b64encode(data).decode("ascii")}
    raise NotFound(f"side {side.label} keeps no playlists this journal knows")


def _find_created(side: PlaylistSide, after: PlaylistState) -> str | None:
    """The id of a Plex playlist a dead job created before it could journal its id: the one
    titled and holding exactly what it was to hold."""
    if isinstance(side, KeyedPlaylists) and after is not None:
        return side.find_keyed(after)
    if not isinstance(side, PlexPlaylistSide) or after is None:
        return None
    for playlist in side.client.list_audio_playlists():
        if playlist.title == after.get("title"):
            items = side.client.playlist_items(playlist.playlist_id)
            if [str(i.track.rating_key) for i in items] == after.get("keys"):
                return str(playlist.playlist_id)
    return None


def _restore(side: PlaylistSide, ref: str | None, want: PlaylistState) -> str | None:
    """Make playlist ``ref`` hold ``want`` (None: delete it); returns its ref after."""
    if isinstance(side, KeyedPlaylists):
        return side.restore_keyed(ref, want)
    if isinstance(side, PlexPlaylistSide):
        keys = [int(key) for key in (want or {}).get("keys", [])]
        if want is None:
            if ref is not None:
                side.client.delete_playlist(int(ref))
            return ref
        if ref is not None and current_state(side, ref) is not None:
            side.client.replace_playlist_items(int(ref), keys)
            return ref
        created = side.client.create_playlist(str(want["title"]), side.section_ids[0], keys)
        return str(created.playlist_id)
    if isinstance(side, FolderPlaylistSide):
        assert ref is not None
        path = side.path(ref)
        try:
            snapshot = read_playlist_file(path)
        except CrossfadeError:
            snapshot = None
        if want is None:
            if snapshot is not None:
                delete_playlist_file(path, expected=snapshot)
            return ref
        write_playlist_file(path, base64.b64decode(str(want["b64"])), replacing=snapshot)
        return ref
    raise NotFound(f"side {side.label} keeps no playlists this journal knows")


def reconcile(
    journal: PlaylistJournalRepositoryPort,
    *,
    link_id: int,
    job_id: int | None,
    sides: tuple[PlaylistSide, PlaylistSide],
    reporter: Reporter,
) -> int:
    """Settle the pending writes a dead job of the link left, from what each playlist holds
    now (the run's own merge copes with their effects: both sides equal is agreement)."""
    settled = 0
    for entry in journal.unsettled(link_id, except_job_id=job_id):
        reporter.check_cancelled()
        side = sides[0] if entry.side == Side.A.value else sides[1]
        try:
            ref = entry.ref if entry.ref is not None else _find_created(side, entry.after)
            current = current_state(side, ref)
        except CrossfadeError as error:
            journal.settle(entry.id, state=WriteState.FAILED.value, after=entry.after)
            reporter.event(
                PlaylistsEvent.RECONCILED,
                entry.title,
                level="warning",
                detail=f"job {entry.job_id} died while writing it; unreadable now "
                f"({error.code}: {error}): settled as failed",
            )
            settled += 1
            continue
        decision = plan_reconcile(before=entry.before, after=entry.after, current=current)
        if decision.action is ReconcileAction.CHANGED_SINCE and half_written(
            entry.before, entry.after, current
        ):
            _put_back(journal, job_id, entry, side, ref, current)
            reporter.event(
                PlaylistsEvent.RECONCILED,
                entry.title,
                detail=f"job {entry.job_id} died halfway through writing it: put back as it "
                "was, and planned again by this run",
            )
            settled += 1
            continue
        applied = decision.action is ReconcileAction.APPLIED
        journal.settle(
            entry.id,
            state=decision.state.value,
            after=current if applied else entry.after,
            ref=ref,
        )
        reporter.event(
            PlaylistsEvent.RECONCILED,
            entry.title,
            level="warning" if decision.action is ReconcileAction.CHANGED_SINCE else "info",
            detail=f"job {entry.job_id} died while writing it: {decision.reason}",
        )
        settled += 1
    return settled


def _put_back(
    journal: PlaylistJournalRepositoryPort,
    job_id: int | None,
    entry: PlaylistWriteRecord,
    side: PlaylistSide,
    ref: str | None,
    current: PlaylistState,
) -> None:
    """Restore what a dead job's half-done write found (journaled ahead under this run), so
    the half-done state never reaches the merge as if a person had made it."""
    own_journal = PlaylistWriteJournal(journal, job_id)
    own = own_journal.before(
        pair_id=entry.pair_id,
        side=Side(entry.side),
        ref=ref,
        title=entry.title,
        before=current,
        after=entry.before,
    )
    try:
        new_ref = _restore(side, ref, entry.before)
    except CrossfadeError:
        own_journal.failed(own)
        raise
    own_journal.done(own, side, new_ref if entry.before is not None else ref)
    journal.settle(entry.id, state=WriteState.NOT_APPLIED.value, after=entry.after, ref=ref)


class PlaylistWriteJournal:
    """Write-ahead journaling of one run's playlist writes (no job: nothing journaled)."""

    def __init__(self, journal: PlaylistJournalRepositoryPort | None, job_id: int | None) -> None:
        self._journal = journal if job_id is not None else None
        self._job_id = job_id

    def before(
        self,
        *,
        pair_id: int | None,
        side: Side,
        ref: str | None,
        title: str,
        before: PlaylistState,
        after: PlaylistState,
    ) -> int | None:
        if self._journal is None or self._job_id is None:
            return None
        return self._journal.add(
            self._job_id,
            NewPlaylistWrite(
                pair_id=pair_id,
                side=side.value,
                ref=ref,
                title=title,
                before=before,
                after=after,
            ),
        )

    def done(self, entry_id: int | None, side: PlaylistSide, ref: str | None) -> None:
        if self._journal is None or entry_id is None:
            return
        try:
            after = current_state(side, ref)
        except CrossfadeError:
            self._journal.settle(entry_id, state=WriteState.FAILED.value, after=None, ref=ref)
            return
        self._journal.settle(entry_id, state=WriteState.DONE.value, after=after, ref=ref)

    def failed(self, entry_id: int | None) -> None:
        if self._journal is None or entry_id is None:
            return
        record = next(
            (e for e in self._journal.entries(self._job_id or 0) if e.id == entry_id), None
        )
        after = record.after if record is not None else None
        self._journal.settle(entry_id, state=WriteState.FAILED.value, after=after)


@dataclass
class PlaylistUndoSummary:
    restored_a: int = 0
    restored_b: int = 0
    skipped: int = 0
    errors: int = 0

    def as_counters(self) -> dict[str, int]:
        return {
            "restored_a": self.restored_a,
            "restored_b": self.restored_b,
            "skipped": self.skipped,
            "errors": self.errors,
        }


def _describe(state: PlaylistState) -> str:
    if state is None:
        return "absent"
    if "keys" in state:
        return f"{len(state['keys'])} entries"
    return f"{len(base64.b64decode(str(state['b64'])))} bytes"


class PlaylistUndo:
    """Undo of a playlists sync job (or of such an undo: a redo)."""

    def __init__(
        self, journal: PlaylistJournalRepositoryPort, pairs: PlaylistRepositoryPort
    ) -> None:
        self._journal = journal
        self._pairs = pairs

    def undo(
        self,
        *,
        undo_job_id: int,
        sides: tuple[PlaylistSide, PlaylistSide],
        job_id: int,
        reporter: Reporter,
    ) -> PlaylistUndoSummary:
        summary = PlaylistUndoSummary()
        entries = [e for e in self._journal.entries(undo_job_id) if e.undone_by_job_id is None]
        if not entries:
            reporter.event(
                PlaylistsEvent.NOTHING_TO_UNDO, f"job {undo_job_id}", detail="no journaled writes"
            )
        undone: list[int] = []
        for done, entry in enumerate(entries):
            reporter.check_cancelled()
            reporter.progress("undoing", done, len(entries))
            which = Side(entry.side)
            side = sides[0] if which is Side.A else sides[1]
            try:
                if self._undo_one(entry, which, side, job_id, reporter, summary):
                    undone.append(entry.id)
            except CrossfadeError as error:
                summary.errors += 1
                reporter.event(
                    PlaylistsEvent.ERROR,
                    entry.title,
                    level="error",
                    detail=f"{error.code}: {error}",
                )
        self._journal.mark_undone(undone, by_job_id=job_id)
        reporter.progress("undoing", len(entries), len(entries))
        return summary

    def _undo_one(
        self,
        entry: PlaylistWriteRecord,
        which: Side,
        side: PlaylistSide,
        job_id: int,
        reporter: Reporter,
        summary: PlaylistUndoSummary,
    ) -> bool:
        ref = entry.ref
        if ref is None:  # a Plex playlist created by a job that died before noting its id
            ref = _find_created(side, entry.after)
        current = current_state(side, ref)
        decision = plan_undo_write(
            state=WriteState(entry.state),
            before=entry.before,
            after=entry.after,
            current=current,
            describe=_describe,
            partial=half_written,
        )
        where = f"on {which.value.upper()} ({side.label})"
        if decision.action is UndoAction.CHANGED_SINCE:
            summary.skipped += 1
            reporter.event(
                PlaylistsEvent.CHANGED_SINCE,
                entry.title,
                level="warning",
                detail=f"{where}: {decision.reason}",
            )
            return False
        if decision.action not in (UndoAction.RESTORE, UndoAction.RESTORE_PARTIAL):
            if decision.action is UndoAction.NOT_APPLIED:
                summary.skipped += 1
                reporter.event(
                    PlaylistsEvent.NOT_APPLIED, entry.title, detail=f"{where}: {decision.reason}"
                )
            return True
        redo = PlaylistWriteJournal(self._journal, job_id)
        own = redo.before(
            pair_id=entry.pair_id,
            side=which,
            ref=ref,
            title=entry.title,
            before=current,
            after=entry.before,
        )
        try:
            new_ref = _restore(side, ref, entry.before)
        except CrossfadeError:
            redo.failed(own)
            raise
        redo.done(own, side, new_ref if entry.before is not None else ref)
        if entry.pair_id is not None and entry.before is not None and new_ref is not None:
            self._hold(entry.pair_id, which, new_ref, current_state(side, new_ref))
        if which is Side.A:
            summary.restored_a += 1
        else:
            summary.restored_b += 1
        reporter.event(
            PlaylistsEvent.PLAYLIST_RESTORE,
            entry.title,
            before=_describe(current),
            after=_describe(entry.before),
            detail=f"{where}: {decision.reason}",
        )
        return True

    def _hold(self, pair_id: int, which: Side, ref: str, restored: PlaylistState) -> None:
        """The pair follows its restored copy (a re-created Plex playlist has a new id), which
        counts as unchanged while it holds what undo restored: the undo sticks until a side
        changes again."""
        held = held_digest(restored)
        try:
            if which is Side.A:
                self._pairs.update_pair(pair_id, a_ref=ref, a_held=held)
            else:
                self._pairs.update_pair(pair_id, b_ref=ref, b_held=held)
        except NotFound:
            pass  # the run deleted the pair with the playlist; the next run pairs by title
