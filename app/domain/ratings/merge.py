"""Three-way merge of one matched pair's ratings against the stored baseline (pure).

A *pair* is two tracks that match (side A and side B of a ratings link). The *baseline* is the
last rating both sides agreed on; it is what lets a two-way sync tell which side changed:

=============================  ==========================================================
situation                      decision
=============================  ==========================================================
A == B == baseline             ``none``
A == B, baseline differs/none  ``record_baseline`` (both changed alike, or first run agree)
only A differs from baseline   ``write_b`` with A's value (clearing included), or
                               ``skip_direction`` if B may not be written in this run
only B differs from baseline   ``write_a`` with B's value, or ``skip_direction``
both differ, A != B            the link's policy picks a winner, ``ask`` -> ``conflict``
first run, one side rated      copy it to the other side (or ``skip_direction``)
first run, both rated, differ  the first-run primary side wins when one is configured,
                               otherwise the policy decides, ``ask`` -> ``conflict``
=============================  ==========================================================

That table is the ``sync`` mode. The one-way modes follow PlexMusicRatingsSync instead, with no
regard to the baseline: ``import`` (files -> Plex) and ``export`` (Plex -> files) have a *source*
side (the files for ``import``, the other side for ``export``) whose rating wins:

=============================  ==========================================================
source rated, other differs    copy the source's value to the other side (``write_*``)
source unrated, other rated    ``keep``: an unrated source clears nothing
both equal                     ``none`` or ``record_baseline`` as above
=============================  ==========================================================

Every value both sides hold after a one-way run is recorded as the baseline, so the next
``sync`` starts clean. Which sides may be written in a run is the intersection of the link's
direction (``both | a_to_b | b_to_a``) and the run's mode (``sync`` writes both sides;
``import`` writes only the non-files side; ``export`` writes only the files side). The service
says which side holds the files; see :func:`writable_sides`.

A decision that writes carries ``new_baseline``: the service records it only after the write
was verified by a re-read. ``skip_direction`` and ``conflict`` never move the baseline, so the
change is still seen on a later run that may write that side.

:func:`plan_undo` plans undoing one journaled write; :func:`plan_resolution` plans applying a
person's choice for a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import InvalidInput
from app.domain.journal import UndoAction as UndoAction
from app.domain.journal import UndoDecision as UndoDecision
from app.domain.journal import WriteState, plan_undo_write
from app.domain.links import Direction, Mode, Side, writable_sides
from app.domain.ratings.value import Rating

RatingValue = Rating | None
"""A pair side's rating: a :class:`~app.domain.ratings.value.Rating` (1..10 half stars) or ``None``
for unrated."""


class Policy(StrEnum):
    """How a pair changed differently on both sides (or rated differently on a first run) is
    settled."""

    PREFER_A = "prefer_a"
    PREFER_B = "prefer_b"
    NEWEST = "newest"
    HIGHEST = "highest"
    LOWEST = "lowest"
    ASK = "ask"


class Action(StrEnum):
    """What the service should do with a pair."""

    NONE = "none"
    WRITE_A = "write_a"
    WRITE_B = "write_b"
    RECORD_BASELINE = "record_baseline"
    CONFLICT = "conflict"
    SKIP_DIRECTION = "skip_direction"
    KEEP = "keep"
    """A one-way run's source is unrated: the other side keeps its rating (nothing cleared)."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """The last rating both sides of a pair agreed on, and when (epoch seconds, if known).

    Decisions carry baselines with ``agreed_at_s = None``: the service stamps the time when it
    stores one; the merge itself only compares ratings."""

    rating: RatingValue
    agreed_at_s: float | None = None


@dataclass(frozen=True, slots=True)
class MergeRules:
    """Everything about a link and a run that the merge needs; build one per run.

    ``files_side`` names the side that holds audio files; it is required for the modes
    ``import`` and ``export`` (which are defined relative to the files) and ignored by ``sync``.
    ``first_run_primary``, when set, wins first-run disagreements instead of the policy.
    """

    direction: Direction = Direction.BOTH
    mode: Mode = Mode.SYNC
    policy: Policy = Policy.ASK
    files_side: Side | None = None
    first_run_primary: Side | None = None

    def __post_init__(self) -> None:
        if self.mode is not Mode.SYNC and self.files_side is None:
            raise InvalidInput(
                f"mode {self.mode.value} needs to know which side holds the files; "
                "it only applies to links between Plex and a music folder"
            )

    @property
    def writable(self) -> frozenset[Side]:
        return writable_sides(self.direction, self.mode, self.files_side)

    @property
    def source(self) -> Side | None:
        """The side whose rating wins a one-way run (``None`` for ``sync``): the files for
        ``import``, the other side for ``export``."""
        if self.mode is Mode.SYNC or self.files_side is None:
            return None
        return self.files_side if self.mode is Mode.IMPORT else self.files_side.other


@dataclass(frozen=True, slots=True)
class MergeDecision:
    """The plan for one pair.

    ``target`` is the side written (``write_a``/``write_b``) or the side that would have been
    written but may not be in this run (``skip_direction``); otherwise ``None``.
    ``value`` is the rating to write (``write_*``), that would have been written
    (``skip_direction``), or that both sides agree on (``record_baseline``, ``none``); ``None``
    for a conflict (and, of course, whenever the rating in question is "unrated").
    ``new_baseline`` is to be recorded after the write is verified (or at once for
    ``record_baseline``); ``None`` means leave the stored baseline as it is.
    ``reason`` is one human sentence for the plan, the job report and the dry run.
    """

    action: Action
    value: RatingValue
    new_baseline: Baseline | None
    reason: str
    target: Side | None = None

    @property
    def writes(self) -> bool:
        return self.action in (Action.WRITE_A, Action.WRITE_B)


def format_rating(rating: RatingValue) -> str:
    """``None`` -> ``"unrated"``; 7 half stars -> ``"3½★"``, 1 -> ``"½★"``, 10 -> ``"5★"``."""
    if rating is None:
        return "unrated"
    whole, half = divmod(rating.half_stars, 2)
    if whole == 0:
        return "½★"
    return f"{whole}{'½' if half else ''}★"


def merge(
    a: RatingValue,
    b: RatingValue,
    baseline: Baseline | None,
    rules: MergeRules,
    *,
    a_rated_at_s: float | None = None,
    b_rated_at_s: float | None = None,
) -> MergeDecision:
    """Decide what to do with one pair.

    ``a`` and ``b`` are the current ratings; ``baseline`` is the stored last agreement or
    ``None`` on the first run for this pair. ``a_rated_at_s`` / ``b_rated_at_s`` are when each
    side last changed, in epoch seconds (Plex ``lastRatedAt``, a file's mtime); only the
    ``newest`` policy reads them.
    """
    if rules.source is not None:
        return _one_way(a, b, baseline, rules, rules.source)
    if baseline is None:
        return _first_run(a, b, rules, a_rated_at_s, b_rated_at_s)

    base = baseline.rating
    if a == b:
        if a == base:
            return MergeDecision(
                Action.NONE, a, None, f"unchanged on both sides ({format_rating(a)})"
            )
        return MergeDecision(
            Action.RECORD_BASELINE,
            a,
            Baseline(a),
            f"both changed to {format_rating(a)} (was {format_rating(base)}): baseline recorded",
        )
    if b == base:
        return _copy(Side.A, a, rules, f"changed on A only: {_change(base, a)}")
    if a == base:
        return _copy(Side.B, b, rules, f"changed on B only: {_change(base, b)}")
    context = f"both changed (was {format_rating(base)}): A {_shown(base, a)}, B {_shown(base, b)}"
    return _settle(a, b, rules, context, a_rated_at_s, b_rated_at_s)


def _one_way(
    a: RatingValue, b: RatingValue, baseline: Baseline | None, rules: MergeRules, source: Side
) -> MergeDecision:
    """``import``/``export``: the source's rating wins wherever it is rated and differs; an
    unrated source clears nothing; the baseline only records what both sides hold."""
    mode = rules.mode.value
    if a == b:
        if baseline is not None and baseline.rating == a:
            return MergeDecision(Action.NONE, a, None, f"{mode}: both {format_rating(a)}")
        return MergeDecision(
            Action.RECORD_BASELINE,
            a,
            Baseline(a),
            f"{mode}: both {format_rating(a)}: baseline recorded",
        )
    value, other = (a, b) if source is Side.A else (b, a)
    if value is None:
        return MergeDecision(
            Action.KEEP,
            None,
            None,
            f"{mode}: {source.name} unrated, {source.other.name} keeps {format_rating(other)}"
            " (an unrated source clears nothing)",
        )
    context = f"{mode}: {source.name} {format_rating(value)} wins over {format_rating(other)}"
    return _copy(source, value, rules, context)


def _first_run(
    a: RatingValue,
    b: RatingValue,
    rules: MergeRules,
    a_rated_at_s: float | None,
    b_rated_at_s: float | None,
) -> MergeDecision:
    if a == b:
        return MergeDecision(
            Action.RECORD_BASELINE,
            a,
            Baseline(a),
            f"first run: both {format_rating(a)}: baseline recorded",
        )
    if b is None:
        return _copy(Side.A, a, rules, f"first run: only A rated ({format_rating(a)})")
    if a is None:
        return _copy(Side.B, b, rules, f"first run: only B rated ({format_rating(b)})")
    context = f"first run: A {format_rating(a)}, B {format_rating(b)}"
    primary = rules.first_run_primary
    if primary is not None:
        winner_value = a if primary is Side.A else b
        return _copy(primary, winner_value, rules, f"{context}; primary side {primary.name} wins")
    return _settle(a, b, rules, context, a_rated_at_s, b_rated_at_s)


def _settle(
    a: RatingValue,
    b: RatingValue,
    rules: MergeRules,
    context: str,
    a_rated_at_s: float | None,
    b_rated_at_s: float | None,
) -> MergeDecision:
    """Both sides hold different values that each count as a change: apply the policy."""
    winner: Side | None
    policy = rules.policy
    if policy is Policy.PREFER_A:
        winner, why = Side.A, "policy prefer_a"
    elif policy is Policy.PREFER_B:
        winner, why = Side.B, "policy prefer_b"
    elif policy is Policy.HIGHEST:
        winner = Side.A if _order(a) > _order(b) else Side.B
        why = f"policy highest: {winner.name} higher"
    elif policy is Policy.LOWEST:
        winner = Side.A if _order(a) < _order(b) else Side.B
        why = f"policy lowest: {winner.name} lower"
    elif policy is Policy.NEWEST:
        winner, why = _newest(a_rated_at_s, b_rated_at_s)
    else:
        winner, why = None, "policy ask"
    if winner is None:
        return MergeDecision(Action.CONFLICT, None, None, f"{context}; {why}: conflict")
    value = a if winner is Side.A else b
    return _copy(winner, value, rules, f"{context}; {why}")


def _newest(a_rated_at_s: float | None, b_rated_at_s: float | None) -> tuple[Side | None, str]:
    if a_rated_at_s is None or b_rated_at_s is None:
        missing = " and ".join(
            name for name, at in (("A", a_rated_at_s), ("B", b_rated_at_s)) if at is None
        )
        return None, f"policy newest: no change time for {missing}"
    if a_rated_at_s == b_rated_at_s:
        return None, "policy newest: both changed at the same time"
    winner = Side.A if a_rated_at_s > b_rated_at_s else Side.B
    return winner, f"policy newest: {winner.name} newer"


def _copy(source: Side, value: RatingValue, rules: MergeRules, context: str) -> MergeDecision:
    """Copy ``value`` from ``source`` to the other side, if this run may write it."""
    target = source.other
    if target not in rules.writable:
        return MergeDecision(
            Action.SKIP_DIRECTION,
            value,
            None,
            f"{context}; not written to {target.name}: {_why_read_only(target, rules)}",
            target,
        )
    action = Action.WRITE_B if target is Side.B else Action.WRITE_A
    return MergeDecision(
        action, value, Baseline(value), f"{context}; copy to {target.name}", target
    )


def _why_read_only(side: Side, rules: MergeRules) -> str:
    if side not in writable_sides(rules.direction, Mode.SYNC, rules.files_side):
        return f"the link's direction is {rules.direction.value}"
    by_mode = writable_sides(Direction.BOTH, rules.mode, rules.files_side)
    return f"mode {rules.mode.value} writes only {' and '.join(s.name for s in sorted(by_mode))}"


def _change(before: RatingValue, after: RatingValue) -> str:
    return f"{format_rating(before)} -> {_shown(before, after)}"


def _shown(before: RatingValue, after: RatingValue) -> str:
    """A new value as a person reads it: a value that replaced a rating with none is
    "cleared"."""
    if after is None and before is not None:
        return "cleared"
    return format_rating(after)


def _order(rating: RatingValue) -> int:
    """Unrated sorts below every rating (it is Plex's and every dialect's 0)."""
    return 0 if rating is None else rating.half_stars


# --- conflicts resolved by a person ---------------------------------------------------------


def plan_resolution(
    a: RatingValue, b: RatingValue, chosen: RatingValue, rules: MergeRules
) -> tuple[MergeDecision, ...]:
    """Plan applying a person's chosen value to both sides of a conflicted pair.

    Returns one decision per side that does not already hold ``chosen`` (``write_a`` /
    ``write_b``, or ``skip_direction`` if this run may not write that side), or a single
    ``record_baseline`` when both sides already agree with the choice. Every write carries
    ``new_baseline = Baseline(chosen)``; the service records it once every write in the tuple
    was verified (never if one was skipped or failed, since the sides would still disagree).
    """
    context = f"conflict resolved: {format_rating(chosen)} chosen"
    decisions = []
    for side, current in ((Side.A, a), (Side.B, b)):
        if current == chosen:
            continue
        decisions.append(
            _copy(side.other, chosen, rules, f"{context} ({side.name} {format_rating(current)})")
        )
    if not decisions:
        return (
            MergeDecision(
                Action.RECORD_BASELINE,
                chosen,
                Baseline(chosen),
                f"{context}; both sides already agree: baseline recorded",
            ),
        )
    return tuple(decisions)


# --- undo -----------------------------------------------------------------------------------


def plan_undo(
    *,
    before: RatingValue,
    after: RatingValue,
    current: RatingValue,
    state: WriteState = WriteState.DONE,
) -> UndoDecision[RatingValue]:
    """Plan undoing one journaled rating write (``before`` -> ``after``, in ``state``) given
    the side's ``current`` rating: :func:`app.domain.journal.plan_undo_write` with ratings.

    The write is undone only if the side still holds what the job wrote; a value that differs
    from the journaled ``after`` was changed since (by a person or a later job) and wins.
    """
    decision = plan_undo_write(
        state=state, before=before, after=after, current=current, describe=format_rating
    )
    if decision.action is UndoAction.RESTORE:
        return UndoDecision(UndoAction.RESTORE, before, f"restore {_change(after, before)}")
    return decision
