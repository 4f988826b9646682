"""A conflict of the ratings sync resolved by a person: the choice written to both sides.

``choice`` is one of :data:`CHOICES`; both sides are written as
``app.domain.ratings.merge.plan_resolution`` plans, and the chosen value becomes the pair's
baseline. ``skip`` closes the conflict and writes nothing.

A conflict opened because a file's own rating tags disagree (read policy ``ask``; its evidence
names the side in ``in_file``) is resolved the same way, but that side has no one value to
keep: ``keep_<that side>`` is refused while its tags still disagree, and ``highest`` /
``lowest`` choose among the values its tags hold and the other side's rating. Writing the
chosen value makes the file's tags agree (the folder's write profile rewrites them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.links import Direction, Side
from app.domain.ratings.merge import Action, MergeRules, plan_resolution
from app.domain.ratings.value import Rating
from app.services.ports import RatingsRepositoryPort
from app.services.ratings.run.concurrency import SyncSides
from app.services.ratings.run.values import LinkRules, to_half_stars


class ConflictChoice(StrEnum):
    """What a person chose for a conflict."""

    KEEP_A = "keep_a"
    KEEP_B = "keep_b"
    HIGHEST = "highest"
    LOWEST = "lowest"
    CUSTOM = "custom"
    SKIP = "skip"


CHOICES = tuple(choice.value for choice in ConflictChoice)


class ConflictStatus(StrEnum):
    """A conflict's status as resolving it leaves it."""

    OPEN = "open"
    RESOLVED = "resolved"
    SKIPPED = "skipped"


def _choose(
    choice: str, a: Rating | None, b: Rating | None, custom: Rating | None
) -> Rating | None:
    def order(rating: Rating | None) -> int:
        return 0 if rating is None else rating.half_stars

    if choice == ConflictChoice.KEEP_A:
        return a
    if choice == ConflictChoice.KEEP_B:
        return b
    if choice == ConflictChoice.HIGHEST:
        return max(a, b, key=order)
    if choice == ConflictChoice.LOWEST:
        return min(a, b, key=order)
    if choice == ConflictChoice.CUSTOM:
        return custom
    raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")


def _choose_in_file(
    evidence: Mapping[str, Any],
    choice: str,
    a: Rating | None,
    b: Rating | None,
    custom: Rating | None,
) -> Rating | None:
    """:func:`_choose`, for a side whose own tags still disagree (it reads as no rating) with
    the values its tags held as the candidates."""
    current = {"a": a, "b": b}
    in_file = [side for side in evidence.get("in_file", ()) if current.get(side) is None]
    if not in_file:
        return _choose(choice, a, b, custom)
    if choice in (f"keep_{side}" for side in in_file):
        sides = " and ".join(side.upper() for side in in_file)
        raise InvalidInput(
            f"the rating tags of {sides} disagree, so there is no one value to keep: choose "
            "highest, lowest, custom (one of the values shown) or keep the other side"
        )
    if choice in (ConflictChoice.HIGHEST, ConflictChoice.LOWEST):
        candidates = [
            Rating(int(v)) for side in in_file for v in evidence.get(f"{side}_choices", ())
        ]
        candidates += [value for value in current.values() if value is not None]
        if not candidates:
            return None
        return max(candidates) if choice == ConflictChoice.HIGHEST else min(candidates)
    return _choose(choice, a, b, custom)


class ConflictResolution:
    """Applies a person's choice for one open conflict."""

    def __init__(self, repository: RatingsRepositoryPort, *, now: Callable[[], datetime]) -> None:
        self._repository = repository
        self._now = now

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
        if conflict.status != ConflictStatus.OPEN:
            raise InvalidInput(f"conflict {conflict_id} is already {conflict.status}")
        if choice == ConflictChoice.SKIP:
            self._repository.finish_conflict(
                conflict_id,
                status=ConflictStatus.SKIPPED.value,
                resolution=ConflictChoice.SKIP.value,
                value=None,
            )
            return ConflictStatus.SKIPPED
        link = self._repository.track_link(conflict.track_link_id)
        a_now = sides.a.read(link.a_key)
        b_now = sides.b.read(link.b_key)
        chosen = _choose_in_file(conflict.evidence, choice, a_now, b_now, custom)
        merge_rules = MergeRules(direction=Direction.BOTH, policy=rules.policy)
        decisions = plan_resolution(a_now, b_now, chosen, merge_rules)
        for decision in decisions:
            if decision.writes:
                target = Side.A if decision.action is Action.WRITE_A else Side.B
                key = link.a_key if target is Side.A else link.b_key
                sides.side(target).write(key, decision.value, rated_at_s=None)
        self._repository.set_baselines([(link.id, to_half_stars(chosen))], at=self._now())
        self._repository.finish_conflict(
            conflict_id,
            status=ConflictStatus.RESOLVED.value,
            resolution=choice,
            value=to_half_stars(chosen),
        )
        return ConflictStatus.RESOLVED
