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
   (``app.services.playlists.entries``);
4. **plan** per pair, by the link's mode: ``mirror`` one way makes the target identical to the
   source (order included); ``mirror`` both ways is the three-way decision of
   ``app.domain.playlists.diff.decide_two_way`` against the pair's baseline: changed on one side
   since the last run → copied to the other, changed on both → the policy (``prefer_a``,
   ``prefer_b``, ``newest`` by Plex ``updatedAt`` against the file's mtime) or, with ``ask``,
   a conflict in the inbox; ``append`` adds to each writable side what it lacks, never removes;
5. **apply** (real runs only): write, create or delete through the side, then store the pair's
   refs and its new baseline; a failed write is an ``error`` event, its baseline stays. Every
   write is journaled ahead (``app.services.playlists.journal``): committed ``pending`` with the
   playlist as it was and as it is to be, settled after it; that is what undo restores.

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

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.adapters.db.playlist_journal_repo import PlaylistJournalRepository
from app.adapters.db.playlist_repo import PlaylistRepository
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.playlists.diff import (
    PlaylistDiff,
    PlaylistMode,
    Side,
    TwoWayAction,
    decide_two_way,
    diff_entries,
    plan_playlist,
)
from app.domain.playlists.m3u import safe_file_name, title_from_file_name
from app.domain.playlists.records import ConflictEntry, PlaylistPairRecord
from app.domain.ratings.merge import Direction, Mode, writable_sides
from app.domain.ratings.merge import Side as MergeSide
from app.services.playlists.entries import place_entries
from app.services.playlists.journal import (
    PlaylistWriteJournal,
    held_digest,
    listed_state,
    planned_state,
    reconcile,
)
from app.services.playlists.matching import EntryResolver
from app.services.ports import (
    PlaylistSide,
    Reporter,
    SideEntry,
    SideListing,
    SidePlaylist,
)

POLICIES = ("prefer_a", "prefer_b", "newest", "ask")


@dataclass(frozen=True, slots=True)
class PlaylistRules:
    """A playlists link's settings, as the sync needs them."""

    direction: Direction = Direction.BOTH
    policy: str = "ask"
    first_run_primary: Side | None = None
    mode: PlaylistMode = PlaylistMode.MIRROR
    selected: tuple[str, ...] | None = None
    delete: bool = False

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise InvalidInput(f"playlists links take policy {', '.join(POLICIES)}")


@dataclass
class PlaylistSides:
    a: PlaylistSide
    b: PlaylistSide
    resolver: EntryResolver

    def side(self, which: Side) -> PlaylistSide:
        return self.a if which is Side.A else self.b

    def close(self) -> None:
        self.resolver.close()
        self.a.close()
        self.b.close()

    def __enter__(self) -> PlaylistSides:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class PlaylistsSummary:
    """The closing summary of a run (also stored as the job's counters)."""

    playlists_a: int = 0
    playlists_b: int = 0
    pairs: int = 0
    created_a: int = 0
    created_b: int = 0
    updated_a: int = 0
    updated_b: int = 0
    deleted_a: int = 0
    deleted_b: int = 0
    unchanged: int = 0
    conflicts: int = 0
    entries_added: int = 0
    entries_removed: int = 0
    entries_moved: int = 0
    unmatched: int = 0
    skipped: int = 0
    errors: int = 0

    def as_counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in self.__dataclass_fields__}

    def count(self, what: str, side: Side) -> None:
        name = f"{what}_{side.value}"
        setattr(self, name, getattr(self, name) + 1)


def title_key(title: str) -> str:
    """Titles and file names that stand for the same playlist share this key."""
    stem = title_from_file_name(safe_file_name(title))
    return unicodedata.normalize("NFC", stem).casefold()


def selector(titles: Sequence[str] | None) -> Callable[[Sequence[str]], bool]:
    """Whether a playlist answering to some names is selected (None: all are)."""
    if titles is None:
        return lambda names: True
    wanted = {title_key(title) for title in titles}
    return lambda names: any(title_key(name) in wanted for name in names)


@dataclass
class _Work:
    pair: PlaylistPairRecord | None
    a: SidePlaylist | None
    b: SidePlaylist | None

    @property
    def title(self) -> str:
        if self.a is not None:
            return self.a.title
        if self.b is not None:
            return self.b.title
        return self.pair.title if self.pair is not None else ""


@dataclass
class _Keys:
    """Every entry's key, and what stands for a key on each side."""

    b_found: dict[str, SideEntry]
    b_missing: dict[str, str]
    a_missing: dict[str, str]
    on_a: dict[str, SideEntry] = field(default_factory=dict)
    on_b: dict[str, SideEntry] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def key(self, side: Side, entry: SideEntry) -> str:
        if side is Side.A:
            return "a:" + entry.ident
        found = self.b_found.get(entry.ident)
        return "a:" + found.ident if found is not None else "b:" + entry.ident

    def shared(self, side: Side, entry: SideEntry) -> bool:
        """Whether the other side can hold the entry too."""
        if side is Side.A:
            return "a:" + entry.ident in self.on_b
        return entry.ident in self.b_found

    def why_not(self, side: Side, entry: SideEntry) -> str:
        missing = self.a_missing if side is Side.A else self.b_missing
        return missing.get(entry.ident, "not found on the other side")

    def entry_for(self, side: Side, key: str) -> SideEntry:
        entry = (self.on_a if side is Side.A else self.on_b).get(key)
        if entry is None:
            raise InvalidInput(f"entry {self.labels.get(key, key)!r} cannot go to side {side}")
        return entry


@dataclass
class _Lists:
    """One playlist's entries on one side: all keys, which are shared, the shared ones."""

    keys: list[str]
    shared: list[bool]

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(k for k, s in zip(self.keys, self.shared, strict=True) if s)


class _Run:
    """State of one run."""

    def __init__(
        self,
        *,
        link_id: int,
        sides: PlaylistSides,
        rules: PlaylistRules,
        writable: frozenset[Side],
        dry_run: bool,
        job_id: int | None,
        reporter: Reporter,
        keys: _Keys,
        taken: dict[Side, set[str]],
        journal: PlaylistWriteJournal,
    ) -> None:
        self.journal = journal
        self.link_id = link_id
        self.sides = sides
        self.rules = rules
        self.writable = writable
        self.dry_run = dry_run
        self.job_id = job_id
        self.reporter = reporter
        self.keys = keys
        self.taken = taken
        self.summary = PlaylistsSummary()

    def where(self, side: Side) -> str:
        return f"on {side.value.upper()} ({self.sides.side(side).label})"


class PlaylistsSync:
    """Runs the sync of one playlists link; stateless between runs except for the repository."""

    def __init__(
        self, repository: PlaylistRepository, journal: PlaylistJournalRepository | None = None
    ) -> None:
        self._repository = repository
        self._journal = journal

    @property
    def repository(self) -> PlaylistRepository:
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
        work, blocked = self._pair(link_id, listing_a, listing_b, reporter)
        reporter.progress("matching entries", 0, None)
        keys = self._resolve(sides, listing_a, listing_b, reporter)
        run = _Run(
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
            if sides.a.holds_files:
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

    # -- pairing --------------------------------------------------------------------------

    def _pair(
        self,
        link_id: int,
        listing_a: SideListing,
        listing_b: SideListing,
        reporter: Reporter,
    ) -> tuple[list[_Work], int]:
        """The playlists to sync (stored pairs, then pairs by title, then the rest), and how
        many wait because the other side could not read one of the same name."""
        a_by_ref = {p.ref: p for p in listing_a.playlists}
        b_by_ref = {p.ref: p for p in listing_b.playlists}
        used_a: set[str] = set()
        used_b: set[str] = set()
        work: list[_Work] = []
        for pair in self._repository.pairs(link_id):
            a_idle = pair.a_ref in listing_a.present and pair.a_ref not in a_by_ref
            b_idle = pair.b_ref in listing_b.present and pair.b_ref not in b_by_ref
            if pair.a_ref is not None:
                used_a.add(pair.a_ref)
            if pair.b_ref is not None:
                used_b.add(pair.b_ref)
            if a_idle or b_idle:
                continue  # not selected, or unreadable this time: left alone
            a = a_by_ref.get(pair.a_ref) if pair.a_ref is not None else None
            b = b_by_ref.get(pair.b_ref) if pair.b_ref is not None else None
            work.append(_Work(pair, a, b))
        free_b: dict[str, list[SidePlaylist]] = defaultdict(list)
        for playlist in listing_b.playlists:
            if playlist.ref not in used_b:
                for name_key in dict.fromkeys(title_key(name) for name in playlist.names):
                    free_b[name_key].append(playlist)
        blocked = 0
        unreadable_b = {title_key(name) for name in listing_b.unreadable.values()}
        unreadable_a = {title_key(name) for name in listing_a.unreadable.values()}
        for playlist in listing_a.playlists:
            if playlist.ref in used_a:
                continue
            if self._blocked(playlist, unreadable_b, reporter):
                blocked += 1
                continue
            partner = None
            for name_key in dict.fromkeys(title_key(name) for name in playlist.names):
                partner = next((b for b in free_b.get(name_key, []) if b.ref not in used_b), None)
                if partner is not None:
                    break
            if partner is not None:
                used_b.add(partner.ref)
            work.append(_Work(None, playlist, partner))
        for playlist in listing_b.playlists:
            if playlist.ref in used_b:
                continue
            if self._blocked(playlist, unreadable_a, reporter):
                blocked += 1
                continue
            used_b.add(playlist.ref)
            work.append(_Work(None, None, playlist))
        return work, blocked

    @staticmethod
    def _blocked(playlist: SidePlaylist, unreadable: set[str], reporter: Reporter) -> bool:
        """An unpaired playlist named like one the other side could not read waits: creating
        it would make a second copy there."""
        if not any(title_key(name) in unreadable for name in playlist.names):
            return False
        reporter.event(
            "playlist_skipped",
            playlist.title,
            level="warning",
            detail="the other side has a playlist of that name it could not read",
        )
        return True

    # -- matching -------------------------------------------------------------------------

    @staticmethod
    def _resolve(
        sides: PlaylistSides, listing_a: SideListing, listing_b: SideListing, reporter: Reporter
    ) -> _Keys:
        entries_a = [entry for playlist in listing_a.playlists for entry in playlist.entries]
        entries_b = [entry for playlist in listing_b.playlists for entry in playlist.entries]
        from_b = sides.resolver.b_to_a(entries_b, reporter, known=entries_a)
        from_a = sides.resolver.a_to_b(entries_a, reporter)
        keys = _Keys(b_found=from_b.found, b_missing=from_b.missing, a_missing=from_a.missing)
        for entry in entries_a:
            key = keys.key(Side.A, entry)
            keys.on_a.setdefault(key, entry)
            keys.labels.setdefault(key, entry.label)
        for found in from_b.found.values():
            keys.on_a.setdefault("a:" + found.ident, found)
            keys.labels.setdefault("a:" + found.ident, found.label)
        own_b: dict[str, SideEntry] = {}
        for entry in entries_b:
            key = keys.key(Side.B, entry)
            own_b.setdefault(key, entry)  # an entry as B already writes it wins
            keys.labels.setdefault(key, entry.label)
        keys.on_b = {**{"a:" + ident: e for ident, e in from_a.found.items()}, **own_b}
        return keys

    # -- one pair -------------------------------------------------------------------------

    def _sync(self, run: _Run, item: _Work) -> None:
        try:
            if item.a is not None and item.b is not None:
                self._both(run, item, item.a, item.b)
            elif item.a is not None:
                self._one(run, item, Side.A, item.a)
            elif item.b is not None:
                self._one(run, item, Side.B, item.b)
            elif item.pair is not None:
                run.reporter.event("playlist_forgotten", item.title, detail="gone on both sides")
                if not run.dry_run:
                    self._repository.delete_pairs([item.pair.id])
        except CrossfadeError as error:
            run.summary.errors += 1
            run.reporter.event("error", item.title, level="error", detail=f"{error.code}: {error}")

    @staticmethod
    def _unless_held(
        run: _Run, item: _Work, side: Side, playlist: SidePlaylist, now: tuple[str, ...]
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

    def _lists(self, run: _Run, side: Side, playlist: SidePlaylist) -> _Lists:
        keys = [run.keys.key(side, entry) for entry in playlist.entries]
        shared = [run.keys.shared(side, entry) for entry in playlist.entries]
        for entry, is_shared in zip(playlist.entries, shared, strict=True):
            if not is_shared:
                run.summary.unmatched += 1
                run.reporter.event(
                    "entry_unmatched",
                    playlist.title,
                    level="warning",
                    before=entry.label,
                    after=entry.ident,
                    detail=f"{run.where(side)}: {run.keys.why_not(side, entry)}",
                )
        return _Lists(keys, shared)

    def _both(self, run: _Run, item: _Work, a: SidePlaylist, b: SidePlaylist) -> None:
        a_lists, b_lists = self._lists(run, Side.A, a), self._lists(run, Side.B, b)
        a_now, b_now = a_lists.compared, b_lists.compared
        baseline = item.pair.baseline if item.pair is not None else None
        agreed: tuple[str, ...] | None
        if run.rules.mode is PlaylistMode.APPEND:
            new_a = plan_playlist(a_now, b_now, PlaylistMode.APPEND).result
            new_b = plan_playlist(b_now, a_now, PlaylistMode.APPEND).result
            new_a = new_a if Side.A in run.writable else a_now
            new_b = new_b if Side.B in run.writable else b_now
            agreed = new_a if new_a == new_b else None
        elif run.writable == {Side.B}:
            new_a = new_b = agreed = a_now
        elif run.writable == {Side.A}:
            new_a = new_b = agreed = b_now
        else:
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
                    "playlist_held",
                    item.title,
                    detail="undone: left as it is until a side changes",
                )
                if not run.dry_run:
                    self._store(run, item, a_ref=a.ref, b_ref=b.ref)
                return
            if action is TwoWayAction.CONFLICT:
                winner = self._winner(run.rules, a, b)
                if winner is None:
                    self._conflict(run, item, a, b, a_now, b_now, baseline)
                    return
                action = TwoWayAction.COPY_A_TO_B if winner is Side.A else TwoWayAction.COPY_B_TO_A
                result = a_now if winner is Side.A else b_now
                run.reporter.event(
                    "conflict_settled",
                    item.title,
                    detail=f"changed on both sides; policy {run.rules.policy} keeps "
                    f"{winner.value.upper()}",
                )
            assert result is not None
            new_a = new_b = agreed = result
        ok = True
        written = False
        if new_a != a_now:
            ok = self._update(run, Side.A, a, a_lists, new_a, item) and ok
            written = True
        if new_b != b_now:
            ok = self._update(run, Side.B, b, b_lists, new_b, item) and ok
            written = True
        if not written:
            run.summary.unchanged += 1
        if ok and not run.dry_run:
            pair_id = self._store(run, item, a_ref=a.ref, b_ref=b.ref)
            if agreed is not None:
                self._repository.update_pair(pair_id, baseline=agreed)
            self._repository.close_conflicts_for([pair_id], resolution="agreed")

    @staticmethod
    def _winner(rules: PlaylistRules, a: SidePlaylist, b: SidePlaylist) -> Side | None:
        if rules.policy == "prefer_a":
            return Side.A
        if rules.policy == "prefer_b":
            return Side.B
        a_at, b_at = a.changed_at_s, b.changed_at_s
        if rules.policy == "newest" and a_at is not None and b_at is not None and a_at != b_at:
            return Side.A if a_at > b_at else Side.B
        return None

    def _conflict(
        self,
        run: _Run,
        item: _Work,
        a: SidePlaylist,
        b: SidePlaylist,
        a_now: Sequence[str],
        b_now: Sequence[str],
        baseline: Sequence[str] | None,
    ) -> None:
        run.summary.conflicts += 1
        changes = diff_entries(a_now, b_now)
        run.reporter.event(
            "conflict",
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
        pair_id = self._store(run, item, a_ref=a.ref, b_ref=b.ref)
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

    def _update(
        self,
        run: _Run,
        side: Side,
        playlist: SidePlaylist,
        lists: _Lists,
        compared: Sequence[str],
        item: _Work,
    ) -> bool:
        title = item.title
        slots = place_entries(lists.keys, lists.shared, compared)
        new_keys = [slot.key for slot in slots]
        changes = diff_entries(lists.keys, new_keys)
        self._report_changes(run, side, title, changes)
        run.reporter.event(
            "playlist_update",
            title,
            detail=f"{run.where(side)}: {len(changes.added)} added, "
            f"{len(changes.removed)} removed, {len(changes.moved)} moved",
        )
        run.summary.count("updated", side)
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
                "error", title, level="error", detail=f"{run.where(side)}: {error.code}: {error}"
            )
            return False
        return True

    @staticmethod
    def _report_changes(run: _Run, side: Side, title: str, changes: PlaylistDiff[str]) -> None:
        labels = run.keys.labels
        where = run.where(side)
        for added in changes.added:
            label = labels.get(added.key, added.key)
            run.reporter.event(
                "entry_added", title, after=f"{added.index + 1}. {label}", detail=where
            )
        for removed in changes.removed:
            label = labels.get(removed.key, removed.key)
            run.reporter.event(
                "entry_removed", title, before=f"{removed.index + 1}. {label}", detail=where
            )
        for moved in changes.moved:
            label = labels.get(moved.key, moved.key)
            run.reporter.event(
                "entry_moved",
                title,
                before=f"{moved.from_index + 1}. {label}",
                after=f"{moved.to_index + 1}. {label}",
                detail=where,
            )
        run.summary.entries_added += len(changes.added)
        run.summary.entries_removed += len(changes.removed)
        run.summary.entries_moved += len(changes.moved)

    def _one(self, run: _Run, item: _Work, side: Side, playlist: SidePlaylist) -> None:
        """The playlist exists on ``side`` only."""
        other = Side.B if side is Side.A else Side.A
        lists = self._lists(run, side, playlist)
        now = lists.compared
        baseline = item.pair.baseline if item.pair is not None else None
        ref = {side: playlist.ref}
        if baseline is None or (other in run.writable and side not in run.writable):
            self._create(run, item, other, now, ref)
            return
        if tuple(baseline) != now:
            # changed since the other copy went away: it is alive; give it back to the other side
            self._create(run, item, other, now, ref)
            return
        if run.rules.delete and side in run.writable:
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
                    target.delete(playlist)  # a failure is an error event (_sync)
                except CrossfadeError:
                    run.journal.failed(entry_id)
                    raise
                run.journal.done(entry_id, target, playlist.ref)
                self._repository.delete_pairs([item.pair.id])
            run.summary.count("deleted", side)
            run.reporter.event(
                "playlist_delete",
                item.title,
                detail=f"{run.where(side)}: deleted on {other.value.upper()} since the last run",
            )
            return
        run.summary.skipped += 1
        run.reporter.event(
            "playlist_kept",
            item.title,
            detail=f"{run.where(side)}: deleted on {other.value.upper()} since the last run; "
            "kept, as the link does not delete (it comes back if it changes here)",
        )
        if not run.dry_run:
            self._store(run, item, a_ref=ref.get(Side.A), b_ref=ref.get(Side.B))

    def _create(
        self,
        run: _Run,
        item: _Work,
        target: Side,
        entries: Sequence[str],
        refs: dict[Side, str],
    ) -> None:
        if target not in run.writable:
            run.summary.skipped += 1
            run.reporter.event(
                "playlist_skipped",
                item.title,
                detail=f"only {run.where(Side.A if target is Side.B else Side.B)}; "
                f"this run does not write {target.value.upper()}",
            )
            return
        side = run.sides.side(target)
        if not entries and not side.holds_files:
            run.summary.skipped += 1
            run.reporter.event(
                "playlist_skipped",
                item.title,
                level="warning",
                detail=f"{run.where(target)}: no entry matches a track, and Plex cannot hold an "
                "empty playlist",
            )
            return
        new_ref = side.new_ref(item.title, run.taken[target])
        run.taken[target].add(new_ref)
        run.summary.count("created", target)
        shown = f" as {new_ref}" if side.holds_files else ""
        run.reporter.event(
            "playlist_create",
            item.title,
            detail=f"{run.where(target)}{shown}: {len(entries)} entries",
        )
        labels = run.keys.labels
        for index, key in enumerate(entries):
            run.reporter.event(
                "entry_added",
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
                "error",
                item.title,
                level="error",
                detail=f"{run.where(target)}: {error.code}: {error}",
            )
            return
        refs = {**refs, target: created}
        pair_id = self._store(run, item, a_ref=refs.get(Side.A), b_ref=refs.get(Side.B))
        self._repository.update_pair(pair_id, baseline=entries)

    def _store(self, run: _Run, item: _Work, *, a_ref: str | None, b_ref: str | None) -> int:
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
