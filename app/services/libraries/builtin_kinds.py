"""The built-in library kinds: Plex music and movie libraries, music folders, movie folders.

Each is one :class:`~app.services.libraries.kinds.KindEntry`; the builders here turn a library's
record into the sides the ratings and playlists features use, and a Plex library into the
refresher a mirror run calls after it wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.adapters.tags import WriteOptions
from app.adapters.tags.workers import TagWorkers
from app.domain.errors import SetupError
from app.domain.kinds import FieldType, FormField, KindForm, LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind, Side
from app.domain.paths import PathMapping, map_local_to_plex
from app.domain.ratings.profiles import PRESETS, WriteModeName
from app.domain.ratings.resolution import ReadPolicyKind
from app.domain.ratings.scales import TextScale, parse_scale
from app.services.libraries.configs import MovieFolderConfig, MusicFolderConfig, PlexMusicConfig
from app.services.libraries.kind_jellyfin import JELLYFIN_KIND
from app.services.libraries.kinds import (
    KindEntry,
    KindRegistry,
    PlaylistSideRequest,
    RefreshClients,
    Refresher,
    SecretSpec,
    SideContext,
)
from app.services.mediamonkey.kind import MEDIAMONKEY_KIND
from app.services.playlists.matching import (
    EntryResolver,
    FolderCatalog,
    FolderFolderResolver,
    PlexFolderResolver,
)
from app.services.playlists.sides import FolderPlaylistSide, PlexPlaylistSide
from app.services.ports import PlaylistSide, RatingSide
from app.services.ratings.folder_side import FolderOptions, FolderRatingSide
from app.services.ratings.plex_side import PlexRatingSide
from app.services.subsonic.kind import SUBSONIC_KIND

BOTH_SIDES = frozenset({Side.A, Side.B})
LAYOUTS = ("auto", "plex", "jellyfin")
PLEX_TOKEN = SecretSpec(label="X-Plex-Token", missing="a Plex library needs a token")


def _mappings(library: LibraryRecord) -> list[PathMapping]:
    return [PathMapping(plex, local) for plex, local in library.path_mappings]


# --- Plex ------------------------------------------------------------------------------------


def plex_rating_side(library: LibraryRecord, secret: str | None, ctx: SideContext) -> RatingSide:
    config = PlexMusicConfig.model_validate(library.config)
    client = ctx.plex_client(config.base_url, secret or "", config.timeout_s)
    return PlexRatingSide(
        client,
        config.section_ids,
        _mappings(library),
        label=library.name,
        list_in_child=ctx.worker_processes > 1,
    )


def plex_playlist_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext, request: PlaylistSideRequest
) -> tuple[PlaylistSide, EntryResolver]:
    config = PlexMusicConfig.model_validate(library.config)
    client = ctx.plex_client(config.base_url, secret or "", config.timeout_s)
    plex = PlexPlaylistSide(client, config.section_ids, _mappings(library), label=library.name)
    return plex, PlexFolderResolver(plex, request.catalog_b, request.thresholds)


def plex_refresher(
    library: LibraryRecord, secret: str | None, clients: RefreshClients
) -> Refresher:
    """Ask the library's sections to rescan the folders a run changed (Plex ``refresh?path=``,
    the folder mapped to the server's path when the library has path mappings)."""
    config = PlexMusicConfig.model_validate(library.config)
    token = secret or ""
    mappings = _mappings(library)
    plex_client = clients.plex_client

    def refresh(folders: Sequence[Path]) -> None:
        with plex_client(config.base_url, token, config.timeout_s) as client:
            for folder in folders:
                plex_path = map_local_to_plex(str(folder), mappings) if mappings else None
                for section_id in config.section_ids:
                    client.refresh_section(section_id, path=plex_path or str(folder))

    return refresh


PLEX_FORM = KindForm(
    anchor="add-plex",
    title="Add a Plex server",
    button="Add Plex library",
    name_placeholder="Living room Plex",
    connection_test=True,
    fields=(
        FormField("base_url", "Server URL", FieldType.URL, required=True,
                  placeholder="http://192.168.1.10:32400"),
        FormField("section_ids", "Music section ids", FieldType.NUMBERS, required=True,
                  help='Comma separated; "Test connection" on the libraries page lists them.',
                  on_add=False),
        FormField("account", "Account label", default="owner", if_empty="owner", on_add=False),
        FormField("token", "Token", FieldType.PASSWORD, required=True,
                  help="The account's X-Plex-Token. Stored on this server and never shown "
                  "again."),
    ),
)  # fmt: skip


# --- Music folder ----------------------------------------------------------------------------


def folder_rating_side(library: LibraryRecord, secret: str | None, ctx: SideContext) -> RatingSide:
    folder = MusicFolderConfig.model_validate(library.config)
    profile = folder.profile()
    options = FolderOptions(
        profile=profile,
        read_policy=folder.read(),
        pinned_scale=parse_scale(folder.pinned_scale),
        write_options=WriteOptions(
            preserve_mtime=ctx.write_options.preserve_mtime,
            hardlinks=ctx.write_options.hardlinks,
            dry_run=ctx.dry_run,
        ),
        file_cache=ctx.file_cache,
    )
    return FolderRatingSide(
        folder.root,
        library.id,
        options,
        ctx.file_states,
        label=library.name,
        workers=TagWorkers(ctx.worker_processes, min_items=ctx.tag_pool_min_items),
    )


def folder_playlist_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext, request: PlaylistSideRequest
) -> tuple[PlaylistSide, EntryResolver]:
    folder = MusicFolderConfig.model_validate(library.config)
    if folder.playlist_dir is None:
        raise SetupError(f"library {library.name!r} has no playlist folder")
    side = FolderPlaylistSide(
        folder.playlist_dir, label=library.name, absolute_paths=request.absolute_paths
    )
    resolver = FolderFolderResolver(
        folder.root,
        request.root_b,
        FolderCatalog(request.rating_side(library.id)),
        request.catalog_b,
        request.thresholds,
    )
    return side, resolver


MUSIC_FOLDER_FORM = KindForm(
    anchor="add-music",
    title="Add a music folder",
    button="Add music folder",
    name_placeholder="Music on the NAS",
    fields=(
        FormField("root", "Folder", required=True, placeholder="/srv/music",
                  help="An absolute path as this server sees it."),
        FormField("write_profile", "Write ratings like", FieldType.CHOICE, required=True,
                  choices=tuple((name, name) for name in PRESETS), default="musicbee"),
        FormField("read_policy", "When a file's tags disagree", FieldType.CHOICE,
                  required=True, choices=tuple((p.value, p.value) for p in ReadPolicyKind),
                  default="priority"),
        FormField("write_mode", "Which rating tags to write", FieldType.CHOICE,
                  choices=(("", "the preset's (update existing)"),
                           *((m.value, m.value) for m in WriteModeName)),
                  help="update_existing: every rating tag a file has (or the preset's); "
                       "default_only: only the preset's; replace_all: the preset's, others "
                       "removed."),
        FormField("popm_email", "MP3 POPM email",
                  placeholder="Plex", help="Write MP3 ratings to this POPM frame instead: "
                  "Plex (PlexMusicRatingsSync), rating@winamp.com, any email."),
        FormField("read_priority", "Read priority", placeholder="musicbee, windows, vorbis:rating",
                  help="Under read policy priority, the first of these tags a file has wins."),
        FormField("pinned_scale", "Text rating scale", FieldType.CHOICE,
                  choices=(("", "infer from the library"), *((s, s) for s in TextScale)),
                  help="Pin it when the library's values mislead the inference."),
        FormField("playlist_dir", "Playlist folder", placeholder="/srv/music/Playlists"),
    ),
)  # fmt: skip

MOVIE_FOLDER_FORM = KindForm(
    anchor="add-movies",
    title="Add a movie folder",
    button="Add movie folder",
    name_placeholder="Movies (Jellyfin)",
    fields=(
        FormField("root", "Folder", required=True, placeholder="/srv/movies"),
        FormField("layout", "Layout", FieldType.CHOICE, required=True,
                  choices=tuple((n, n) for n in LAYOUTS), default="auto"),
    ),
)  # fmt: skip


# --- The registry ----------------------------------------------------------------------------

BUILTIN_KINDS = (
    KindEntry(
        kind=LibraryKind.PLEX_MUSIC,
        display_name="Plex music",
        config_model=PlexMusicConfig,
        joins={LinkKind.RATINGS: BOTH_SIDES, LinkKind.PLAYLISTS: BOTH_SIDES},
        secret=PLEX_TOKEN,
        path_mappings=True,
        rating_side=plex_rating_side,
        playlist_side=plex_playlist_side,
        refresh=plex_refresher,
        form=PLEX_FORM,
    ),
    KindEntry(
        kind=LibraryKind.PLEX_MOVIES,
        display_name="Plex movies",
        config_model=PlexMusicConfig,
        secret=PLEX_TOKEN,
        path_mappings=True,
        refresh=plex_refresher,
    ),
    KindEntry(
        kind=LibraryKind.MUSIC_FOLDER,
        display_name="Music folder",
        config_model=MusicFolderConfig,
        joins={LinkKind.RATINGS: BOTH_SIDES, LinkKind.PLAYLISTS: BOTH_SIDES},
        playlist_dir_key="playlist_dir",
        rating_side=folder_rating_side,
        playlist_side=folder_playlist_side,
        form=MUSIC_FOLDER_FORM,
    ),
    KindEntry(
        kind=LibraryKind.MOVIE_FOLDER,
        display_name="Movie folder",
        config_model=MovieFolderConfig,
        joins={LinkKind.MIRROR: BOTH_SIDES},
        form=MOVIE_FOLDER_FORM,
    ),
    SUBSONIC_KIND,
    JELLYFIN_KIND,
    MEDIAMONKEY_KIND,
)


def builtin_kind_registry() -> KindRegistry:
    """A registry of the built-in kinds (a fresh one: a test may register more)."""
    return KindRegistry(BUILTIN_KINDS)
