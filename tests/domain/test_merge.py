"""The three-way merge: explicit tables for every rule, then an exhaustive sweep of invariants."""

from __future__ import annotations

import itertools

import pytest

from app.domain.errors import InvalidInput
from app.domain.links import Direction, Mode, Side, writable_sides
from app.domain.ratings.merge import (
    Action,
    Baseline,
    MergeDecision,
    MergeRules,
    Policy,
    RatingValue,
    UndoAction,
    format_rating,
    merge,
    plan_resolution,
    plan_undo,
)
from app.domain.ratings.value import Rating

A, B = Side.A, Side.B
NO_BASELINE = object()  # marks "first run" in the tables (Baseline(None) is a real baseline)


HalfStars = int | None  # the tables spell ratings as half stars, None for unrated


def R(half_stars: HalfStars) -> RatingValue:
    return None if half_stars is None else Rating(half_stars)


def _baseline(value: object) -> Baseline | None:
    if value is NO_BASELINE:
        return None
    if isinstance(value, Rating):
        return Baseline(value)
    assert value is None or isinstance(value, int)
    return Baseline(R(value))


SYNC = MergeRules()


# (a, b, baseline, rules, action, value, new baseline rating or "keep")
@pytest.mark.parametrize(
    ("a", "b", "base", "rules", "action", "value", "new_base"),
    [
        # unchanged on both sides
        (6, 6, 6, SYNC, Action.NONE, 6, "keep"),
        (None, None, None, SYNC, Action.NONE, None, "keep"),
        # changed on one side only, copied to the other
        (8, 6, 6, SYNC, Action.WRITE_B, 8, 8),
        (6, 8, 6, SYNC, Action.WRITE_A, 8, 8),
        (None, 4, None, SYNC, Action.WRITE_A, 4, 4),  # baseline "agreed unrated", B rated
        (8, None, None, SYNC, Action.WRITE_B, 8, 8),
        # clearing is a change and propagates
        (None, 6, 6, SYNC, Action.WRITE_B, None, None),
        (6, None, 6, SYNC, Action.WRITE_A, None, None),
        # changed on both sides to the same value: record the baseline
        (8, 8, 6, SYNC, Action.RECORD_BASELINE, 8, 8),
        (None, None, 6, SYNC, Action.RECORD_BASELINE, None, None),
        (4, 4, None, SYNC, Action.RECORD_BASELINE, 4, 4),
        # changed on both sides differently: policy
        (8, 4, 6, SYNC, Action.CONFLICT, None, "keep"),
        (8, 4, 6, MergeRules(policy=Policy.PREFER_A), Action.WRITE_B, 8, 8),
        (8, 4, 6, MergeRules(policy=Policy.PREFER_B), Action.WRITE_A, 4, 4),
        (8, 4, 6, MergeRules(policy=Policy.HIGHEST), Action.WRITE_B, 8, 8),
        (4, 8, 6, MergeRules(policy=Policy.HIGHEST), Action.WRITE_A, 8, 8),
        (8, 4, 6, MergeRules(policy=Policy.LOWEST), Action.WRITE_A, 4, 4),
        (4, 8, 6, MergeRules(policy=Policy.LOWEST), Action.WRITE_B, 4, 4),
        (8, 2, None, SYNC, Action.CONFLICT, None, "keep"),
        # unrated counts as lower than any rating for highest/lowest
        (8, None, 6, MergeRules(policy=Policy.HIGHEST), Action.WRITE_B, 8, 8),
        (8, None, 6, MergeRules(policy=Policy.LOWEST), Action.WRITE_A, None, None),
        (None, 1, 6, MergeRules(policy=Policy.LOWEST), Action.WRITE_B, None, None),
        # first run
        (None, None, NO_BASELINE, SYNC, Action.RECORD_BASELINE, None, None),
        (6, 6, NO_BASELINE, SYNC, Action.RECORD_BASELINE, 6, 6),
        (6, None, NO_BASELINE, SYNC, Action.WRITE_B, 6, 6),
        (None, 6, NO_BASELINE, SYNC, Action.WRITE_A, 6, 6),
        (6, 8, NO_BASELINE, SYNC, Action.CONFLICT, None, "keep"),
        (6, 8, NO_BASELINE, MergeRules(first_run_primary=A), Action.WRITE_B, 6, 6),
        (6, 8, NO_BASELINE, MergeRules(first_run_primary=B), Action.WRITE_A, 8, 8),
        # the primary side beats the policy on a first run ...
        (
            6,
            8,
            NO_BASELINE,
            MergeRules(policy=Policy.PREFER_A, first_run_primary=B),
            Action.WRITE_A,
            8,
            8,
        ),
        # ... and the policy decides when no primary side is configured
        (6, 8, NO_BASELINE, MergeRules(policy=Policy.HIGHEST), Action.WRITE_A, 8, 8),
        (6, 8, NO_BASELINE, MergeRules(policy=Policy.PREFER_A), Action.WRITE_B, 6, 6),
        # ... but only for a first run: with a baseline the primary side plays no part
        (8, 4, 6, MergeRules(first_run_primary=A), Action.CONFLICT, None, "keep"),
        # first run, one side rated: copied even against the primary side
        (None, 6, NO_BASELINE, MergeRules(first_run_primary=A), Action.WRITE_A, 6, 6),
    ],
)
def test_merge_rules(
    a: HalfStars,
    b: HalfStars,
    base: object,
    rules: MergeRules,
    action: Action,
    value: HalfStars,
    new_base: object,
) -> None:
    decision = merge(R(a), R(b), _baseline(base), rules)
    assert decision.action is action
    assert decision.value == R(value)
    expected_baseline = None if new_base == "keep" else _baseline(new_base)
    assert decision.new_baseline == expected_baseline


@pytest.mark.parametrize(
    ("a_at", "b_at", "action", "value", "reason_end"),
    [
        (200.0, 100.0, Action.WRITE_B, 8, "policy newest: A newer; copy to B"),
        (100.0, 200.0, Action.WRITE_A, 4, "policy newest: B newer; copy to A"),
        (100.0, 100.0, Action.CONFLICT, None, "both changed at the same time: conflict"),
        (None, 200.0, Action.CONFLICT, None, "no change time for A: conflict"),
        (100.0, None, Action.CONFLICT, None, "no change time for B: conflict"),
        (None, None, Action.CONFLICT, None, "no change time for A and B: conflict"),
    ],
)
def test_policy_newest_uses_change_times(
    a_at: float | None,
    b_at: float | None,
    action: Action,
    value: HalfStars,
    reason_end: str,
) -> None:
    rules = MergeRules(policy=Policy.NEWEST)
    decision = merge(R(8), R(4), _baseline(6), rules, a_rated_at_s=a_at, b_rated_at_s=b_at)
    assert (decision.action, decision.value) == (action, R(value))
    assert decision.reason.endswith(reason_end)


@pytest.mark.parametrize(
    ("a", "b", "rules", "action", "target"),
    [
        # one-way links: a change on the read-only side is reported, not written
        (8, 6, MergeRules(direction=Direction.A_TO_B), Action.WRITE_B, B),
        (6, 8, MergeRules(direction=Direction.A_TO_B), Action.SKIP_DIRECTION, A),
        (6, 8, MergeRules(direction=Direction.B_TO_A), Action.WRITE_A, A),
        (8, 6, MergeRules(direction=Direction.B_TO_A), Action.SKIP_DIRECTION, B),
        (None, 6, MergeRules(direction=Direction.B_TO_A), Action.SKIP_DIRECTION, B),
        # a policy winner on the read-only side cannot be written back
        (
            8,
            4,
            MergeRules(direction=Direction.A_TO_B, policy=Policy.PREFER_B),
            Action.SKIP_DIRECTION,
            A,
        ),
        (8, 4, MergeRules(direction=Direction.A_TO_B, policy=Policy.PREFER_A), Action.WRITE_B, B),
        # a direction and a mode that exclude each other write nothing
        (
            6,
            8,
            MergeRules(direction=Direction.A_TO_B, mode=Mode.EXPORT, files_side=A),
            Action.SKIP_DIRECTION,
            A,
        ),
        # agreement is recorded whatever the run may write
        (8, 8, MergeRules(mode=Mode.EXPORT, files_side=B), Action.RECORD_BASELINE, None),
        (
            8,
            8,
            MergeRules(direction=Direction.A_TO_B, mode=Mode.EXPORT, files_side=A),
            Action.RECORD_BASELINE,
            None,
        ),
    ],
)
def test_direction_and_mode_limit_the_written_side(
    a: HalfStars, b: HalfStars, rules: MergeRules, action: Action, target: Side | None
) -> None:
    decision = merge(R(a), R(b), _baseline(6), rules)
    assert decision.action is action
    assert decision.target is target
    if action is Action.SKIP_DIRECTION:
        assert decision.new_baseline is None
        assert not decision.writes


@pytest.mark.parametrize(
    ("a", "b", "base", "rules", "reason"),
    [
        (6, None, 6, SYNC, "changed on B only: 3★ -> cleared; copy to A"),
        (7, 6, 6, SYNC, "changed on A only: 3★ -> 3½★; copy to B"),
        (6, 6, 6, SYNC, "unchanged on both sides (3★)"),
        (8, 8, 6, SYNC, "both changed to 4★ (was 3★): baseline recorded"),
        (
            8,
            None,
            6,
            MergeRules(policy=Policy.NEWEST),
            "both changed (was 3★): A 4★, B cleared; policy newest: no change time for A and B:"
            " conflict",
        ),
        (None, None, NO_BASELINE, SYNC, "first run: both unrated: baseline recorded"),
        (1, None, NO_BASELINE, SYNC, "first run: only A rated (½★); copy to B"),
        (
            6,
            8,
            NO_BASELINE,
            MergeRules(first_run_primary=B),
            "first run: A 3★, B 4★; primary side B wins; copy to A",
        ),
        (
            6,
            8,
            NO_BASELINE,
            MergeRules(policy=Policy.LOWEST),
            "first run: A 3★, B 4★; policy lowest: A lower; copy to B",
        ),
        (
            6,
            8,
            6,
            MergeRules(direction=Direction.A_TO_B),
            "changed on B only: 3★ -> 4★; not written to A: the link's direction is a_to_b",
        ),
        (
            6,
            8,
            6,
            MergeRules(mode=Mode.EXPORT, files_side=B),
            "export: A 3★ wins over 4★; copy to B",
        ),
        (
            None,
            8,
            6,
            MergeRules(mode=Mode.EXPORT, files_side=B),
            "export: A unrated, B keeps 4★ (an unrated source clears nothing)",
        ),
        (
            6,
            8,
            6,
            MergeRules(direction=Direction.B_TO_A, mode=Mode.EXPORT, files_side=B),
            "export: A 3★ wins over 4★; not written to B: the link's direction is b_to_a",
        ),
    ],
)
def test_reasons_read_well(
    a: HalfStars, b: HalfStars, base: object, rules: MergeRules, reason: str
) -> None:
    assert merge(R(a), R(b), _baseline(base), rules).reason == reason


# PMRS's table, Plex on A and the files on B: import = files -> Plex, export = Plex -> files.
# The baseline plays no part in who wins; it is only recorded where both sides end equal.
IMPORT_B = MergeRules(mode=Mode.IMPORT, files_side=B, policy=Policy.PREFER_A)
EXPORT_B = MergeRules(mode=Mode.EXPORT, files_side=B, policy=Policy.PREFER_B)


@pytest.mark.parametrize("base", [NO_BASELINE, None, 4, 6, 8])
@pytest.mark.parametrize(
    ("plex", "file", "rules", "action", "value"),
    [
        # import: every rated file that differs from Plex goes to Plex ...
        (None, 6, IMPORT_B, Action.WRITE_A, 6),
        (8, 6, IMPORT_B, Action.WRITE_A, 6),
        (6, 8, IMPORT_B, Action.WRITE_A, 8),
        # ... an unrated file never clears Plex
        (8, None, IMPORT_B, Action.KEEP, None),
        # export: every rated Plex value that differs goes to the file ...
        (6, None, EXPORT_B, Action.WRITE_B, 6),
        (6, 8, EXPORT_B, Action.WRITE_B, 6),
        (8, 6, EXPORT_B, Action.WRITE_B, 8),
        # ... an unrated Plex never clears a file
        (None, 8, EXPORT_B, Action.KEEP, None),
    ],
)
def test_import_and_export_follow_pmrs(
    plex: HalfStars,
    file: HalfStars,
    rules: MergeRules,
    action: Action,
    value: HalfStars,
    base: object,
) -> None:
    decision = merge(R(plex), R(file), _baseline(base), rules)
    assert (decision.action, decision.value) == (action, R(value))
    if decision.writes:
        assert decision.new_baseline == Baseline(R(value))
    else:
        assert decision.new_baseline is None and decision.target is None


@pytest.mark.parametrize("rules", [IMPORT_B, EXPORT_B])
@pytest.mark.parametrize(
    ("value", "base", "action"),
    [
        (6, 6, Action.NONE),
        (6, 4, Action.RECORD_BASELINE),
        (None, 6, Action.RECORD_BASELINE),
        (6, NO_BASELINE, Action.RECORD_BASELINE),
    ],
)
def test_one_way_runs_record_what_both_sides_hold(
    rules: MergeRules, value: HalfStars, base: object, action: Action
) -> None:
    decision = merge(R(value), R(value), _baseline(base), rules)
    assert decision.action is action
    assert decision.new_baseline == (None if action is Action.NONE else Baseline(R(value)))


@pytest.mark.parametrize("mode", [Mode.IMPORT, Mode.EXPORT])
def test_import_and_export_need_the_files_side(mode: Mode) -> None:
    with pytest.raises(InvalidInput, match="holds the files"):
        MergeRules(mode=mode)
    with pytest.raises(InvalidInput, match="holds the files"):
        writable_sides(Direction.BOTH, mode, None)


@pytest.mark.parametrize(
    ("rating", "shown"),
    [(None, "unrated"), (1, "½★"), (2, "1★"), (3, "1½★"), (7, "3½★"), (9, "4½★"), (10, "5★")],
)
def test_format_rating(rating: HalfStars, shown: str) -> None:
    assert format_rating(R(rating)) == shown


# --- exhaustive sweep --------------------------------------------------------------------------

# unrated, low, high; baselines: none (first run), unrated, equal to a value, equal to neither
VALUES: list[RatingValue] = [None, Rating(2), Rating(8)]
BASELINES: list[object] = [NO_BASELINE, None, Rating(2), Rating(5)]
RUN_SHAPES: list[tuple[Mode, Side | None]] = [
    (Mode.SYNC, None),
    (Mode.IMPORT, A),
    (Mode.IMPORT, B),
    (Mode.EXPORT, A),
    (Mode.EXPORT, B),
]
TIMES: list[tuple[float | None, float | None]] = [(None, None), (1.0, 2.0), (2.0, 1.0), (1.0, 1.0)]


def _all_cases() -> list[
    tuple[RatingValue, RatingValue, object, MergeRules, float | None, float | None]
]:
    cases = []
    for a, b, base, direction, (mode, files_side), policy, primary, (
        a_at,
        b_at,
    ) in itertools.product(
        VALUES, VALUES, BASELINES, Direction, RUN_SHAPES, Policy, [None, A, B], TIMES
    ):
        rules = MergeRules(direction, mode, policy, files_side, primary)
        cases.append((a, b, base, rules, a_at, b_at))
    return cases


def _mirror(rules: MergeRules) -> MergeRules:
    """The same link seen with A and B swapped."""
    direction = {
        Direction.BOTH: Direction.BOTH,
        Direction.A_TO_B: Direction.B_TO_A,
        Direction.B_TO_A: Direction.A_TO_B,
    }[rules.direction]
    policy = {Policy.PREFER_A: Policy.PREFER_B, Policy.PREFER_B: Policy.PREFER_A}.get(
        rules.policy, rules.policy
    )
    files_side = rules.files_side.other if rules.files_side else None
    primary = rules.first_run_primary.other if rules.first_run_primary else None
    return MergeRules(direction, rules.mode, policy, files_side, primary)


MIRRORED_ACTION = {
    Action.WRITE_A: Action.WRITE_B,
    Action.WRITE_B: Action.WRITE_A,
}


def _check_invariants(
    a: RatingValue,
    b: RatingValue,
    baseline: Baseline | None,
    rules: MergeRules,
    a_at: float | None,
    b_at: float | None,
    decision: MergeDecision,
) -> None:
    current = {A: a, B: b}
    changed = {
        side: (baseline is None and value is not None)
        or (baseline is not None and value != baseline.rating)
        for side, value in current.items()
    }
    action = decision.action
    assert decision.reason
    if a == b:
        # agreement never writes; it is recorded unless it is the baseline already
        if baseline is not None and baseline.rating == a:
            assert action is Action.NONE
            assert decision.new_baseline is None
        else:
            assert action is Action.RECORD_BASELINE
            assert decision.new_baseline == Baseline(a)
        return
    assert action not in (Action.NONE, Action.RECORD_BASELINE)
    if rules.source is not None:
        _check_one_way(current, rules.source, rules, decision)
        return
    if action is Action.CONFLICT:
        assert changed[A] and changed[B], "a conflict needs a change on both sides"
        undecided_newest = rules.policy is Policy.NEWEST and (
            a_at is None or b_at is None or a_at == b_at
        )
        assert rules.policy is Policy.ASK or undecided_newest
        assert baseline is not None or rules.first_run_primary is None
        assert decision.new_baseline is None and decision.target is None
        return
    target = decision.target
    assert target is not None
    source = target.other
    # the value always comes from the other side, and is a real change for the target
    assert decision.value == current[source] != current[target]
    if changed[source] != changed[target]:
        assert changed[source], "a change on one side only is copied from that side"
    if action is Action.SKIP_DIRECTION:
        assert target not in rules.writable
        assert decision.new_baseline is None
    else:
        assert action is (Action.WRITE_A if target is A else Action.WRITE_B)
        assert target in rules.writable
        assert decision.new_baseline == Baseline(decision.value)


def _check_one_way(
    current: dict[Side, RatingValue], source: Side, rules: MergeRules, decision: MergeDecision
) -> None:
    """import/export: the rated source wins, an unrated source keeps the other side."""
    if current[source] is None:
        assert decision.action is Action.KEEP
        assert decision.new_baseline is None and decision.target is None
        return
    assert decision.target is source.other
    assert decision.value == current[source]
    if source.other in rules.writable:
        assert decision.writes and decision.new_baseline == Baseline(decision.value)
    else:
        assert decision.action is Action.SKIP_DIRECTION and decision.new_baseline is None


def test_every_combination_keeps_the_invariants() -> None:
    cases = _all_cases()
    assert len(cases) == 3 * 3 * 4 * 3 * 5 * 6 * 3 * 4
    for a, b, base, rules, a_at, b_at in cases:
        baseline = _baseline(base)
        decision = merge(a, b, baseline, rules, a_rated_at_s=a_at, b_rated_at_s=b_at)
        context = (a, b, base, rules, a_at, b_at, decision)
        try:
            _check_invariants(a, b, baseline, rules, a_at, b_at, decision)
        except AssertionError as error:
            raise AssertionError(f"{error}: {context}") from error
        # swapping the sides of the link mirrors the decision
        mirrored = merge(b, a, baseline, _mirror(rules), a_rated_at_s=b_at, b_rated_at_s=a_at)
        assert mirrored.action is MIRRORED_ACTION.get(decision.action, decision.action), context
        assert mirrored.value == decision.value, context
        assert mirrored.new_baseline == decision.new_baseline, context
        assert mirrored.target == (decision.target.other if decision.target else None), context


def test_applying_a_decision_converges() -> None:
    """After applying a write and recording its baseline, the next merge has nothing to do."""
    for a, b, base, rules, a_at, b_at in _all_cases():
        decision = merge(a, b, _baseline(base), rules, a_rated_at_s=a_at, b_rated_at_s=b_at)
        if decision.new_baseline is None:
            continue
        after_a = decision.value if decision.action is Action.WRITE_A else a
        after_b = decision.value if decision.action is Action.WRITE_B else b
        again = merge(after_a, after_b, decision.new_baseline, rules)
        assert again.action is Action.NONE, (a, b, base, rules, decision, again)


# --- conflicts resolved by a person ----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "chosen", "rules", "actions"),
    [
        (8, 4, 8, SYNC, [Action.WRITE_B]),
        (8, 4, 4, SYNC, [Action.WRITE_A]),
        (8, 4, 6, SYNC, [Action.WRITE_B, Action.WRITE_A]),
        (8, 4, None, SYNC, [Action.WRITE_B, Action.WRITE_A]),
        (6, 6, 6, SYNC, [Action.RECORD_BASELINE]),
        (8, 4, 4, MergeRules(direction=Direction.A_TO_B), [Action.SKIP_DIRECTION]),
    ],
)
def test_plan_resolution(
    a: HalfStars,
    b: HalfStars,
    chosen: HalfStars,
    rules: MergeRules,
    actions: list[Action],
) -> None:
    decisions = plan_resolution(R(a), R(b), R(chosen), rules)
    assert sorted(d.action for d in decisions) == sorted(actions)
    for decision in decisions:
        assert decision.value == R(chosen)
        if decision.action is Action.SKIP_DIRECTION:
            assert decision.new_baseline is None
        else:
            assert decision.new_baseline == Baseline(R(chosen))


# --- undo ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "current", "action", "value"),
    [
        (6, 8, 8, UndoAction.RESTORE, 6),
        (None, 8, 8, UndoAction.RESTORE, None),  # the job rated it: undo clears it
        (6, None, None, UndoAction.RESTORE, 6),  # the job cleared it: undo restores it
        (6, 8, 6, UndoAction.ALREADY_RESTORED, 6),
        (6, 8, 10, UndoAction.CHANGED_SINCE, 10),
        (6, 8, None, UndoAction.CHANGED_SINCE, None),
        (None, 8, 4, UndoAction.CHANGED_SINCE, 4),
        (6, 6, 6, UndoAction.ALREADY_RESTORED, 6),
    ],
)
def test_plan_undo(
    before: HalfStars,
    after: HalfStars,
    current: HalfStars,
    action: UndoAction,
    value: HalfStars,
) -> None:
    decision = plan_undo(before=R(before), after=R(after), current=R(current))
    assert (decision.action, decision.value) == (action, R(value))


def test_plan_undo_reasons() -> None:
    assert plan_undo(before=R(6), after=None, current=None).reason == "restore unrated -> 3★"
    assert plan_undo(before=R(6), after=R(8), current=R(8)).reason == "restore 4★ -> 3★"
    assert plan_undo(before=None, after=R(8), current=R(8)).reason == "restore 4★ -> cleared"
    assert (
        plan_undo(before=R(6), after=R(8), current=R(2)).reason
        == "changed since the job wrote 4★: now 1★, left alone"
    )
