"""What a person decides for the ratings sync: conflicts (the inbox) and weak matches."""

from __future__ import annotations

from app.domain.errors import InvalidInput
from app.domain.ratings.records import ConflictRecord, TrackLinkRecord
from app.domain.ratings.value import Rating
from app.services.libraries.service import SideFactory, link_rules
from app.services.ports import LibraryRepositoryPort, RatingsRepositoryPort
from app.services.ratings.run.conflicts import CHOICES
from app.services.ratings.run.sync import RatingsSync

MATCH_DECISIONS = {"confirm": "confirmed", "reject": "rejected"}


class RatingsReview:
    def __init__(
        self,
        libraries: LibraryRepositoryPort,
        sides: SideFactory,
        repository: RatingsRepositoryPort,
        ratings: RatingsSync,
    ) -> None:
        self._libraries = libraries
        self._sides = sides
        self._repository = repository
        self._ratings = ratings

    def conflicts(
        self, *, status: str | None, link_id: int | None, limit: int, offset: int
    ) -> tuple[list[ConflictRecord], int]:
        return self._repository.conflicts(
            status=status, link_id=link_id, limit=limit, offset=offset
        )

    def conflict(self, conflict_id: int) -> ConflictRecord:
        return self._repository.conflict(conflict_id)

    def resolve(
        self, conflict_id: int, *, choice: str, stars: float | None = None
    ) -> ConflictRecord:
        """Apply ``choice`` (keep_a | keep_b | highest | lowest | custom | skip) to both sides;
        ``custom`` takes ``stars`` (0 = unrated, 0.5 .. 5 in half steps)."""
        if choice not in CHOICES:
            raise InvalidInput(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
        custom: Rating | None = None
        if choice == "custom":
            if stars is None:
                raise InvalidInput("a custom choice needs stars (0 to 5)")
            custom = Rating.from_stars(stars)
        conflict = self._repository.conflict(conflict_id)
        link = self._libraries.link(conflict.link_id)
        with self._sides.sides(link, dry_run=False) as sides:
            self._ratings.resolve_conflict(
                conflict_id=conflict_id,
                choice=choice,
                custom=custom,
                sides=sides,
                rules=link_rules(link),
            )
        return self._repository.conflict(conflict_id)

    def matches(
        self, *, status: str | None, link_id: int | None, limit: int, offset: int
    ) -> tuple[list[TrackLinkRecord], int]:
        return self._repository.track_links_page(
            status=status, link_id=link_id, limit=limit, offset=offset
        )

    def decide_match(self, track_link_id: int, decision: str) -> TrackLinkRecord:
        """``confirm`` (synced from the next run on, kept when files move) or ``reject``."""
        status = MATCH_DECISIONS.get(decision)
        if status is None:
            raise InvalidInput(f"unknown decision {decision!r}; use confirm or reject")
        return self._repository.set_status(track_link_id, status)
