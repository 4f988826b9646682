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

The steps live in their own modules of this package: :mod:`~app.services.ratings.run.pairing`
(match), :mod:`~app.services.ratings.run.concurrency` (the helper threads of scan and writes),
:mod:`~app.services.ratings.run.journal` (the write-ahead journal and the crash reconcile),
:mod:`~app.services.ratings.run.undo` and :mod:`~app.services.ratings.run.conflicts`; the
values they pass are in :mod:`~app.services.ratings.run.values`. :class:`RatingsSync` is the
one entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from app.adapters.gc_pause import FULL_GC
from app.domain.errors import CrossfadeError, InvalidInput
from app.domain.jobs import EventLevel
from app.domain.links import Mode
from app.domain.ratings.merge import (
    Action,
    Baseline,
    MergeDecision,
    MergeRules,
    Policy,
    format_rating,
    merge,
)
from app.domain.ratings.records import NewConflict, TrackLinkRecord
from app.domain.ratings.value import Rating
from app.services.ports import RatingsRepositoryPort, Reporter, SideItem
from app.services.ratings.run.concurrency import SyncSides, Writes
from app.services.ratings.run.conflicts import ConflictResolution
from app.services.ratings.run.journal import WriteJournal, reconcile
from app.services.ratings.run.pairing import Pair, Pairing
from app.services.ratings.run.undo import RatingsUndo
from app.services.ratings.run.values import (
    LinkRules,
    PlannedPair,
    RatingsEvent,
    RunPhase,
    SyncSummary,
    held_value,
    item_label,
    to_half_stars,
    to_rating,
)


class RatingsSync:
    """Runs the sync of one ratings link, undoes its jobs and resolves its conflicts;
    stateless between runs except for the repository."""

    def __init__(self, repository: RatingsRepositoryPort, *, now: Callable[[], datetime]) -> None:
        self._repository = repository
        self._now = now
        self._pairing = Pairing(repository)
        self._undo = RatingsUndo(repository, now=now)
        self._conflicts = ConflictResolution(repository, now=now)

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
                reconcile(
                    self._repository,
                    link_id,
                    lambda side, key: to_half_stars(sides.side(side).read(key)),
                    job_id,
                    reporter,
                    self._now,
                )
            existing: list[TrackLinkRecord] = []
            items_a, items_b = sides.scan(
                reporter, load=lambda: existing.extend(self._repository.track_links(link_id))
            )
            summary.items_a, summary.items_b = len(items_a), len(items_b)
            reporter.progress(RunPhase.MATCHING, 0, None)
            pairs = self._pairing.match(
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

    # -- planning -------------------------------------------------------------------------

    def _plan(
        self,
        pairs: Sequence[Pair],
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
                reporter.progress(RunPhase.PLANNING, done, total)
            if a_item.undecided or b_item.undecided:
                planned.append(_in_file_conflict(link, a_item, b_item))
                self._report_plan(planned[-1], reporter, summary)
                continue
            for item in (a_item, b_item):
                if item.disagreement:
                    reporter.event(
                        RatingsEvent.TAGS_DISAGREE,
                        item_label(item),
                        level=EventLevel.WARNING,
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
                    Baseline(to_rating(baseline_rating)) if baseline_known else None,
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
        reporter.progress(RunPhase.PLANNING, total, total)
        return planned

    @staticmethod
    def _report_plan(pair: PlannedPair, reporter: Reporter, summary: SyncSummary) -> None:
        decision = pair.decision
        if decision.action is Action.NONE:
            summary.unchanged += 1
        elif decision.action is Action.RECORD_BASELINE:
            summary.baselines_recorded += 1
        elif decision.action is Action.KEEP:
            summary.kept += 1
        elif decision.writes:
            target = pair.a if decision.action is Action.WRITE_A else pair.b
            reporter.event(
                RatingsEvent.WRITE_A if decision.action is Action.WRITE_A else RatingsEvent.WRITE_B,
                item_label(target),
                before=format_rating(target.rating),
                after=format_rating(decision.value),
                detail=decision.reason,
            )
        elif decision.action is Action.CONFLICT:
            summary.conflicts += 1
            reporter.event(
                RatingsEvent.CONFLICT,
                item_label(pair.a),
                level=EventLevel.WARNING,
                before=f"A {pair.a.evidence}",
                after=f"B {pair.b.evidence}",
                detail=decision.reason,
            )
        else:
            summary.skipped += 1
            reporter.event(RatingsEvent.SKIP_DIRECTION, item_label(pair.a), detail=decision.reason)

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
                    baselines.append((pair.track_link_id, to_half_stars(pair.decision.value)))
            elif action is Action.CONFLICT:
                conflicts.append(_new_conflict(pair.track_link_id, pair))
        self._repository.record_conflicts(link_id=link_id, job_id=job_id, conflicts=conflicts)
        done = Writes(writes, sides, WriteJournal(self._repository, job_id, now))
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
                    reporter.event(
                        RatingsEvent.ERROR, item_label(item), level=EventLevel.ERROR, detail=detail
                    )
                    continue
                summary.count_write(target)
                if pair.track_link_id is not None:
                    agreeing.append(pair.track_link_id)
            reporter.progress(RunPhase.WRITING, len(writes), len(writes))
            self._repository.set_baselines(baselines, at=now)
            self._repository.close_conflicts_for(agreeing, resolution="agreed")

    # -- undo and conflicts (own modules) -------------------------------------------------

    def undo(
        self, *, undo_job_id: int, sides: SyncSides, job_id: int, reporter: Reporter
    ) -> SyncSummary:
        """Restore every value job ``undo_job_id`` wrote, unless it changed again since
        (see :class:`~app.services.ratings.run.undo.RatingsUndo`)."""
        return self._undo.undo(
            undo_job_id=undo_job_id, sides=sides, job_id=job_id, reporter=reporter
        )

    def resolve_conflict(
        self,
        *,
        conflict_id: int,
        choice: str,
        custom: Rating | None,
        sides: SyncSides,
        rules: LinkRules,
    ) -> str:
        """Apply a person's choice to both sides and record the baseline; the new status
        (see :class:`~app.services.ratings.run.conflicts.ConflictResolution`)."""
        return self._conflicts.resolve_conflict(
            conflict_id=conflict_id, choice=choice, custom=custom, sides=sides, rules=rules
        )


def _unless_held(
    current: Rating | None, held: int | None, baseline_rating: int | None
) -> Rating | None:
    """A side still holding what a lossy write left in it is unchanged: it counts as the
    baseline (a WMA file that reads 4★ after 3½★ was written has not been re-rated)."""
    if held is not None and held_value(current) == held:
        return to_rating(baseline_rating)
    return current


def _in_file_conflict(
    link: TrackLinkRecord | None, a_item: SideItem, b_item: SideItem
) -> PlannedPair:
    """A pair whose file's rating tags disagree under read policy ``ask``: a conflict for a
    person, whatever the other side holds."""
    undecided = [name for name, item in (("A", a_item), ("B", b_item)) if item.undecided]
    reason = f"rating tags of {' and '.join(undecided)} disagree (read policy ask)"
    return PlannedPair(
        track_link_id=link.id if link is not None else None,
        a=a_item,
        b=b_item,
        baseline_known=link.baseline_known if link is not None else False,
        baseline_rating=link.baseline_rating if link is not None else None,
        decision=MergeDecision(Action.CONFLICT, None, None, reason),
    )


def _new_conflict(track_link_id: int, pair: PlannedPair) -> NewConflict:
    """The inbox entry of a conflicted pair; an in-file disagreement names its side(s) and the
    values its tags hold (``in_file``, ``a_choices`` / ``b_choices``, in half stars)."""
    evidence: dict[str, object] = {
        "a": pair.a.evidence,
        "b": pair.b.evidence,
        "a_label": item_label(pair.a),
        "b_label": item_label(pair.b),
        "reason": pair.decision.reason,
    }
    in_file = [side for side, item in (("a", pair.a), ("b", pair.b)) if item.undecided]
    if in_file:
        evidence["in_file"] = in_file
        for side, item in (("a", pair.a), ("b", pair.b)):
            if item.undecided:
                evidence[f"{side}_choices"] = list(item.choices)
    return NewConflict(
        track_link_id=track_link_id,
        value_a=to_half_stars(pair.a.rating),
        value_b=to_half_stars(pair.b.rating),
        baseline_known=pair.baseline_known,
        baseline_rating=pair.baseline_rating,
        evidence=evidence,
    )
