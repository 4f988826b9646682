"""Read-only views for the dashboard: the overview (links with their last and next runs), the
rating distribution per library, the tag dialects found, unmatched items, searchable job
events and job reports.

Nothing here changes anything; pages and the API call these and render the values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from croniter import croniter

from app.domain.insights import DialectTally, UnmatchedEvent
from app.domain.jobs import EventLevel, JobEventRecord, JobRecord, JobStatus, Page
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind, Side
from app.domain.names import display_form, display_json
from app.domain.ratings.value import MAX_HALF_STARS, Rating
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.kinds import KindRegistry
from app.services.ports import LibraryRepositoryPort
from app.services.ratings.jobs import RATINGS_SYNC, RATINGS_UNDO
from app.services.repository_ports import InsightsRepositoryPort

UNRATED = "unrated"
WRITE_COUNTERS = ("written_a", "written_b")
UNDO_LOOKBACK = 50  # real runs of a link searched for the last one that wrote something
REPORT_FIELDS = ("seq", "created_at", "level", "action", "subject", "before", "after", "detail")


def rating_label(half_stars: int | None) -> str:
    """``None`` -> ``unrated``, 7 -> ``3½★``."""
    return UNRATED if half_stars is None else str(Rating(half_stars))


def server_now() -> datetime:
    """Now in this process's time zone: the one cron schedules are read in (``TZ``), as the
    scheduler (``app.services.jobs.scheduler``) reads them."""
    return datetime.now().astimezone()


def schedule_time(value: datetime) -> str:
    """``2026-03-15 03:00 CET``: a scheduled time in the server's zone, as cron means it."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def next_run_at(schedule: str | None, after: datetime) -> datetime | None:
    """When a five-field cron ``schedule`` fires next after ``after`` (same time zone), or
    ``None`` for no schedule or one croniter cannot read."""
    if not schedule or not croniter.is_valid(schedule):
        return None
    fire: datetime = croniter(schedule, after).get_next(datetime)
    return fire


@dataclass(frozen=True, slots=True)
class UndoTarget:
    """The run "Undo last run" would undo."""

    job: JobRecord
    writes: int
    undone_by: int | None  # the undo job that already named it

    @property
    def possible(self) -> bool:
        return self.writes > 0 and self.undone_by is None


@dataclass(frozen=True, slots=True)
class LinkSummary:
    link: LinkRecord
    library_a: LibraryRecord
    library_b: LibraryRecord
    last_job: JobRecord | None
    next_run_at: datetime | None
    open_conflicts: int
    review_matches: int

    @property
    def title(self) -> str:
        arrow = {"a_to_b": "→", "b_to_a": "←"}.get(self.link.direction, "⇄")
        return f"{self.library_a.name} {arrow} {self.library_b.name}"


@dataclass(frozen=True, slots=True)
class Overview:
    libraries: list[LibraryRecord]
    links: list[LinkSummary]
    open_conflicts: int
    review_matches: int

    @property
    def upcoming(self) -> list[LinkSummary]:
        """Enabled links with a schedule, soonest first."""
        scheduled = [s for s in self.links if s.next_run_at is not None and s.link.enabled]
        return sorted(scheduled, key=lambda s: (s.next_run_at, s.link.id))


@dataclass(frozen=True, slots=True)
class RatingBar:
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class LibraryRatings:
    """Agreed ratings (the baselines of synced pairs) of one music library, ½★ to 5★ and
    unrated, in that order."""

    library: LibraryRecord
    bars: tuple[RatingBar, ...]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    @property
    def rated(self) -> int:
        return sum(bar.count for bar in self.bars if bar.label != UNRATED)


@dataclass(frozen=True, slots=True)
class LibraryDialects:
    library: LibraryRecord
    tally: DialectTally

    @property
    def bars(self) -> tuple[RatingBar, ...]:
        """Dialects by files carrying them, most common first."""
        ranked = sorted(self.tally.dialects.items(), key=lambda item: (-item[1], item[0]))
        return tuple(RatingBar(name, count) for name, count in ranked)


def rating_bars(counts: Mapping[int | None, int]) -> tuple[RatingBar, ...]:
    """Every bucket from ½★ to 5★ then unrated, zero where nothing is counted."""
    bars = [RatingBar(rating_label(h), counts.get(h, 0)) for h in range(1, MAX_HALF_STARS + 1)]
    bars.append(RatingBar(UNRATED, counts.get(None, 0)))
    return tuple(bars)


def job_report(job: JobRecord) -> dict[str, Any]:
    """A job's summary for its downloadable report (no secrets live on a job)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "link_id": job.link_id,
        "dry_run": job.dry_run,
        "status": job.status.value,
        "trigger": job.trigger.value,
        "params": display_json(job.params),
        "counters": job.counters,
        "problems": job.problems,
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


def event_report(event: JobEventRecord) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "created_at": _iso(event.created_at),
        "level": event.level.value,
        "action": display_form(event.action),
        "subject": display_form(event.subject),
        "before": _shown(event.before),
        "after": _shown(event.after),
        "detail": _shown(event.detail),
    }


def _shown(text: str | None) -> str | None:
    """Events are stored in their display form already; this keeps reports one line per
    value and valid UTF-8 whatever a row holds."""
    return None if text is None else display_form(text)


def _writes(job: JobRecord) -> int:
    return sum(job.counters.get(name, 0) for name in WRITE_COUNTERS)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


class Insights:
    def __init__(
        self,
        repository: InsightsRepositoryPort,
        libraries: LibraryRepositoryPort,
        kinds: KindRegistry | None = None,
    ) -> None:
        self._repository = repository
        self._libraries = libraries
        registry = kinds if kinds is not None else builtin_kind_registry()
        # Music libraries: the kinds a ratings link can join.
        self._music_kinds = frozenset(registry.joining(LinkKind.RATINGS, Side.A))

    # -- overview and links ---------------------------------------------------------------

    def overview(self, *, now: datetime) -> Overview:
        libraries = self._libraries.libraries()
        return Overview(
            libraries=libraries,
            links=self._summaries(self._libraries.links(), libraries, now=now),
            open_conflicts=sum(self._repository.open_conflicts().values()),
            review_matches=sum(self._repository.matches_in_review().values()),
        )

    def link_summary(self, link_id: int, *, now: datetime) -> LinkSummary:
        link = self._libraries.link(link_id)
        return self._summaries([link], self._libraries.libraries(), now=now)[0]

    def _summaries(
        self, links: Sequence[LinkRecord], libraries: Sequence[LibraryRecord], *, now: datetime
    ) -> list[LinkSummary]:
        by_id = {library.id: library for library in libraries}
        last = self._repository.latest_jobs()
        conflicts = self._repository.open_conflicts()
        review = self._repository.matches_in_review()
        return [
            LinkSummary(
                link=link,
                library_a=by_id[link.library_a_id],
                library_b=by_id[link.library_b_id],
                last_job=last.get(link.id),
                next_run_at=next_run_at(link.schedule, now) if link.enabled else None,
                open_conflicts=conflicts.get(link.id, 0),
                review_matches=review.get(link.id, 0),
            )
            for link in links
        ]

    def recent_jobs_of_link(self, link_id: int, *, limit: int = 10) -> list[JobRecord]:
        return self._repository.jobs_of_link(link_id, limit=limit)

    def undo_target(self, link_id: int) -> UndoTarget | None:
        """The newest finished real ratings sync of the link that wrote something (else the
        newest finished one), and whether an undo job already named it."""
        runs = [
            job
            for job in self._repository.jobs_of_link(
                link_id, kinds=[RATINGS_SYNC], limit=UNDO_LOOKBACK
            )
            if not job.dry_run and job.status.is_finished
        ]
        if not runs:
            return None
        target = next((job for job in runs if _writes(job) > 0), runs[0])
        undone_by = None
        for undo in self._repository.jobs_of_link(link_id, kinds=[RATINGS_UNDO], limit=500):
            if undo.params.get("undo_job_id") == target.id and undo.status is not JobStatus.FAILED:
                undone_by = undo.id
                break
        return UndoTarget(job=target, writes=_writes(target), undone_by=undone_by)

    # -- charts ---------------------------------------------------------------------------

    def rating_distributions(self) -> list[LibraryRatings]:
        """Agreed ratings of every music library, in library order."""
        counts = self._repository.agreed_ratings()
        return [
            LibraryRatings(library, rating_bars(counts.get(library.id, {})))
            for library in self._libraries.libraries()
            if library.kind in self._music_kinds
        ]

    def dialects(self) -> list[LibraryDialects]:
        """Rating dialects in the file-state cache of every music folder."""
        return [
            LibraryDialects(library, self._repository.dialect_tally(library.id))
            for library in self._libraries.libraries(kind=LibraryKind.MUSIC_FOLDER)
        ]

    def unmatched(
        self,
        *,
        text: str | None = None,
        link_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[UnmatchedEvent]:
        """Items without a partner in the newest successful real sync of each link."""
        latest = self._repository.latest_jobs(
            kinds=[RATINGS_SYNC], dry_run=False, statuses=[JobStatus.SUCCEEDED], link_id=link_id
        )
        job_ids = sorted(job.id for job in latest.values())
        return self._repository.unmatched(job_ids, text=text, limit=limit, offset=offset)

    # -- job events -----------------------------------------------------------------------

    def search_events(
        self,
        job_id: int,
        *,
        text: str | None = None,
        action: str | None = None,
        level: EventLevel | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[JobEventRecord]:
        return self._repository.search_events(
            job_id,
            text=(text or "").strip() or None,
            actions=[action] if action else (),
            levels=[level] if level else (),
            limit=limit,
            offset=offset,
        )

    def action_counts(self, job_id: int) -> dict[str, int]:
        """``action -> events`` of a job (for a dry run: the planned changes per action)."""
        return self._repository.action_counts(job_id)

    def iter_events(self, job_id: int) -> Iterator[JobEventRecord]:
        return self._repository.iter_events(job_id)
