"""The playlists sync as a job kind (``playlists_sync``), and the sides of a playlists link built
from its libraries' rows.

A link's side A is a library with playlists (Plex, MediaMonkey, Subsonic) or a music folder (its
``playlist_dir``); side B is a music folder whose playlist files live in the link option
``playlist_dir`` or else the library's own. The music folders' audio files (their ``root``) are
the catalog that entries are matched against when paths do not settle it. Side B may also be
a library that holds tracks, when side A does too (Plex ⇄ MediaMonkey, Plex ⇄ Subsonic, ...):
entries are then paired track to track (``app.services.playlists.track_pairs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import InvalidInput, SetupError
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import Direction, LinkKind, Mode
from app.domain.links import Side as LinkSide
from app.domain.matching import MatchThresholds
from app.domain.playlists.diff import PlaylistMode, Side
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind
from app.services.libraries.adhoc import AdhocLinks
from app.services.libraries.configs import MusicFolderConfig, PlaylistsLinkOptions
from app.services.libraries.kinds import PlaylistSideRequest
from app.services.libraries.service import LibraryCatalog, SideFactory
from app.services.playlists.adhoc import AdhocPlaylists
from app.services.playlists.matching import EntryResolver, FolderCatalog
from app.services.playlists.review import PlaylistsReview
from app.services.playlists.run.journal import PlaylistUndo, PlaylistUndoSummary
from app.services.playlists.run.run_state import PlaylistRules, PlaylistSides, PlaylistsSummary
from app.services.playlists.run.sync import PlaylistsSync
from app.services.playlists.sides import FolderPlaylistSide
from app.services.playlists.track_pairs import (
    KnownPairs,
    TrackLinkStore,
    TrackPairResolver,
    TrackSide,
    known_pairs,
)
from app.services.ports import (
    PlaylistJournalRepositoryPort,
    PlaylistRepositoryPort,
    PlaylistSide,
)

PLAYLISTS_SYNC = "playlists_sync"
PLAYLISTS_UNDO = "playlists_undo"


def parse_sync_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(raw) - {"mode"}
    if unknown:
        raise InvalidInput(f"unknown playlists sync parameters: {', '.join(sorted(unknown))}")
    mode = raw.get("mode", "sync")
    try:
        return {"mode": Mode(mode).value}
    except ValueError:
        raise InvalidInput(f"unknown mode {mode!r}; use sync, import or export") from None


def playlist_rules(link: LinkRecord) -> PlaylistRules:
    options = PlaylistsLinkOptions.model_validate(link.options)
    primary = None if options.first_run_primary is None else Side(options.first_run_primary)
    return PlaylistRules(
        direction=Direction(link.direction),
        policy=link.policy,
        first_run_primary=primary,
        mode=PlaylistMode(options.mode),
        selected=None if options.playlists is None else tuple(options.playlists),
        delete=options.delete,
    )


@dataclass(frozen=True, slots=True)
class PlaylistSideFactory:
    """Builds the sides of a playlists link; ``sides`` is the ratings' factory (Plex clients,
    and the music folders' tag scans with their file-state cache); ``track_links``: where
    ratings links keep their track pairs (a link between two libraries of tracks starts from
    them)."""

    sides: SideFactory
    track_links: TrackLinkStore | None = None

    def build(self, link: LinkRecord, *, dry_run: bool) -> PlaylistSides:
        if link.kind != LinkKind.PLAYLISTS:
            raise InvalidInput(f"link {link.id} is a {link.kind} link, not a playlists link")
        libraries = self.sides.libraries
        kinds = self.sides.kinds
        options = PlaylistsLinkOptions.model_validate(link.options)
        library_a = libraries.library(link.library_a_id)
        library_b = libraries.library(link.library_b_id)
        if not kinds.can_join(library_b.kind, LinkKind.PLAYLISTS, LinkSide.B):
            raise SetupError(f"library {library_b.name!r} cannot be side B of a playlists link")
        thresholds = MatchThresholds(
            accept_score=options.accept_score, review_score=options.review_score
        )
        if kinds.entry(library_b.kind).playlist_dir_key is None:
            return self._tracks_both(library_a, library_b, thresholds, dry_run=dry_run)
        folder_b = MusicFolderConfig.model_validate(library_b.config)
        playlist_dir_b = options.folder_b(library_b)
        if not playlist_dir_b:
            raise SetupError(f"library {library_b.name!r} has no playlist folder")
        b = FolderPlaylistSide(
            playlist_dir_b, label=library_b.name, absolute_paths=options.absolute_paths
        )
        request = PlaylistSideRequest(
            catalog_b=FolderCatalog(self.sides.side(library_b.id, dry_run=dry_run)),
            root_b=folder_b.root,
            thresholds=thresholds,
            absolute_paths=options.absolute_paths,
            rating_side=lambda library_id: self.sides.side(library_id, dry_run=dry_run),
        )
        a, resolver = self._side(library_a, request, dry_run=dry_run)
        return PlaylistSides(a=a, b=b, resolver=resolver)

    def _side(
        self, library: LibraryRecord, request: PlaylistSideRequest, *, dry_run: bool
    ) -> tuple[PlaylistSide, EntryResolver]:
        build = self.sides.kinds.entry(library.kind).playlist_side
        if build is None:
            raise InvalidInput(f"library {library.name!r} ({library.kind}) holds no playlists")
        context = self.sides.context(dry_run=dry_run)
        return build(library, self.sides.secret(library), context, request)

    def _tracks_both(
        self,
        library_a: LibraryRecord,
        library_b: LibraryRecord,
        thresholds: MatchThresholds,
        *,
        dry_run: bool,
    ) -> PlaylistSides:
        """Two libraries that hold tracks (Plex, MediaMonkey, Subsonic): each side is its
        kind's own playlist side, entries paired track to track (:class:`TrackPairResolver`)."""
        request = PlaylistSideRequest(
            catalog_b=None,
            root_b="",
            thresholds=thresholds,
            absolute_paths=False,
            rating_side=lambda library_id: self.sides.side(library_id, dry_run=dry_run),
        )
        built: list[PlaylistSide] = []
        try:
            for library in (library_a, library_b):
                side, folder_resolver = self._side(library, request, dry_run=dry_run)
                folder_resolver.close()  # for playlist files; not used between two libraries
                built.append(side)
                if not isinstance(side, TrackSide):
                    raise SetupError(
                        f"library {library.name!r} holds playlist files: make it side B of a "
                        "playlists link whose side A holds tracks"
                    )
        except BaseException:
            for side in built:
                side.close()
            raise
        a, b = built
        assert isinstance(a, TrackSide) and isinstance(b, TrackSide)
        known = KnownPairs()
        if self.track_links is not None:
            ratings_links = self.sides.libraries.links(kind=LinkKind.RATINGS)
            known = known_pairs(self.track_links, ratings_links, library_a.id, library_b.id)
        return PlaylistSides(a=a, b=b, resolver=TrackPairResolver(a, b, thresholds, known))


def parse_undo_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    job_id = raw.get("undo_job_id")
    if set(raw) != {"undo_job_id"} or isinstance(job_id, bool) or not isinstance(job_id, int):
        raise InvalidInput("playlists_undo takes exactly one parameter: undo_job_id (a job id)")
    return {"undo_job_id": job_id}


def _record(ctx: JobContext, summary: PlaylistsSummary | PlaylistUndoSummary) -> None:
    for name, value in summary.as_counters().items():
        if value:
            ctx.counter(name, value)


class PlaylistsJobs:
    """The handler that loads a job's link, builds its sides and calls :class:`PlaylistsSync`."""

    def __init__(
        self, factory: PlaylistSideFactory, service: PlaylistsSync, undo: PlaylistUndo
    ) -> None:
        self._factory = factory
        self._service = service
        self._undo = undo

    def sync(self, ctx: JobContext) -> None:
        if ctx.link_id is None:
            raise SetupError(f"{ctx.kind} job {ctx.job_id} has no link")
        link = self._factory.sides.libraries.link(ctx.link_id)
        with self._factory.build(link, dry_run=ctx.dry_run) as sides:
            summary = self._service.run(
                link_id=link.id,
                sides=sides,
                rules=playlist_rules(link),
                mode=Mode(ctx.params.get("mode", "sync")),
                dry_run=ctx.dry_run,
                job_id=ctx.job_id,
                reporter=ctx,
            )
        _record(ctx, summary)

    def undo(self, ctx: JobContext) -> None:
        """Restore every playlist job ``undo_job_id`` wrote (or redo, for an undo job)."""
        if ctx.link_id is None:
            raise SetupError(f"{ctx.kind} job {ctx.job_id} has no link")
        if ctx.dry_run:
            raise InvalidInput("an undo cannot be a dry run")
        link = self._factory.sides.libraries.link(ctx.link_id)
        with self._factory.build(link, dry_run=False) as sides:
            summary = self._undo.undo(
                undo_job_id=int(ctx.params["undo_job_id"]),
                sides=(sides.a, sides.b),
                job_id=ctx.job_id,
                reporter=ctx,
            )
        _record(ctx, summary)

    def kinds(self) -> list[JobKind]:
        return [
            JobKind(
                name=PLAYLISTS_SYNC,
                title="Playlists sync",
                handler=self.sync,
                lock_key=PLAYLISTS_SYNC,
                parse_params=parse_sync_params,
            ),
            JobKind(
                name=PLAYLISTS_UNDO,
                title="Undo a playlists sync",
                handler=self.undo,
                lock_key=PLAYLISTS_SYNC,
                parse_params=parse_undo_params,
            ),
        ]


@dataclass(frozen=True, slots=True)
class PlaylistServices:
    """What entrypoints use of the playlists sync (``Container.domains.playlists``)."""

    repository: PlaylistRepositoryPort
    journal: PlaylistJournalRepositoryPort
    sync: PlaylistsSync
    factory: PlaylistSideFactory
    review: PlaylistsReview
    jobs: PlaylistsJobs
    adhoc: AdhocPlaylists


def build_playlist_services(
    repository: PlaylistRepositoryPort,
    journal: PlaylistJournalRepositoryPort,
    sides: SideFactory,
    catalog: LibraryCatalog,
    track_links: TrackLinkStore | None = None,
) -> PlaylistServices:
    sync = PlaylistsSync(repository, journal)
    factory = PlaylistSideFactory(sides, track_links)
    return PlaylistServices(
        repository=repository,
        journal=journal,
        sync=sync,
        factory=factory,
        review=PlaylistsReview(repository, sides.libraries),
        jobs=PlaylistsJobs(factory, sync, PlaylistUndo(journal, repository)),
        adhoc=AdhocPlaylists(AdhocLinks(catalog, sides.plex_client), catalog),
    )
