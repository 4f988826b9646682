"""Playlists sync between the two sides of a ``playlists`` link: list, pair, match, plan, apply.

One run:

1. **list** both sides: side A (a Plex library's non-smart audio playlists, or a folder of
   playlist files) and side B (a folder of playlist files), only the selected titles;
2. **pair** playlists: pairs stored by earlier runs (a Plex playlist keeps its pair when renamed,
   its id does not change), then by title (a title and a file name match when the title's safe
   file name does, ignoring case; duplicate titles get ``Title (2).m3u8``);
3. **match** entries to tracks of the other side (``app.services.playlists.sides``); each entry
   gets a key (``a:<A id>`` for an entry both sides can hold, ``b:<location>`` for a file entry
   only B can hold). Only entries both sides can hold are compared and copied; the others stay
   in place in their own playlist and are reported as ``entry_unmatched`` on every run
   (``app.services.playlists.run.entries``);
4. **plan** per pair, by the link's mode: ``mirror`` one way makes the target identical to the
   source (order included); ``mirror`` both ways is the three-way decision of
   ``app.domain.playlists.diff.decide_two_way`` against the pair's baseline: changed on one side
   since the last run → copied to the other, changed on both → the policy (``prefer_a``,
   ``prefer_b``, ``newest`` by Plex ``updatedAt`` against the file's mtime) or, with ``ask``,
   a conflict in the inbox; ``append`` adds to each writable side what it lacks, never removes;
5. **apply** (real runs only): write, create or delete through the side, then store the pair's
   refs and its new baseline; a failed write is an ``error`` event, its baseline stays. Every
   write is journaled ahead (``app.services.playlists.run.journal``): committed ``pending`` with the
   playlist as it was and as it is to be, settled after it; that is what undo restores.

This module runs the steps and plans each pair; pairing is ``app.services.playlists.run.pairing``,
the entry keys ``app.services.playlists.run.entry_keys``, the writes
``app.services.playlists.run.writes``, the rules, events and summary
``app.services.playlists.run.run_state``.

Playlist lifecycle: a playlist only on one side is created on the other when that side may be
written. One that was paired before and is now gone on one side was deleted there: with the
link option ``delete`` the other copy is deleted too, but only while it is unchanged since the
last run; otherwise it is kept, and stays kept (a *tombstone*: not re-created) until it changes
again. A one-way run re-creates what its source still has.

A dry run computes the same plan, reports it as events (``playlist_create``,
``playlist_update``, ``playlist_delete``, ``entry_added``, ``entry_removed``, ``entry_moved``,
``entry_unmatched``, ``conflict``) and writes nothing: no file, no Plex request that changes
anything, no pair, no baseline, no conflict, no file-state cache.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.links import Mode, writable_sides
from app.domain.links import Side as MergeSide
from app.domain.playlists.diff import (
    PlaylistMode,
    Side,
    TwoWayAction,
    decide_two_way,
    diff_entries,
    plan_playlist,
)
from app.domain.playlists.records import ConflictEntry
from app.services.playlists.run.entry_keys import SideLists, resolve_keys
from app.services.playlists.run.events import PlaylistsEvent
from app.services.playlists.run.journal import (
    PlaylistWriteJournal,
    held_digest,
    listed_state,
    reconcile,
)
from app.services.playlists.run.pairing import PairWork, pair_playlists, selector
from app.services.playlists.run.run_state import (
    PlaylistPolicy,
    PlaylistRules,
    PlaylistSides,
    PlaylistsSummary,
    SyncRun,
)
from app.services.playlists.run.writes import PlaylistWrites
from app.services.ports import (
    PlaylistJournalRepositoryPort,
    PlaylistRepositoryPort,
    Reporter,
    SidePlaylist,
)

Planned = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...] | None]
"""A pair's plan: the entries A and B are to hold, and the baseline they agree on (if any)."""


class PlaylistsSync:
    """Runs the sync of one playlists link; stateless between runs except for the repository."""

    def __init__(
        self,
        repository: PlaylistRepositoryPort,
        journal: PlaylistJournalRepositoryPort | None = None,
    ) -> None:
        self._repository = repository
        self._journal = journal
        self._writes = PlaylistWrites(repository)

    @property
    def repository(self) -> PlaylistRepositoryPort:
        return self._repository

    def run(
        self,
        *,
        link_id: int,
        sides: PlaylistSides,
        rules: PlaylistRules,
        mode: Mode,
        dry_run: bool,
        job_id: int | None,
        reporter: Reporter,
    ) -> PlaylistsSummary:
        writable = self._writable(sides, rules, mode)
        chosen = selector(rules.selected)
        if not dry_run and self._journal is not None:
            reconcile(
                self._journal,
                link_id=link_id,
                job_id=job_id,
                sides=(sides.a, sides.b),
                reporter=reporter,
            )
        reporter.progress(f"listing {sides.a.label}", 0, None)
        listing_a = sides.a.list(reporter, chosen)
        reporter.progress(f"listing {sides.b.label}", 0, None)
        listing_b = sides.b.list(reporter, chosen)
        work, blocked = pair_playlists(
            self._repository.pairs(link_id), listing_a, listing_b, reporter
        )
        reporter.progress("matching entries", 0, None)
        keys = resolve_keys(sides.resolver, listing_a, listing_b, reporter)
        run = SyncRun(
            link_id=link_id,
            sides=sides,
            rules=rules,
            writable=writable,
            dry_run=dry_run,
            job_id=job_id,
            reporter=reporter,
            keys=keys,
            taken={Side.A: set(listing_a.present), Side.B: set(listing_b.present)},
            journal=PlaylistWriteJournal(self._journal, None if dry_run else job_id),
        )
        run.summary.playlists_a = len(listing_a.playlists)
        run.summary.playlists_b = len(listing_b.playlists)
        run.summary.pairs = len(work)
        run.summary.skipped += blocked
        run.summary.errors += len(listing_a.unreadable) + len(listing_b.unreadable)
        for done, item in enumerate(work):
            reporter.check_cancelled()
            reporter.progress("syncing playlists", done, len(work))
            self._sync(run, item)
        reporter.progress("syncing playlists", len(work), len(work))
        if not dry_run:
            sides.resolver.commit()
        return run.summary

    @staticmethod
    def _writable(sides: PlaylistSides, rules: PlaylistRules, mode: Mode) -> frozenset[Side]:
        files_side = None
        if mode is not Mode.SYNC:
            if sides.a.holds_files or not sides.b.holds_files:
                raise InvalidInput(
                    f"mode {mode.value} needs a link between Plex and a folder; use sync"
                )
            files_side = MergeSide.B
        allowed = writable_sides(rules.direction, mode, files_side)
        if not allowed:
            raise InvalidInput(
                f"mode {mode.value} can write nothing on a link with direction "
                f"{rules.direction.value}"
            )
        return frozenset(Side(side.value) for side in allowed)

    # -- one pair -------------------------------------------------------------------------

    def _sync(self, run: SyncRun, item: PairWork) -> None:
        try:
            if item.a is not None and item.b is not None:
                self._both(run, item, item.a, item.b)
            elif item.a is not None:
                self._one(run, item, Side.A, item.a)
            elif item.b is not None:
                self._one(run, item, Side.B, item.b)
            elif item.pair is not None:
                run.reporter.event(
                    PlaylistsEvent.PLAYLIST_FORGOTTEN, item.title, detail="gone on both sides"
                )
                if not run.dry_run:
                    self._repository.delete_pairs([item.pair.id])
        except CrossfadeError as error:
            run.summary.errors += 1
            run.reporter.event(
                PlaylistsEvent.ERROR, item.title, level="error", detail=f"{error.code}: {error}"
            )

    @staticmethod
    def _unless_held(
        run: SyncRun, item: PairWork, side: Side, playlist: SidePlaylist, now: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A copy still holding exactly what an undo restored counts as the baseline."""
        pair = item.pair
        if pair is None or pair.baseline is None:
            return now
        held = pair.a_held if side is Side.A else pair.b_held
        if held is None:
            return now
        if held_digest(listed_state(run.sides.side(side), playlist)) != held:
            return now
        return tuple(pair.baseline)

    @staticmethod
    def _lists(run: SyncRun, side: Side, playlist: SidePlaylist) -> SideLists:
        keys = [run.keys.key(side, entry) for entry in playlist.entries]
        shared = [run.keys.shared(side, entry) for entry in playlist.entries]
        for entry, is_shared in zip(playlist.entries, shared, strict=True):
            if not is_shared:
                run.summary.unmatched += 1
                run.reporter.event(
                    PlaylistsEvent.ENTRY_UNMATCHED,
                    playlist.title,
                    level="warning",
                    before=entry.label,
                    after=entry.ident,
                    detail=f"{run.where(side)}: {run.keys.why_not(side, entry)}",
                )
        return SideLists(keys, shared)

    def _both(self, run: SyncRun, item: PairWork, a: SidePlaylist, b: SidePlaylist) -> None:
        a_lists, b_lists = self._lists(run, Side.A, a), self._lists(run, Side.B, b)
        planned = self._plan_both(run, item, a, b, a_lists.compared, b_lists.compared)
        if planned is None:
            return
        new_a, new_b, agreed = planned
        ok = True
        written = False
        if new_a != a_lists.compared:
            ok = self._writes.update(run, Side.A, a, a_lists, new_a, item) and ok
            written = True
        if new_b != b_lists.compared:
            ok = self._writes.update(run, Side.B, b, b_lists, new_b, item) and ok
            written = True
        if not written:
            run.summary.unchanged += 1
        if ok and not run.dry_run:
            pair_id = self._writes.store(run, item, a_ref=a.ref, b_ref=b.ref)
            if agreed is not None:
                self._repository.update_pair(pair_id, baseline=agreed)
            self._repository.close_conflicts_for([pair_id], resolution="agreed")

    def _plan_both(
        self,
        run: SyncRun,
        item: PairWork,
        a: SidePlaylist,
        b: SidePlaylist,
        a_now: tuple[str, ...],
        b_now: tuple[str, ...],
    ) -> Planned | None:
        """What each side is to hold, by the link's mode; None when the pair is settled
        without a write (held after an undo, or a conflict for the inbox)."""
        if run.rules.mode is PlaylistMode.APPEND:
            new_a = plan_playlist(a_now, b_now, PlaylistMode.APPEND).result
            new_b = plan_playlist(b_now, a_now, PlaylistMode.APPEND).result
            new_a = new_a if Side.A in run.writable else a_now
            new_b = new_b if Side.B in run.writable else b_now
            return new_a, new_b, new_a if new_a == new_b else None
        if run.writable == {Side.B}:
            return a_now, a_now, a_now
        if run.writable == {Side.A}:
            return b_now, b_now, b_now
        result = self._two_way(run, item, a, b, a_now, b_now)
        return None if result is None else (result, result, result)

    def _two_way(
        self,
        run: SyncRun,
        item: PairWork,
        a: SidePlaylist,
        b: SidePlaylist,
        a_now: tuple[str, ...],
        b_now: tuple[str, ...],
    ) -> tuple[str, ...] | None:
        """The three-way decision against the pair's baseline, the policy settling conflicts."""
        baseline = item.pair.baseline if item.pair is not None else None
        a_seen = self._unless_held(run, item, Side.A, a, a_now)
        b_seen = self._unless_held(run, item, Side.B, b, b_now)
        decision = decide_two_way(
            a_seen, b_seen, baseline, first_run_winner=run.rules.first_run_primary
        )
        action, result = decision.action, decision.result
        if action is TwoWayAction.NOTHING and (a_seen, b_seen) != (a_now, b_now):
            # an undone copy still holds what undo restored: left as it is
            run.summary.unchanged += 1
            run.reporter.event(
                PlaylistsEvent.PLAYLIST_HELD,
                item.title,
                detail="undone: left as it is until a side changes",
            )
            if not run.dry_run:
                self._writes.store(run, item, a_ref=a.ref, b_ref=b.ref)
            return None
        if action is TwoWayAction.CONFLICT:
            winner = self._winner(run.rules, a, b)
            if winner is None:
                self._conflict(run, item, a, b, a_now, b_now, baseline)
                return None
            result = a_now if winner is Side.A else b_now
            run.reporter.event(
                PlaylistsEvent.CONFLICT_SETTLED,
                item.title,
                detail=f"changed on both sides; policy {run.rules.policy} keeps "
                f"{winner.value.upper()}",
            )
        assert result is not None
        return result

    @staticmethod
    def _winner(rules: PlaylistRules, a: SidePlaylist, b: SidePlaylist) -> Side | None:
        if rules.policy == PlaylistPolicy.PREFER_A:
            return Side.A
        if rules.policy == PlaylistPolicy.PREFER_B:
            return Side.B
        a_at, b_at = a.changed_at_s, b.changed_at_s
        if (
            rules.policy == PlaylistPolicy.NEWEST
            and a_at is not None
            and b_at is not None
            and a_at != b_at
        ):
            return Side.A if a_at > b_at else Side.B
        return None

    def _conflict(
        self,
        run: SyncRun,
        item: PairWork,
        a: SidePlaylist,
        b: SidePlaylist,
        a_now: Sequence[str],
        b_now: Sequence[str],
        baseline: Sequence[str] | None,
    ) -> None:
        run.summary.conflicts += 1
        changes = diff_entries(a_now, b_now)
        run.reporter.event(
            PlaylistsEvent.CONFLICT,
            item.title,
            level="warning",
            before=f"A: {len(a_now)} entries",
            after=f"B: {len(b_now)} entries",
            detail=(
                "changed on both sides since the last run"
                if baseline is not None
                else "first run and the two differ"
            )
            + f" (B has {len(changes.added)} more, {len(changes.removed)} fewer, "
            f"{len(changes.moved)} moved)",
        )
        if run.dry_run:
            return
        pair_id = self._writes.store(run, item, a_ref=a.ref, b_ref=b.ref)
        labels = run.keys.labels
        self._repository.record_conflict(
            link_id=run.link_id,
            pair_id=pair_id,
            job_id=run.job_id,
            title=item.title,
            a_entries=[ConflictEntry(key, labels.get(key, key)) for key in a_now],
            b_entries=[ConflictEntry(key, labels.get(key, key)) for key in b_now],
            baseline=baseline,
        )

    def _one(self, run: SyncRun, item: PairWork, side: Side, playlist: SidePlaylist) -> None:
        """The playlist exists on ``side`` only."""
        other = Side.B if side is Side.A else Side.A
        now = self._lists(run, side, playlist).compared
        baseline = item.pair.baseline if item.pair is not None else None
        ref = {side: playlist.ref}
        if baseline is None or (other in run.writable and side not in run.writable):
            self._writes.create(run, item, other, now, ref)
            return
        if tuple(baseline) != now:
            # changed since the other copy went away: it is alive; give it back to the other side
            self._writes.create(run, item, other, now, ref)
            return
        if run.rules.delete and side in run.writable:
            self._writes.delete(run, item, side, playlist)
            return
        run.summary.skipped += 1
        run.reporter.event(
            PlaylistsEvent.PLAYLIST_KEPT,
            item.title,
            detail=f"{run.where(side)}: deleted on {other.value.upper()} since the last run; "
            "kept, as the link does not delete (it comes back if it changes here)",
        )
        if not run.dry_run:
            self._writes.store(run, item, a_ref=ref.get(Side.A), b_ref=ref.get(Side.B))
