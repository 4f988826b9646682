"""Starting runs of links as jobs, and undoing them: what the API, CLI, webhooks and the
scheduler all call."""

from __future__ import annotations

from app.domain.errors import InvalidInput, StateConflict
from app.domain.jobs import JobRecord, JobTrigger
from app.domain.library_records import LinkRecord
from app.domain.links import LinkKind, Mode
from app.services.jobs.service import JobService
from app.services.ports import LibraryRepositoryPort
from app.services.ratings.jobs import RATINGS_SYNC, RATINGS_UNDO

JOB_KIND_BY_LINK_KIND = {
    LinkKind.RATINGS.value: RATINGS_SYNC,
    LinkKind.MIRROR.value: "mirror",
    LinkKind.PLAYLISTS.value: "playlists_sync",
}
# The link kinds whose runs take a mode (sync, import, export).
MODED_LINK_KINDS = frozenset({LinkKind.RATINGS, LinkKind.PLAYLISTS})
PLAYLISTS_SYNC = "playlists_sync"
PLAYLISTS_UNDO = "playlists_undo"
UNDO_KIND_BY_JOB_KIND = {
    RATINGS_SYNC: RATINGS_UNDO,
    RATINGS_UNDO: RATINGS_UNDO,  # undoing an undo redoes the run
    PLAYLISTS_SYNC: PLAYLISTS_UNDO,
    PLAYLISTS_UNDO: PLAYLISTS_UNDO,
}
UNDO_KINDS = frozenset({RATINGS_UNDO, PLAYLISTS_UNDO})


def can_undo(kind: str, *, dry_run: bool, finished: bool) -> bool:
    """Whether a job of ``kind`` can be undone (a finished real run or undo: ``interrupted``
    too, its write-ahead journal says what it wrote)."""
    return kind in UNDO_KIND_BY_JOB_KIND and not dry_run and finished


class LinkRuns:
    def __init__(self, libraries: LibraryRepositoryPort, jobs: JobService) -> None:
        self._libraries = libraries
        self._jobs = jobs

    def run(
        self,
        link_id: int,
        *,
        mode: str | None = None,
        dry_run: bool = False,
        trigger: JobTrigger = JobTrigger.API,
        file_cache: str | None = None,
    ) -> JobRecord:
        """Queue a run of the link; :class:`AlreadyRunning` if its libraries are busy.
        ``file_cache`` (ratings links): ``use`` (default), ``ignore`` or ``clear``."""
        link = self._libraries.link(link_id)
        if not link.enabled and trigger is JobTrigger.SCHEDULE:
            raise StateConflict(f"link {link_id} is disabled")
        kind = JOB_KIND_BY_LINK_KIND[link.kind]
        if kind not in self._jobs.registry:
            raise InvalidInput(f"{link.kind} links cannot run on this installation yet")
        params: dict[str, str] = self._params(link, mode)
        if file_cache is not None:
            if link.kind != LinkKind.RATINGS:
                raise InvalidInput(f"{link.kind} links have no file-state cache option")
            params["file_cache"] = file_cache
        return self._jobs.start(
            kind,
            params,
            dry_run=dry_run,
            trigger=trigger,
            link_id=link.id,
            lock_key=link.lock_key,
        )

    @staticmethod
    def _params(link: LinkRecord, mode: str | None) -> dict[str, str]:
        if link.kind in MODED_LINK_KINDS:
            return {"mode": mode or Mode.SYNC.value}
        if mode not in (None, "sync"):
            raise InvalidInput(f"{link.kind} links have no mode {mode!r}")
        return {}

    def undo(self, job_id: int, *, trigger: JobTrigger = JobTrigger.API) -> JobRecord:
        """Queue the undo of a finished (or interrupted), real ratings or playlists sync job;
        the undo of an undo job redoes what its run wrote."""
        job = self._jobs.get(job_id)
        undo_kind = UNDO_KIND_BY_JOB_KIND.get(job.kind)
        if undo_kind is None or undo_kind not in self._jobs.registry:
            raise InvalidInput(
                f"job {job_id} is a {job.kind} job; only ratings and playlists syncs (and "
                "their undos) can be undone"
            )
        if job.dry_run:
            raise InvalidInput(f"job {job_id} was a dry run: it changed nothing")
        if job.status.is_active:
            raise StateConflict(f"job {job_id} is still {job.status.value}")
        if job.link_id is None:
            raise StateConflict(f"job {job_id}'s link was deleted")
        link = self._libraries.link(job.link_id)
        return self._jobs.start(
            undo_kind,
            {"undo_job_id": job_id},
            trigger=trigger,
            link_id=link.id,
            lock_key=link.lock_key,
        )
