"""Music ratings sync between two sides of a ``ratings`` link: scan, match, plan, apply.

One run:

1. **scan** both sides (Plex listed in pages; folders walked with a file-state cache);
2. **match**: pairs already linked (``auto``/``confirmed`` TrackLinks whose keys still exist) are
   kept as they are; the rest go through ``app.domain.matching`` (path, MusicBrainz id, fuzzy);
   weak pairs are stored for review and not synced; rejected pairs are never proposed again;
3. **plan**: per pair, the three-way merge of ``app.domain.ratings.merge`` against the stored
   baseline;
4. **apply** (real runs only): write through the side, verified by a re-read, with a
   write-ahead journal: a batch of writes is journaled ``pending`` (committed) before it is
   sent, and settled after its re-read together with the baselines of its verified writes (one
   transaction); record the baseline of every pair that ends the run agreeing; open conflicts
   (policy ``ask``).

A process killed midway leaves ``pending`` entries: the next real run of the link first
settles them from what the items hold (``app.domain.journal.plan_reconcile``) and records the
baselines the dead run would have recorded, so its writes raise no false conflict; undo reads
the same way which of them happened.

Undo sticks: an undone pair's baseline stays what the run agreed on, and the restored side's
*held* value is what undo restored, so later runs leave the pair as it is until a side changes
again. Undoing an undo job redoes the run.

A dry run computes the same plan, reports it as events, and writes nothing anywhere: no tags,
no Plex ratings, no baselines, no links, no file-state cache.

Speed: a Plex side lists and writes on a helper thread while the music folder is walked and
its tags written on the job's thread (a Plex request mostly waits for the server); outcomes,
events and errors are the same as in turn. Full garbage collections wait until the run ends
(:class:`~app.adapters.gc_pause.FullCollections`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from app.adapters.db.sync_repo import SyncRepository
from app.adapters.gc_pause import FULL_GC
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.journal import ReconcileAction, WriteState, plan_reconcile
from app.domain.matching import MatchThresholds, match_tracks
from app.domain.ratings.merge import (
    Action,
    Baseline,
    Direction,
    MergeDecision,
    MergeRules,
    Mode,
    Policy,
    Side,
    UndoAction,
    format_rating,
    merge,
    plan_resolution,
    plan_undo,
)
from app.domain.ratings.rating import Rating
from app.domain.ratings.records import (
    JournalRecord,
    NewConflict,
    NewJournalEntry,
    NewTrackLink,
    SettledWrite,
    TrackLinkRecord,
)
from app.services.ports import RatingSide, RatingWrite, Reporter, SideItem, Written

ACTIVE = ("auto", "confirmed")


@dataclass(frozen=True, slots=True)
class LinkRules:
    """A ratings link's settings, as the sync needs them."""

    direction: Direction = Direction.BOTH
    policy: Policy = Policy.ASK
    first_run_primary: Side | None = None
    thresholds: MatchThresholds = field(default_factory=MatchThresholds)


@dataclass(frozen=True, slots=True)
class SyncSides:
    a: RatingSide
    b: RatingSide

    def side(self, which: Side) -> RatingSide:
        return self.a if which is Side.A else self.b

    def scan(
        self, reporter: Reporter, *, load: Callable[[], None] = lambda: None
    ) -> tuple[list[SideItem], list[SideItem]]:
        """Both sides' items, as ``a.scan`` then ``b.scan`` would give them.

        A side that lists a server (Plex) scans on a helper thread while the other scans on
        this one: a listing mostly waits for the server, and a folder walk fits in that wait.
        The helper's events and counters reach ``reporter`` from this thread once it is done.
        Errors are raised as in turn: side A's first.

        ``load`` (the caller's own database reads) and the folder's ``load_state`` run on this
        thread before the helper starts when the helper parses in this process (they would
        wait for its GIL at every row), after it has started when it parses in a child.
        """
        phase_a, phase_b = f"scanning {self.a.label}", f"scanning {self.b.label}"
        if self.a.holds_files and self.b.holds_files:
            load()
            return self.a.scan(reporter, phase_a), self.b.scan(reporter, phase_b)
        helper_is_a = not self.a.holds_files
        helper, here = (self.a, self.b) if helper_is_a else (self.b, self.a)
        if not helper.scans_in_child:
            load()
            here.load_state()
        relay = _Relay()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossfade-scan") as pool:
            future = pool.submit(helper.scan, relay, phase_a if helper_is_a else phase_b)
            here_items: list[SideItem] = []
            here_error: BaseException | None = None
            try:
                if helper.scans_in_child:
                    load()
                    here.load_state()
                here_items = here.scan(reporter, phase_b if helper_is_a else phase_a)
                _wait(future, reporter)
            except BaseException as error:
                here_error = error
                relay.stop.set()
            helper_error = future.exception()
        if here_error is not None and not isinstance(here_error, Exception):
            raise here_error  # cancelled or interrupted
        if isinstance(helper_error, _HelperStopped):
            helper_error = None
        error_a, error_b = (helper_error, here_error) if helper_is_a else (here_error, helper_error)
        if error_a is not None:
            raise error_a
        if error_b is not None:
            raise error_b
        relay.replay(reporter)
        helper_items = future.result()
        return (helper_items, here_items) if helper_is_a else (here_items, helper_items)

    def close(self) -> None:
        self.a.close()
        self.b.close()

    def __enter__(self) -> SyncSides:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def files_side(self) -> Side | None:
        if self.a.holds_files:
            return Side.A
        if self.b.holds_files:
            return Side.B
        return None


_WAIT_S = 0.2
_T = TypeVar("_T")


class _HelperStopped(BaseException):
    """Ends a helper thread's work when the calling thread stopped (error or cancel)."""


@dataclass(frozen=True, slots=True)
class _Event:
    action: str
    subject: str
    level: str
    before: object
    after: object
    detail: str | None


class _Relay:
    """The reporter of work on a helper thread: it keeps what the work reports for the
    calling thread to pass on (a job's reporter is not thread-safe), and stops the work when
    asked to."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._events: list[_Event] = []
        self._counters: list[tuple[str, int]] = []
        self._progress: tuple[str, int, int | None] | None = None

    def progress(self, phase: str, done: int, total: int | None = None) -> None:
        self._progress = (phase, done, total)

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        self._events.append(_Event(action, subject, level, before, after, detail))

    def counter(self, name: str, n: int = 1) -> None:
        self._counters.append((name, n))

    def check_cancelled(self) -> None:
        if self.stop.is_set():
            raise _HelperStopped

    def replay(self, reporter: Reporter) -> None:
        if self._progress is not None:
            reporter.progress(*self._progress)
        for e in self._events:
            reporter.event(
                e.action, e.subject, level=e.level, before=e.before, after=e.after, detail=e.detail
            )
        for name, n in self._counters:
            reporter.counter(name, n)


def _wait(
    future: Future[_T], reporter: Reporter, on_wait: Callable[[], None] | None = None
) -> None:
    """Wait for a helper thread's work, still honouring cancellation."""
    while True:
        try:
            future.result(timeout=_WAIT_S)
            return
        except FutureTimeout:
            reporter.check_cancelled()
            if on_wait is not None:
                on_wait()
        except BaseException:
            return  # the caller reads the helper's error from the future


JOURNAL_BATCH = 500  # writes journaled (one INSERT + commit) before they are sent


class _WriteJournal:
    """The write-ahead journal of one run's writes: :meth:`pending` before a batch is sent,
    :meth:`settle` once its outcomes are known (verified writes with their pairs' baselines,
    in one transaction). Without a job (``job_id`` None) only the baselines are recorded."""

    def __init__(self, repository: SyncRepository, job_id: int | None, at: datetime) -> None:
        self._repository = repository
        self._job_id = job_id
        self._at = at

    def pending(self, writes: _Writes, indexes: Sequence[int]) -> None:
        if self._job_id is None:
            return
        entries = []
        for index in indexes:
            pair, item = writes.pairs[index], writes.item(index)
            value = _stars(pair.decision.value)
            entries.append(
                NewJournalEntry(
                    track_link_id=pair.track_link_id,
                    side=writes.targets[index].value,
                    item_key=item.key,
                    before=_stars(item.rating),
                    after=value,
                    baseline_known_before=pair.baseline_known,
                    baseline_before=pair.baseline_rating,
                    state=WriteState.PENDING.value,
                    baseline_after=value,
                )
            )
        self._repository.add_journal(self._job_id, entries)

    def settle(self, writes: _Writes, indexes: Sequence[int]) -> None:
        settled = []
        for index in indexes:
            pair, target = writes.pairs[index], writes.targets[index]
            planned = _stars(pair.decision.value)
            written = writes.outcomes[index]
            if not writes.attempted[index]:
                # Never answered: unsent after a cancellation, or lost with an error midway
                # (it may have been sent). It stays pending: the next run of the link or an
                # undo tells from the item itself whether it happened.
                continue
            if isinstance(written, CrossfadeError):
                state, after = WriteState.FAILED, planned
            else:
                state, after = WriteState.DONE, _stars(written)
            held: tuple[int | None, int | None] = (None, None)
            if state is WriteState.DONE and after != planned:
                kept = _held(_rating(after))  # a lossy write: the side holds what it can
                held = (kept, None) if target is Side.A else (None, kept)
            settled.append(
                SettledWrite(
                    side=target.value,
                    item_key=writes.item(index).key,
                    state=state.value,
                    after=after,
                    track_link_id=pair.track_link_id,
                    baseline=planned,
                    record_baseline=state is WriteState.DONE,
                    held=held,
                )
            )
        if self._job_id is not None:
            self._repository.settle_journal(self._job_id, settled, at=self._at)
            return
        baselines = [
            (w.track_link_id, w.baseline)
            for w in settled
            if w.record_baseline and w.track_link_id is not None
        ]
        held_by_pair = {
            w.track_link_id: w.held
            for w in settled
            if w.record_baseline and w.track_link_id is not None and w.held != (None, None)
        }
        self._repository.set_baselines(baselines, at=self._at, held=held_by_pair)


class _Writes:
    """The planned writes of a run and their outcomes (the rating a re-read shows, or the
    error), by position. Each side writes its share through ``write_many`` (a folder on worker
    processes, Plex verified a batch at a time); the side that talks to a server (Plex) writes
    on a helper thread while the other writes here. A cancelled run stops sending writes, and
    the outcome of every write that was sent is still recorded (``attempted``)."""

    def __init__(
        self, writes: Sequence[PlannedPair], sides: SyncSides, journal: _WriteJournal
    ) -> None:
        self.pairs = writes
        self._sides = sides
        self._journal = journal
        self.targets = [Side.A if p.decision.action is Action.WRITE_A else Side.B for p in writes]
        self.outcomes: list[Written] = [None] * len(writes)
        self.attempted = [False] * len(writes)
        self._done = [0, 0]  # written here, written on the helper thread (one writer each)

    def item(self, index: int) -> SideItem:
        pair = self.pairs[index]
        return pair.a if self.targets[index] is Side.A else pair.b

    def _request(self, index: int) -> RatingWrite:
        pair = self.pairs[index]
        source = pair.b if self.targets[index] is Side.A else pair.a
        return RatingWrite(self.item(index).key, pair.decision.value, source.rated_at_s)

    def _progress(self, reporter: Reporter) -> None:
        reporter.progress("writing", sum(self._done), len(self.pairs))

    def _write_all(
        self,
        indexes: Sequence[int],
        should_stop: Callable[[], bool],
        slot: int,
        on_outcome: Callable[[], None] = lambda: None,
    ) -> None:
        for which in (Side.A, Side.B):
            mine = [index for index in indexes if self.targets[index] is which]
            for start in range(0, len(mine), JOURNAL_BATCH):
                if should_stop():
                    return
                batch = mine[start : start + JOURNAL_BATCH]
                self._journal.pending(self, batch)  # committed before anything is written
                outcomes = self._sides.side(which).write_many(
                    [self._request(index) for index in batch], should_stop=should_stop
                )
                try:
                    for index, outcome in zip(batch, outcomes, strict=False):
                        self.outcomes[index] = outcome
                        self.attempted[index] = True
                        self._done[slot] += 1
                        on_outcome()
                finally:
                    self._journal.settle(self, batch)

    def run(self, reporter: Reporter) -> None:
        a, b = self._sides.a, self._sides.b
        helper_side = Side.A if not a.holds_files else Side.B if not b.holds_files else None
        here = [i for i, t in enumerate(self.targets) if t is not helper_side]
        there = [i for i, t in enumerate(self.targets) if t is helper_side]
        cancelled: list[BaseException] = []

        def should_stop() -> bool:
            if not cancelled:
                try:
                    reporter.check_cancelled()
                except BaseException as stop:  # the job's cancellation: drain, then raise
                    cancelled.append(stop)
            return bool(cancelled)

        def write_here() -> None:
            self._write_all(here, should_stop, 0, lambda: self._progress(reporter))
            if cancelled:
                raise cancelled[0]

        self._progress(reporter)
        if not there:
            write_here()
            return
        relay = _Relay()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossfade-write") as pool:
            future = pool.submit(self._write_all, there, relay.stop.is_set, 1)
            try:
                write_here()
                _wait(future, reporter, lambda: self._progress(reporter))
            except BaseException:
                relay.stop.set()
                raise
        future.result()


@dataclass
class SyncSummary:
    """The closing summary of a run (also stored as the job's counters)."""

    items_a: int = 0
    items_b: int = 0
    pairs: int = 0
    matched_new: int = 0
    review: int = 0
    unmatched_a: int = 0
    unmatched_b: int = 0
    unchanged: int = 0
    written_a: int = 0
    written_b: int = 0
    baselines_recorded: int = 0
    conflicts: int = 0
    skipped: int = 0
    errors: int = 0

    def as_counters(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class PlannedPair:
    track_link_id: int | None
    a: SideItem
    b: SideItem
    baseline_known: bool
    baseline_rating: int | None
    decision: MergeDecision


def _rating(half_stars: int | None) -> Rating | None:
    return None if half_stars is None else Rating(half_stars)


def _stars(rating: Rating | None) -> int | None:
    return None if rating is None else rating.half_stars


def _held(rating: Rating | None) -> int:
    """A side's value as ``TrackLink.baseline_*_held`` stores it: half stars, 0 = unrated."""
    return 0 if rating is None else rating.half_stars


def _unless_held(
    current: Rating | None, held: int | None, baseline_rating: int | None
) -> Rating | None:
    """A side still holding what a lossy write left in it is unchanged: it counts as the
    baseline (a WMA file that reads 4★ after 3½★ was written has not been re-rated)."""
    if held is not None and _held(current) == held:
        return _rating(baseline_rating)
    return current


def _held_on(side: str, value: int | None) -> tuple[int | None, int | None]:
    """``(a_held, b_held)`` with ``value`` held on ``side`` (0 for unrated)."""
    kept = 0 if value is None else value
    return (kept, None) if side == Side.A.value else (None, kept)


def _settled(entry: JournalRecord, state: WriteState, current: int | None) -> SettledWrite:
    """A dead job's entry settled from what the item holds (``current``): a write that
    happened records the baseline it was made for, with the side's held value when the item
    holds something else than that baseline (an undo's write, a lossy one)."""
    applied = state is WriteState.DONE
    held: tuple[int | None, int | None] = (None, None)
    if applied and current != entry.baseline_after:
        held = _held_on(entry.side, current)
    return SettledWrite(
        side=entry.side,
        item_key=entry.item_key,
        state=state.value,
        after=current if applied else entry.after,
        track_link_id=entry.track_link_id,
        baseline=entry.baseline_after,
        record_baseline=applied,
        held=held,
    )


def _settled_undo(entry: JournalRecord, state: WriteState, written: int | None) -> SettledWrite:
    """An undo's write of ``entry.before`` settled: once verified, the pair's baseline stays
    what the undone run agreed on and the restored side holds what undo wrote (undo sticks)."""
    done = state is WriteState.DONE
    held: tuple[int | None, int | None] = (None, None)
    if done and written != entry.baseline_after:
        held = _held_on(entry.side, written)
    return SettledWrite(
        side=entry.side,
        item_key=entry.item_key,
        state=state.value,
        after=written,
        track_link_id=entry.track_link_id,
        baseline=entry.baseline_after,
        record_baseline=done,
        held=held,
    )


def _restore_reason(entry: JournalRecord, current: Rating | None) -> str:
    return plan_undo(
        before=_rating(entry.before), after=_rating(entry.after), current=current
    ).reason


def item_label(item: SideItem) -> str:
    track = item.track
    if track.title:
        who = f"{track.artist} – " if track.artist else ""
        return f"{who}{track.title} [{item.key}]"
    return item.key


class RatingsSync:
    """Runs the sync of one ratings link; stateless between runs except for the repository."""

    def __init__(self, repository: SyncRepository, *, now: Callable[[], datetime]) -> None:
        self._repository = repository
        self._now = now

    # -- the run --------------------------------------------------------------------------

    def run(
        self,
        *,
        link_id: int,
        sides: SyncSides,
        rules: LinkRules,
        mode: Mode,
        dry_run: bool,
        job_id: int | None,
        reporter: Reporter,
    ) -> SyncSummary:
        merge_rules = self._merge_rules(sides, rules, mode)
        summary = SyncSummary()
        with FULL_GC.deferred():
            if not dry_run:
                self._reconcile(link_id, sides, job_id, reporter)
            existing: list[TrackLinkRecord] = []
            items_a, items_b = sides.scan(
                reporter, load=lambda: existing.extend(self._repository.track_links(link_id))
            )
            summary.items_a, summary.items_b = len(items_a), len(items_b)
            reporter.progress("matching", 0, None)
            pairs = self._match(
                link_id, existing, items_a, items_b, rules, dry_run, reporter, summary
            )
            summary.pairs = len(pairs)
            planned = self._plan(pairs, merge_rules, reporter, summary)
            if not dry_run:
                self._apply(link_id, planned, sides, job_id, reporter, summary)
                sides.a.commit()
                sides.b.commit()
        return summary

    @staticmethod
    def _merge_rules(sides: SyncSides, rules: LinkRules, mode: Mode) -> MergeRules:
        files_side = sides.files_side if mode is not Mode.SYNC else None
        if mode is not Mode.SYNC and (
            files_side is None or sides.a.holds_files == sides.b.holds_files
        ):
            raise InvalidInput(
                f"mode {mode.value} needs a link between Plex and a music folder; use sync"
            )
        merge_rules = MergeRules(
            direction=rules.direction,
            mode=mode,
            policy=rules.policy,
            files_side=files_side,
            first_run_primary=rules.first_run_primary,
        )
        if not merge_rules.writable:
            raise InvalidInput(
                f"mode {mode.value} can write nothing on a link with direction "
                f"{rules.direction.value}"
            )
        return merge_rules

    # -- matching -------------------------------------------------------------------------

    def _match(
        self,
        link_id: int,
        existing: Sequence[TrackLinkRecord],
        items_a: Sequence[SideItem],
        items_b: Sequence[SideItem],
        rules: LinkRules,
        dry_run: bool,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> list[tuple[TrackLinkRecord | None, SideItem, SideItem]]:
        by_key_a = {item.key: item for item in items_a}
        by_key_b = {item.key: item for item in items_b}
        pairs: list[tuple[TrackLinkRecord | None, SideItem, SideItem]] = []
        used_a: set[str] = set()
        used_b: set[str] = set()
        stale: list[int] = []
        moved: list[TrackLinkRecord] = []
        rejected: list[tuple[str, str]] = []
        old_review: dict[tuple[str, str], TrackLinkRecord] = {}
        for link in existing:
            if link.status == "rejected":
                rejected.append((link.a_key, link.b_key))
                continue
            if link.status == "review":
                old_review[(link.a_key, link.b_key)] = link
                continue
            a_item, b_item = by_key_a.get(link.a_key), by_key_b.get(link.b_key)
            if a_item is not None and b_item is not None:
                if link.a_key in used_a or link.b_key in used_b:
                    stale.append(link.id)
                    continue
                pairs.append((link, a_item, b_item))
                used_a.add(link.a_key)
                used_b.add(link.b_key)
            elif link.status == "confirmed":
                moved.append(link)
            else:
                stale.append(link.id)

        rest_a = [item for item in items_a if item.key not in used_a]
        rest_b = [item for item in items_b if item.key not in used_b]
        followed = self._follow_moves(moved, rest_a, rest_b, used_a, used_b, dry_run, reporter)
        if followed:
            pairs.extend(followed)
            rest_a = [item for item in rest_a if item.key not in used_a]
            rest_b = [item for item in rest_b if item.key not in used_b]

        result = match_tracks(
            [item.track for item in rest_a],
            [item.track for item in rest_b],
            rejected=rejected,
            thresholds=rules.thresholds,
        )
        rest_by_a = {item.key: item for item in rest_a}
        rest_by_b = {item.key: item for item in rest_b}
        new_links = [
            NewTrackLink(
                a_key=pair.a_id,
                b_key=pair.b_id,
                method=pair.method.value,
                score=pair.score,
                status="auto",
                a_label=item_label(rest_by_a[pair.a_id]),
                b_label=item_label(rest_by_b[pair.b_id]),
            )
            for pair in result.confident
        ]
        review_links = [
            NewTrackLink(
                a_key=pair.a_id,
                b_key=pair.b_id,
                method=pair.method.value,
                score=pair.score,
                status="review",
                a_label=item_label(rest_by_a[pair.a_id]),
                b_label=item_label(rest_by_b[pair.b_id]),
                note=pair.note or None,
            )
            for pair in result.review
        ]
        summary.matched_new = len(new_links)
        summary.review = len(review_links)
        for pair in result.review:
            reporter.event(
                "review",
                item_label(rest_by_a[pair.a_id]),
                level="warning",
                after=item_label(rest_by_b[pair.b_id]),
                detail=f"{pair.method.value} match scored {pair.score:.0f}: {pair.note}".rstrip(
                    ": "
                ),
            )
        for key in result.unmatched_a:
            reporter.event("unmatched", item_label(rest_by_a[key]), detail="side A only")
        for key in result.unmatched_b:
            reporter.event("unmatched", item_label(rest_by_b[key]), detail="side B only")
        summary.unmatched_a = len(result.unmatched_a)
        summary.unmatched_b = len(result.unmatched_b)

        if dry_run:
            pairs.extend((None, rest_by_a[p.a_id], rest_by_b[p.b_id]) for p in result.confident)
            return pairs

        self._repository.delete_track_links(stale)
        keep_review = {(link.a_key, link.b_key) for link in review_links}
        self._repository.delete_track_links(
            [link.id for key, link in old_review.items() if key not in keep_review]
        )
        self._repository.add_track_links(
            link_id, [link for link in review_links if (link.a_key, link.b_key) not in old_review]
        )
        ids = self._repository.add_track_links(link_id, new_links)
        for track_link_id, new in zip(ids, new_links, strict=True):
            record = TrackLinkRecord(
                id=track_link_id,
                link_id=link_id,
                a_key=new.a_key,
                b_key=new.b_key,
                method=new.method,
                score=new.score,
                status=new.status,
                baseline_known=False,
                baseline_rating=None,
            )
            pairs.append((record, rest_by_a[new.a_key], rest_by_b[new.b_key]))
        return pairs

    def _follow_moves(
        self,
        moved: Sequence[TrackLinkRecord],
        rest_a: Sequence[SideItem],
        rest_b: Sequence[SideItem],
        used_a: set[str],
        used_b: set[str],
        dry_run: bool,
        reporter: Reporter,
    ) -> list[tuple[TrackLinkRecord | None, SideItem, SideItem]]:
        """A confirmed pair whose item moved (new key, same tags and duration) follows it."""
        if not moved:
            return []
        by_name_a = _by_name(rest_a)
        by_name_b = _by_name(rest_b)
        keys_a = {item.key: item for item in rest_a}
        keys_b = {item.key: item for item in rest_b}
        followed: list[tuple[TrackLinkRecord | None, SideItem, SideItem]] = []
        for link in moved:
            a_item = keys_a.get(link.a_key) or _only(by_name_a, link.a_label)
            b_item = keys_b.get(link.b_key) or _only(by_name_b, link.b_label)
            if a_item is None or b_item is None or a_item.key in used_a or b_item.key in used_b:
                reporter.event(
                    "match_lost",
                    link.a_label or link.a_key,
                    level="warning",
                    detail="a confirmed match lost its track; kept for when it comes back",
                )
                continue
            used_a.add(a_item.key)
            used_b.add(b_item.key)
            reporter.event(
                "match_moved",
                item_label(a_item),
                before=f"{link.a_key} ⇄ {link.b_key}",
                after=f"{a_item.key} ⇄ {b_item.key}",
            )
            if not dry_run:
                self._repository.rekey(link.id, a_key=a_item.key, b_key=b_item.key)
            followed.append((link, a_item, b_item))
        return followed

    # -- planning -------------------------------------------------------------------------

    def _plan(
        self,
        pairs: Sequence[tuple[TrackLinkRecord | None, SideItem, SideItem]],
        rules: MergeRules,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> list[PlannedPair]:
        planned: list[PlannedPair] = []
        total = len(pairs)
        # merge() is pure and reads the times only under policy newest: otherwise pairs with
        # the same ratings and baseline share one decision (a quiet library has few kinds).
        decisions: dict[tuple[Rating | None, Rating | None, bool, int | None], MergeDecision] = {}
        shared = rules.policy is not Policy.NEWEST
        for done, (link, a_item, b_item) in enumerate(pairs):
            if done % 1000 == 0:
                reporter.check_cancelled()
                reporter.progress("planning", done, total)
            if a_item.undecided or b_item.undecided:
                summary.skipped += 1
                reporter.event(
                    "tags_disagree",
                    item_label(a_item if a_item.undecided else b_item),
                    level="warning",
                    detail=f"read policy ask: {a_item.evidence} / {b_item.evidence}",
                )
                continue
            for item in (a_item, b_item):
                if item.disagreement:
                    reporter.event(
                        "tags_disagree",
                        item_label(item),
                        level="warning",
                        after=str(item.rating) if item.rating else "unrated",
                        detail=f"rating tags disagree: {item.evidence}",
                    )
            baseline_known = link.baseline_known if link is not None else False
            baseline_rating = link.baseline_rating if link is not None else None
            a_rating, b_rating = a_item.rating, b_item.rating
            if link is not None and baseline_known:
                a_rating = _unless_held(a_rating, link.baseline_a_held, baseline_rating)
                b_rating = _unless_held(b_rating, link.baseline_b_held, baseline_rating)
            key = (a_rating, b_rating, baseline_known, baseline_rating)
            decision = decisions.get(key) if shared else None
            if decision is None:
                decision = merge(
                    a_rating,
                    b_rating,
                    Baseline(_rating(baseline_rating)) if baseline_known else None,
                    rules,
                    a_rated_at_s=a_item.rated_at_s,
                    b_rated_at_s=b_item.rated_at_s,
                )
                if shared:
                    decisions[key] = decision
            planned.append(
                PlannedPair(
                    track_link_id=link.id if link is not None else None,
                    a=a_item,
                    b=b_item,
                    baseline_known=baseline_known,
                    baseline_rating=baseline_rating,
                    decision=decision,
                )
            )
            self._report_plan(planned[-1], reporter, summary)
        reporter.progress("planning", total, total)
        return planned

    @staticmethod
    def _report_plan(pair: PlannedPair, reporter: Reporter, summary: SyncSummary) -> None:
        decision = pair.decision
        if decision.action is Action.NONE:
            summary.unchanged += 1
        elif decision.action is Action.RECORD_BASELINE:
            summary.baselines_recorded += 1
        elif decision.writes:
            target = pair.a if decision.action is Action.WRITE_A else pair.b
            reporter.event(
                "write_a" if decision.action is Action.WRITE_A else "write_b",
                item_label(target),
                before=format_rating(target.rating),
                after=format_rating(decision.value),
                detail=decision.reason,
            )
        elif decision.action is Action.CONFLICT:
            summary.conflicts += 1
            reporter.event(
                "conflict",
                item_label(pair.a),
                level="warning",
                before=f"A {pair.a.evidence}",
                after=f"B {pair.b.evidence}",
                detail=decision.reason,
            )
        else:
            summary.skipped += 1
            reporter.event("skip_direction", item_label(pair.a), detail=decision.reason)

    # -- applying -------------------------------------------------------------------------

    def _apply(
        self,
        link_id: int,
        planned: Sequence[PlannedPair],
        sides: SyncSides,
        job_id: int | None,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> None:
        now = self._now()
        baselines: list[tuple[int, int | None]] = []
        agreeing: list[int] = []
        conflicts: list[NewConflict] = []
        writes = [pair for pair in planned if pair.decision.writes]
        for pair in planned:
            if pair.track_link_id is None:
                continue
            action = pair.decision.action
            if action in (Action.NONE, Action.RECORD_BASELINE):
                agreeing.append(pair.track_link_id)
                if action is Action.RECORD_BASELINE or not pair.baseline_known:
                    baselines.append((pair.track_link_id, _stars(pair.decision.value)))
            elif action is Action.CONFLICT:
                conflicts.append(
                    NewConflict(
                        track_link_id=pair.track_link_id,
                        value_a=_stars(pair.a.rating),
                        value_b=_stars(pair.b.rating),
                        baseline_known=pair.baseline_known,
                        baseline_rating=pair.baseline_rating,
                        evidence={
                            "a": pair.a.evidence,
                            "b": pair.b.evidence,
                            "a_label": item_label(pair.a),
                            "b_label": item_label(pair.b),
                            "reason": pair.decision.reason,
                        },
                    )
                )
        self._repository.record_conflicts(link_id=link_id, job_id=job_id, conflicts=conflicts)
        done = _Writes(writes, sides, _WriteJournal(self._repository, job_id, now))
        try:
            done.run(reporter)
        finally:
            # Also when the run is cancelled midway: what was written is journaled (so it
            # can be undone) and its baseline recorded, batch by batch as it was verified.
            for index, pair in enumerate(writes):
                if not done.attempted[index]:
                    continue
                target, item = done.targets[index], done.item(index)
                written = done.outcomes[index]
                if isinstance(written, CrossfadeError):
                    summary.errors += 1
                    detail = f"{written.code}: {written}"
                    reporter.event("error", item_label(item), level="error", detail=detail)
                    continue
                if target is Side.A:
                    summary.written_a += 1
                else:
                    summary.written_b += 1
                if pair.track_link_id is not None:
                    agreeing.append(pair.track_link_id)
            reporter.progress("writing", len(writes), len(writes))
            self._repository.set_baselines(baselines, at=now)
            self._repository.close_conflicts_for(agreeing, resolution="agreed")

    # -- after a crash ----------------------------------------------------------------------

    def _reconcile(
        self, link_id: int, sides: SyncSides, job_id: int | None, reporter: Reporter
    ) -> None:
        """Settle the ``pending`` journal entries a dead job of the link left, from what each
        item holds now, and record the baselines its verified writes would have recorded."""
        entries = self._repository.unsettled_journal(link_id, except_job_id=job_id)
        settled: list[tuple[JournalRecord, SettledWrite]] = []
        for entry in entries:
            reporter.check_cancelled()
            which = Side(entry.side)
            try:
                current = _stars(sides.side(which).read(entry.item_key))
            except CrossfadeError as error:
                reporter.event(
                    "reconciled",
                    entry.item_key,
                    level="warning",
                    detail=f"job {entry.job_id} died while writing it; unreadable now "
                    f"({error.code}: {error}): settled as failed",
                )
                settled.append((entry, _settled(entry, WriteState.FAILED, entry.after)))
                continue
            decision = plan_reconcile(before=entry.before, after=entry.after, current=current)
            settled.append((entry, _settled(entry, decision.state, current)))
            reporter.event(
                "reconciled",
                entry.item_key,
                level="info" if decision.action is not ReconcileAction.CHANGED_SINCE else "warning",
                before=format_rating(_rating(entry.before)),
                after=format_rating(_rating(current)),
                detail=f"job {entry.job_id} died while writing it: {decision.reason}",
            )
        if settled:
            self._repository.settle_entries(settled, at=self._now())

    # -- undo -----------------------------------------------------------------------------

    def undo(
        self, *, undo_job_id: int, sides: SyncSides, job_id: int, reporter: Reporter
    ) -> SyncSummary:
        """Restore every value job ``undo_job_id`` wrote, unless it changed again since.

        Pending entries of a job that died are restored when the item holds what was being
        written, reported ``not_applied`` when it still holds the value before. The undone
        pairs stay as they are on later runs until a side changes again: their baseline is
        what the job's run agreed on and the restored side *holds* the restored value. The
        undo's own writes are journaled ahead like a run's, so undoing this job redoes it.
        """
        summary = SyncSummary()
        entries = [e for e in self._repository.journal(undo_job_id) if e.undone_by_job_id is None]
        if not entries:
            reporter.event("nothing_to_undo", f"job {undo_job_id}", detail="no journaled writes")
        undone: list[int] = []
        restores: list[tuple[JournalRecord, Rating | None]] = []
        for done, entry in enumerate(entries):
            reporter.check_cancelled()
            reporter.progress("undoing", done, len(entries))
            try:
                current = sides.side(Side(entry.side)).read(entry.item_key)
            except CrossfadeError as error:
                summary.errors += 1
                reporter.event(
                    "error", entry.item_key, level="error", detail=f"{error.code}: {error}"
                )
                continue
            decision = plan_undo(
                before=_rating(entry.before),
                after=_rating(entry.after),
                current=current,
                state=WriteState(entry.state),
            )
            if decision.action is UndoAction.CHANGED_SINCE:
                summary.skipped += 1
                reporter.event(
                    "changed_since", entry.item_key, level="warning", detail=decision.reason
                )
            elif decision.action is UndoAction.RESTORE:
                restores.append((entry, current))
            else:
                if decision.action is UndoAction.NOT_APPLIED:
                    summary.skipped += 1
                    reporter.event("not_applied", entry.item_key, detail=decision.reason)
                undone.append(entry.id)
        undone.extend(self._restore(restores, sides, job_id, reporter, summary))
        self._repository.mark_undone(undone, by_job_id=job_id)
        restored = summary.written_a + summary.written_b
        if restored:
            reporter.event(
                "undo_sticks",
                f"job {undo_job_id}",
                detail=f"{restored} restored pair{'s' if restored != 1 else ''} left as is "
                f"until a side changes; undo job {job_id} to redo",
            )
        reporter.progress("undoing", len(entries), len(entries))
        return summary

    def _restore(
        self,
        restores: Sequence[tuple[JournalRecord, Rating | None]],
        sides: SyncSides,
        job_id: int,
        reporter: Reporter,
        summary: SyncSummary,
    ) -> list[int]:
        """Write back the ``before`` of each entry (journaled ahead); the ids restored."""
        undone: list[int] = []
        now = self._now()
        for which in (Side.A, Side.B):
            mine = [(e, current) for e, current in restores if e.side == which.value]
            if not mine:
                continue
            self._repository.add_journal(
                job_id,
                [
                    NewJournalEntry(
                        track_link_id=entry.track_link_id,
                        side=entry.side,
                        item_key=entry.item_key,
                        before=_stars(current),
                        after=entry.before,
                        baseline_known_before=True,
                        baseline_before=entry.baseline_after,
                        state=WriteState.PENDING.value,
                        baseline_after=entry.baseline_after,
                    )
                    for entry, current in mine
                ],
            )
            outcomes = list(
                sides.side(which).write_many(
                    [RatingWrite(e.item_key, _rating(e.before)) for e, _ in mine]
                )
            )
            settled: list[SettledWrite] = []
            for index, (entry, current) in enumerate(mine):
                written = outcomes[index] if index < len(outcomes) else None
                if index >= len(outcomes) or isinstance(written, CrossfadeError):
                    state = WriteState.FAILED if index < len(outcomes) else WriteState.NOT_APPLIED
                    settled.append(_settled_undo(entry, state, entry.before))
                    if isinstance(written, CrossfadeError):
                        summary.errors += 1
                        reporter.event(
                            "error",
                            entry.item_key,
                            level="error",
                            detail=f"{written.code}: {written}",
                        )
                    continue
                assert not isinstance(written, CrossfadeError)
                settled.append(_settled_undo(entry, WriteState.DONE, _stars(written)))
                undone.append(entry.id)
                if which is Side.A:
                    summary.written_a += 1
                else:
                    summary.written_b += 1
                reporter.event(
                    "write_a" if which is Side.A else "write_b",
                    entry.item_key,
                    before=format_rating(current),
                    after=format_rating(written),
                    detail=f"{_restore_reason(entry, current)}; left as is until a side changes",
                )
            self._repository.settle_journal(job_id, settled, at=now)
        return undone

    # -- conflicts ------------------------------------------------------------------------

    def resolve_conflict(
        self,
        *,
        conflict_id: int,
        choice: str,
        custom: Rating | None,
        sides: SyncSides,
        rules: LinkRules,
    ) -> str:
        """Apply a person's choice to both sides and record the baseline.

        ``choice``: keep_a | keep_b | highest | lowest | custom | skip. Returns the new status.
        """
        conflict = self._repository.conflict(conflict_id)
        if conflict.status != "open":
            raise InvalidInput(f"conflict {conflict_id} is already {conflict.status}")
        if choice == "skip":
            self._repository.finish_conflict(
                conflict_id, status="skipped", resolution="skip", value=None
            )
            return "skipped"
        link = self._repository.track_link(conflict.track_link_id)
        a_now = sides.a.read(link.a_key)
        b_now = sides.b.read(link.b_key)
        chosen = _choose(choice, a_now, b_now, custom)
        merge_rules = MergeRules(direction=Direction.BOTH, policy=rules.policy)
        decisions = plan_resolution(a_now, b_now, chosen, merge_rules)
        for decision in decisions:
            if decision.writes:
                target = Side.A if decision.action is Action.WRITE_A else Side.B
                key = link.a_key if target is Side.A else link.b_key
                sides.side(target).write(key, decision.value, rated_at_s=None)
        self._repository.set_baselines([(link.id, _stars(chosen))], at=self._now())
        self._repository.finish_conflict(
            conflict_id, status="resolved", resolution=choice, value=_stars(chosen)
        )
        return "resolved"


CHOICES = ("keep_a", "keep_b", "highest", "lowest", "custom", "skip")


def _choose(
    choice: str, a: Rating | None, b: Rating | None, custom: Rating | None
) -> Rating | None:
    def order(rating: Rating | None) -> int:
        return 0 if rating is None else rating.half_stars

    if choice == "keep_a":
        return a
    if choice == "keep_b":
        return b
    if choice == "highest":
        return max(a, b, key=order)
    if choice == "lowest":
        return min(a, b, key=order)
    if choice == "custom":
        return custom
    raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")


def _name(label: str) -> str:
    """``"Artist – Title [key]"`` -> ``"Artist – Title"``."""
    return label.rsplit(" [", 1)[0]


def _by_name(items: Sequence[SideItem]) -> dict[str, list[SideItem]]:
    index: dict[str, list[SideItem]] = {}
    for item in items:
        if item.track.title:
            index.setdefault(_name(item_label(item)), []).append(item)
    return index


def _only(index: dict[str, list[SideItem]], label: str | None) -> SideItem | None:
    """The one item named like ``label`` (a moved file keeps its tags); None if not unique."""
    if not label:
        return None
    candidates = index.get(_name(label), [])
    return candidates[0] if len(candidates) == 1 else None
