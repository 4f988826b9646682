"""The job kinds of the ratings sync: ``ratings_sync`` (a run of a link) and ``ratings_undo``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import InvalidInput, SetupError
from app.domain.links import Mode
from app.domain.ratings.records import FileCache
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind
from app.services.libraries.service import SideFactory, link_rules
from app.services.ports import LibraryRepositoryPort
from app.services.ratings.run.sync import RatingsSync
from app.services.ratings.run.values import SyncSummary

RATINGS_SYNC = "ratings_sync"
RATINGS_UNDO = "ratings_undo"


def parse_sync_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {"mode", "file_cache"}
    if unknown:
        raise InvalidInput(f"unknown ratings sync parameters: {', '.join(sorted(unknown))}")
    mode = raw.get("mode", "sync")
    try:
        parsed = {"mode": Mode(mode).value}
    except ValueError:
        raise InvalidInput(f"unknown mode {mode!r}; use sync, import or export") from None
    if "file_cache" in raw:
        try:
            parsed["file_cache"] = FileCache(raw["file_cache"]).value
        except ValueError:
            choices = ", ".join(c.value for c in FileCache)
            raise InvalidInput(f"unknown file_cache {raw['file_cache']!r}; use {choices}") from None
    return parsed


def parse_undo_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    job_id = raw.get("undo_job_id")
    if set(raw) != {"undo_job_id"} or isinstance(job_id, bool) or not isinstance(job_id, int):
        raise InvalidInput("ratings_undo takes exactly one parameter: undo_job_id (a job id)")
    return {"undo_job_id": job_id}


def _record(ctx: JobContext, summary: SyncSummary) -> None:
    for name, value in summary.as_counters().items():
        if value:
            ctx.counter(name, value)


class RatingsJobs:
    """Handlers that load a job's link, build its sides, and call :class:`RatingsSync`."""

    def __init__(
        self, libraries: LibraryRepositoryPort, sides: SideFactory, service: RatingsSync
    ) -> None:
        self._libraries = libraries
        self._sides = sides
        self._service = service

    def _link_id(self, ctx: JobContext) -> int:
        if ctx.link_id is None:
            raise SetupError(f"{ctx.kind} job {ctx.job_id} has no link")
        return ctx.link_id

    def sync(self, ctx: JobContext) -> None:
        link = self._libraries.link(self._link_id(ctx))
        file_cache = FileCache(ctx.params.get("file_cache", FileCache.USE.value))
        with self._sides.sides(link, dry_run=ctx.dry_run, file_cache=file_cache) as sides:
            summary = self._service.run(
                link_id=link.id,
                sides=sides,
                rules=link_rules(link),
                mode=Mode(ctx.params.get("mode", "sync")),
                dry_run=ctx.dry_run,
                job_id=ctx.job_id,
                reporter=ctx,
            )
        _record(ctx, summary)

    def undo(self, ctx: JobContext) -> None:
        link = self._libraries.link(self._link_id(ctx))
        if ctx.dry_run:
            raise InvalidInput("an undo cannot be a dry run")
        with self._sides.sides(link, dry_run=False) as sides:
            summary = self._service.undo(
                undo_job_id=int(ctx.params["undo_job_id"]),
                sides=sides,
                job_id=ctx.job_id,
                reporter=ctx,
            )
        _record(ctx, summary)

    def kinds(self) -> list[JobKind]:
        return [
            JobKind(
                name=RATINGS_SYNC,
                title="Ratings sync",
                handler=self.sync,
                lock_key=RATINGS_SYNC,
                parse_params=parse_sync_params,
            ),
            JobKind(
                name=RATINGS_UNDO,
                title="Undo a ratings sync",
                handler=self.undo,
                lock_key=RATINGS_SYNC,
                parse_params=parse_undo_params,
            ),
        ]
