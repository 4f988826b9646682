"""Applying a playlists run: update, create or delete a playlist through its side (each write
journaled ahead, ``app.services.playlists.run.journal``), report what changed, and store the pair's
refs. A dry run reports the same events and writes nothing."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.errors import CrossfadeError
from app.domain.playlists.diff import PlaylistDiff, Side, diff_entries
from app.services.playlists.run.entries import place_entries
from app.services.playlists.run.entry_keys import SideLists
from app.services.playlists.run.events import PlaylistsEvent
from app.services.playlists.run.journal import listed_state, planned_state
from app.services.playlists.run.pairing import PairWork
from app.services.playlists.run.run_state import SideCount, SyncRun
from app.services.ports import PlaylistRepositoryPort, SidePlaylist


class PlaylistWrites:
    """The writes of a run: through the sides, the journal and the pair repository."""

    def __init__(self, repository: PlaylistRepositoryPort) -> None:
        self._repository = repository

    def update(
        self,
        run: SyncRun,
        side: Side,
        playlist: SidePlaylist,
        lists: SideLists,
        compared: Sequence[str],
        item: PairWork,
    ) -> bool:
        title = item.title
        slots = place_entries(lists.keys, lists.shared, compared)
        new_keys = [slot.key for slot in slots]
        changes = diff_entries(lists.keys, new_keys)
        self._report_changes(run, side, title, changes)
        run.reporter.event(
            PlaylistsEvent.PLAYLIST_UPDATE,
            title,
            detail=f"{run.where(side)}: {len(changes.added)} added, "
            f"{len(changes.removed)} removed, {len(changes.moved)} moved",
        )
        run.summary.count(SideCount.UPDATED, side)
        if run.dry_run:
            return True
        entries = [
            playlist.entries[slot.index]
            if slot.index is not None
            else run.keys.entry_for(side, slot.key)
            for slot in slots
        ]
        target = run.sides.side(side)
        entry_id: int | None = None
        try:
            entry_id = run.journal.before(
                pair_id=item.pair.id if item.pair is not None else None,
                side=side,
                ref=playlist.ref,
                title=title,
                before=listed_state(target, playlist),
                after=planned_state(target, title, entries, ref=playlist.ref, like=playlist),
            )
            target.write(playlist, title, entries)
            run.journal.done(entry_id, target, playlist.ref)
        except CrossfadeError as error:
            run.journal.failed(entry_id)
            run.summary.errors += 1
            run.reporter.event(
                PlaylistsEvent.ERROR,
                title,
                level="error",
                detail=f"{run.where(side)}: {error.code}: {error}",
            )
            return False
        return True

    @staticmethod
    def _report_changes(run: SyncRun, side: Side, title: str, changes: PlaylistDiff[str]) -> None:
        labels = run.keys.labels
        where = run.where(side)
        for added in changes.added:
            label = labels.get(added.key, added.key)
            run.reporter.event(
                PlaylistsEvent.ENTRY_ADDED, title, after=f"{added.index + 1}. {label}", detail=where
            )
        for removed in changes.removed:
            label = labels.get(removed.key, removed.key)
            run.reporter.event(
                PlaylistsEvent.ENTRY_REMOVED,
                title,
                before=f"{removed.index + 1}. {label}",
                detail=where,
            )
        for moved in changes.moved:
            label = labels.get(moved.key, moved.key)
            run.reporter.event(
                PlaylistsEvent.ENTRY_MOVED,
                title,
                before=f"{moved.from_index + 1}. {label}",
                after=f"{moved.to_index + 1}. {label}",
                detail=where,
            )
        run.summary.entries_added += len(changes.added)
        run.summary.entries_removed += len(changes.removed)
        run.summary.entries_moved += len(changes.moved)

    def delete(self, run: SyncRun, item: PairWork, side: Side, playlist: SidePlaylist) -> None:
        """Delete the copy on ``side`` (its partner was deleted on the other side) and forget
        the pair. A failure raises (an error event of the pair)."""
        other = Side.B if side is Side.A else Side.A
        if not run.dry_run:
            assert item.pair is not None
            target = run.sides.side(side)
            entry_id = run.journal.before(
                pair_id=item.pair.id,
                side=side,
                ref=playlist.ref,
                title=item.title,
                before=listed_state(target, playlist),
                after=None,
            )
            try:
                target.delete(playlist)  # a failure is an error event of the pair
            except CrossfadeError:
                run.journal.failed(entry_id)
                raise
            run.journal.done(entry_id, target, playlist.ref)
            self._repository.delete_pairs([item.pair.id])
        run.summary.count(SideCount.DELETED, side)
        run.reporter.event(
            PlaylistsEvent.PLAYLIST_DELETE,
            item.title,
            detail=f"{run.where(side)}: deleted on {other.value.upper()} since the last run",
        )

    def create(
        self,
        run: SyncRun,
        item: PairWork,
        target: Side,
        entries: Sequence[str],
        refs: dict[Side, str],
    ) -> None:
        if not self._may_create(run, item, target, entries):
            return
        side = run.sides.side(target)
        new_ref = side.new_ref(item.title, run.taken[target])
        run.taken[target].add(new_ref)
        run.summary.count(SideCount.CREATED, target)
        shown = f" as {new_ref}" if side.holds_files else ""
        run.reporter.event(
            PlaylistsEvent.PLAYLIST_CREATE,
            item.title,
            detail=f"{run.where(target)}{shown}: {len(entries)} entries",
        )
        labels = run.keys.labels
        for index, key in enumerate(entries):
            run.reporter.event(
                PlaylistsEvent.ENTRY_ADDED,
                item.title,
                after=f"{index + 1}. {labels.get(key, key)}",
                detail=run.where(target),
            )
        run.summary.entries_added += len(entries)
        if run.dry_run:
            return
        new_entries = [run.keys.entry_for(target, key) for key in entries]
        entry_id: int | None = None
        try:
            file_ref = new_ref if side.holds_files else None
            entry_id = run.journal.before(
                pair_id=item.pair.id if item.pair is not None else None,
                side=target,
                ref=file_ref,
                title=item.title,
                before=None,
                after=planned_state(side, item.title, new_entries, ref=file_ref, like=None),
            )
            created = side.create(item.title, new_entries, new_ref)
            run.journal.done(entry_id, side, created)
        except CrossfadeError as error:
            run.journal.failed(entry_id)
            run.summary.errors += 1
            run.reporter.event(
                PlaylistsEvent.ERROR,
                item.title,
                level="error",
                detail=f"{run.where(target)}: {error.code}: {error}",
            )
            return
        refs = {**refs, target: created}
        pair_id = self.store(run, item, a_ref=refs.get(Side.A), b_ref=refs.get(Side.B))
        self._repository.update_pair(pair_id, baseline=entries)

    @staticmethod
    def _may_create(run: SyncRun, item: PairWork, target: Side, entries: Sequence[str]) -> bool:
        """False (with a skip) when this run does not write ``target`` or the copy would be
        an empty Plex playlist."""
        if target not in run.writable:
            run.summary.skipped += 1
            run.reporter.event(
                PlaylistsEvent.PLAYLIST_SKIPPED,
                item.title,
                detail=f"only {run.where(Side.A if target is Side.B else Side.B)}; "
                f"this run does not write {target.value.upper()}",
            )
            return False
        if not entries and not run.sides.side(target).holds_files:
            run.summary.skipped += 1
            run.reporter.event(
                PlaylistsEvent.PLAYLIST_SKIPPED,
                item.title,
                level="warning",
                detail=f"{run.where(target)}: no entry matches a track, and Plex cannot hold an "
                "empty playlist",
            )
            return False
        return True

    def store(self, run: SyncRun, item: PairWork, *, a_ref: str | None, b_ref: str | None) -> int:
        """The pair's row, created or brought up to date (real runs only)."""
        if item.pair is None:
            item.pair = self._repository.add_pair(
                run.link_id, a_ref=a_ref, b_ref=b_ref, title=item.title
            )
        pair = self._repository.update_pair(
            item.pair.id, a_ref=a_ref, b_ref=b_ref, title=item.title, job_id=run.job_id
        )
        item.pair = pair
        return pair.id
