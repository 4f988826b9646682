"""The ``mediamonkey`` library kind: a MediaMonkey 4 or 5 database file, its songs' Windows
paths mapped to this machine like a Plex library's, ratings both sides of a ratings link and
static playlists side A of a playlists link.

This is the one module of the MediaMonkey feature that opens the concrete database (the sides
take a :class:`~app.services.mediamonkey.store.MediaMonkeyStore`); it also writes
MediaMonkey's own ``POPM no@email`` frame to the files when the library is set to
(``file_tags = crossfade``).
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import field_validator

from app.adapters.mediamonkey import MMDatabase
from app.adapters.tags import WriteOptions, write_rating
from app.domain.kinds import FieldType, FormField, KindForm, LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind, Side
from app.domain.path_input import path_problem
from app.domain.paths import PathMapping
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from app.services.libraries.configs import KindConfig
from app.services.libraries.kinds import KindEntry, PlaylistSideRequest, SideContext
from app.services.mediamonkey.playlist_side import (
    MediaMonkeyFolderResolver,
    MediaMonkeyPlaylistSide,
)
from app.services.mediamonkey.rating_side import MediaMonkeyRatingSide, TagWriter
from app.services.mediamonkey.store import MediaMonkeyStore
from app.services.playlists.matching import EntryResolver
from app.services.ports import PlaylistSide, RatingSide


class FileTags(StrEnum):
    """Who keeps the files' rating tags in step with the database: ``mediamonkey`` (the user
    lets MediaMonkey write tags from its database) or ``crossfade`` (Crossfade also writes
    MediaMonkey's ``POPM no@email`` frame, same rating, same run)."""

    MEDIAMONKEY = "mediamonkey"
    CROSSFADE = "crossfade"


class MediaMonkeyConfig(KindConfig):
    database: str
    mediamonkey_closed: bool = False
    file_tags: FileTags = FileTags.MEDIAMONKEY
    backup_dir: str | None = None

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        problem = path_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return os.path.normpath(value)

    @field_validator("backup_dir")
    @classmethod
    def _backup_dir(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = path_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return os.path.normpath(value)


def open_database(config: MediaMonkeyConfig, *, read_only: bool) -> MMDatabase:
    return MMDatabase(
        Path(config.database),
        read_only=read_only,
        confirmed_closed=config.mediamonkey_closed,
        backup_dir=None if config.backup_dir is None else Path(config.backup_dir),
    )


def _mappings(library: LibraryRecord) -> list[PathMapping]:
    return [PathMapping(windows, local) for windows, local in library.path_mappings]


def _popm_writer(ctx: SideContext) -> TagWriter:
    profile = preset("mediamonkey", "default_only")  # its own frame, other tags untouched
    options = WriteOptions(
        preserve_mtime=ctx.write_options.preserve_mtime, hardlinks=ctx.write_options.hardlinks
    )

    def write(path: str, rating: Rating | None) -> None:
        write_rating(path, rating, profile, options=options)

    return write


def mediamonkey_rating_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext
) -> RatingSide:
    config = MediaMonkeyConfig.model_validate(library.config)

    def open_store() -> MediaMonkeyStore:
        return open_database(config, read_only=ctx.dry_run)

    writes_tags = config.file_tags is FileTags.CROSSFADE and not ctx.dry_run
    return MediaMonkeyRatingSide(
        open_store,
        _mappings(library),
        label=library.name,
        tag_writer=_popm_writer(ctx) if writes_tags else None,
    )


def mediamonkey_playlist_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext, request: PlaylistSideRequest
) -> tuple[PlaylistSide, EntryResolver]:
    config = MediaMonkeyConfig.model_validate(library.config)

    def open_store() -> MediaMonkeyStore:
        return open_database(config, read_only=ctx.dry_run)

    songs = MediaMonkeyRatingSide(open_store, _mappings(library), label=library.name)
    side = MediaMonkeyPlaylistSide(songs, label=library.name)
    return side, MediaMonkeyFolderResolver(side, request.catalog_b, request.thresholds)


MEDIAMONKEY_FORM = KindForm(
    anchor="add-mediamonkey",
    title="Add a MediaMonkey database",
    button="Add MediaMonkey",
    name_placeholder="MediaMonkey on the desktop",
    fields=(
        FormField("database", "Database file", required=True,
                  placeholder="/mnt/desktop/MediaMonkey5/MM5.DB",
                  help="MM5.DB (MediaMonkey 5) or MM.DB (MediaMonkey 4), as this server sees "
                  "it. Map its drive letters and shares (D:\\Music, \\\\nas\\music) to this "
                  "server's folders in the path mappings."),
        FormField("mediamonkey_closed", "MediaMonkey is closed", FieldType.CHOICE,
                  choices=(("false", "not confirmed"), ("true", "yes, I closed it")),
                  default="false", if_empty="false",
                  help="Crossfade cannot see a MediaMonkey running on another computer; writes "
                  "need this confirmation there."),
        FormField("file_tags", "File rating tags", FieldType.CHOICE, required=True,
                  choices=((FileTags.MEDIAMONKEY.value, "MediaMonkey updates them"),
                           (FileTags.CROSSFADE.value, "Crossfade writes POPM no@email too")),
                  default=FileTags.MEDIAMONKEY.value),
        FormField("backup_dir", "Backup folder",
                  help="Where the last 5 backups go (default: crossfade-backups beside the "
                  "database)."),
    ),
)  # fmt: skip

MEDIAMONKEY_KIND = KindEntry(
    kind=LibraryKind.MEDIAMONKEY,
    display_name="MediaMonkey",
    config_model=MediaMonkeyConfig,
    joins={
        LinkKind.RATINGS: frozenset({Side.A, Side.B}),
        LinkKind.PLAYLISTS: frozenset({Side.A, Side.B}),
    },
    path_mappings=True,
    rating_side=mediamonkey_rating_side,
    playlist_side=mediamonkey_playlist_side,
    form=MEDIAMONKEY_FORM,
)
