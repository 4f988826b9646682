"""The ``subsonic`` library kind: its configuration, its sides and its dashboard form.

A library is one user on one server (Navidrome, Gonic, Airsonic, LMS, Supysonic, ...). Its
secret is the user's password (token auth; the password itself only where the server needs
it) or, with no user, an OpenSubsonic API key; it is stored sealed like a Plex token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import Field, field_validator

from app.domain.errors import SetupError
from app.domain.kinds import FieldType, FormField, KindForm, LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.links import LinkKind, Side
from app.domain.path_input import path_problem
from app.domain.paths import PathMapping
from app.domain.subsonic import AuthMode, StarredMapping, SubsonicConnection
from app.services.libraries.configs import KindConfig
from app.services.libraries.kinds import (
    ConnectionReport,
    KindEntry,
    PlaylistSideRequest,
    SecretSpec,
    SideContext,
)
from app.services.playlists.matching import EntryResolver
from app.services.ports import PlaylistSide, RatingSide
from app.services.subsonic.api import SubsonicApi
from app.services.subsonic.playlist_side import SubsonicFolderResolver, SubsonicPlaylistSide
from app.services.subsonic.rating_side import SongPaths, Starring, SubsonicRatingSide


class SubsonicConfig(KindConfig):
    base_url: str = Field(min_length=1, max_length=500)
    user: str = Field(default="", max_length=200)  # empty: the secret is an API key
    auth: AuthMode = AuthMode.AUTO
    allow_password: bool = True  # auto may fall back to sending the password
    real_paths: bool = False  # the server reports real file paths (Navidrome: Report Real Path)
    music_root: str | None = None  # where the server's relative paths start (Supysonic)
    starred: StarredMapping = StarredMapping.OFF
    starred_threshold: int = Field(default=5, ge=1, le=5)
    timeout_s: float = Field(default=30.0, gt=0, le=600)
    max_requests_per_s: float = Field(default=20.0, ge=0, le=1000)  # 0: unbounded
    page_size: int = Field(default=500, ge=10, le=5000)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("music_root")
    @classmethod
    def _music_root(cls, value: str | None) -> str | None:
        if not value:
            return None
        problem = path_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return os.path.normpath(value)

    def connection(self) -> SubsonicConnection:
        return SubsonicConnection(
            base_url=self.base_url,
            user=self.user,
            auth=AuthMode.API_KEY if not self.user else self.auth,
            allow_password=self.allow_password,
            timeout_s=self.timeout_s,
            max_requests_per_s=self.max_requests_per_s,
            page_size=self.page_size,
        )


SUBSONIC_SECRET = SecretSpec(
    label="Password or API key", missing="a Subsonic server needs a password or an API key"
)


def _client(library: LibraryRecord, secret: str | None, ctx: SideContext) -> SubsonicApi:
    if ctx.subsonic_client is None:
        raise SetupError("this installation cannot reach Subsonic servers")
    config = SubsonicConfig.model_validate(library.config)
    return ctx.subsonic_client(config.connection(), secret or "")


def _paths(library: LibraryRecord) -> SongPaths:
    config = SubsonicConfig.model_validate(library.config)
    return SongPaths(
        real_paths=config.real_paths,
        music_root=config.music_root,
        mappings=tuple(PathMapping(server, local) for server, local in library.path_mappings),
    )


def subsonic_rating_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext
) -> RatingSide:
    config = SubsonicConfig.model_validate(library.config)
    return SubsonicRatingSide(
        _client(library, secret, ctx),
        _paths(library),
        label=library.name,
        starring=Starring(config.starred, config.starred_threshold),
    )


def subsonic_playlist_side(
    library: LibraryRecord, secret: str | None, ctx: SideContext, request: PlaylistSideRequest
) -> tuple[PlaylistSide, EntryResolver]:
    config = SubsonicConfig.model_validate(library.config)
    side = SubsonicPlaylistSide(
        _client(library, secret, ctx),
        _paths(library),
        user=config.user or None,
        label=library.name,
    )
    return side, SubsonicFolderResolver(side, request.catalog_b, request.thresholds)


AUTH_WORDS = {
    AuthMode.TOKEN: "token (a salted hash of the password; the password is not sent)",
    AuthMode.PASSWORD: "password (the server takes no token, so the password itself is sent)",
    AuthMode.API_KEY: "API key (OpenSubsonic)",
}


def subsonic_check(
    config: Mapping[str, Any], secret: str, ctx: SideContext, timeout_s: float
) -> ConnectionReport:
    """ "Test connection": ``ping`` with the auth that works, then the OpenSubsonic
    extensions, each request tried once; the report names the server, its API version, the
    extensions, the auth mode that worked and the plain-HTTP warning when credentials travel
    unencrypted."""
    if ctx.subsonic_client is None:
        raise SetupError("this installation cannot reach Subsonic servers")
    parsed = SubsonicConfig.model_validate(config)
    connection = replace(parsed.connection(), timeout_s=min(parsed.timeout_s, timeout_s), retries=0)
    client = ctx.subsonic_client(connection, secret)
    try:
        info = client.server_info()
    finally:
        client.close()
    server = " ".join(part for part in (info.server_type, info.server_version) if part)
    mode = AuthMode(info.auth_mode)
    facts = (
        ("Server", server or "not said"),
        ("API version", info.api_version or "not said"),
        ("OpenSubsonic", "yes" if info.open_subsonic else "no"),
        ("Extensions", ", ".join(info.extensions) or "none"),
        ("Signed in with", AUTH_WORDS.get(mode, mode.value)),
    )
    return ConnectionReport(facts=facts, warnings=info.warnings)


SUBSONIC_FORM = KindForm(
    anchor="add-subsonic",
    title="Add a Subsonic server",
    button="Add Subsonic server",
    name_placeholder="Navidrome",
    fields=(
        FormField("base_url", "Server URL", FieldType.URL, required=True,
                  placeholder="http://192.168.1.10:4533",
                  help="Navidrome, Gonic, Airsonic, LMS, Supysonic or any OpenSubsonic server."),
        FormField("user", "User", if_empty="", help="Leave empty to sign in with an API key."),
        FormField("password", "Password or API key", FieldType.PASSWORD, required=True,
                  help="Stored on this server, encrypted, and never shown again."),
        FormField("real_paths", "Server reports real paths", FieldType.CHOICE,
                  choices=(("false", "no"), ("true", "yes")), default="false",
                  help="Navidrome: only with Report Real Path on for this player."),
        FormField("music_root", "Folder of relative paths", placeholder="/srv/music",
                  help="Where the server's relative paths start (Supysonic)."),
        FormField("starred", "Starred tracks", FieldType.CHOICE,
                  choices=(("off", "leave alone"), ("threshold", "star at a rating")),
                  default="off", on_add=False),
    ),
)  # fmt: skip

SUBSONIC_KIND = KindEntry(
    kind=LibraryKind.SUBSONIC,
    display_name="Subsonic server",
    config_model=SubsonicConfig,
    joins={
        LinkKind.RATINGS: frozenset({Side.A, Side.B}),
        LinkKind.PLAYLISTS: frozenset({Side.A, Side.B}),
    },
    secret=SUBSONIC_SECRET,
    path_mappings=True,
    rating_side=subsonic_rating_side,
    playlist_side=subsonic_playlist_side,
    form=SUBSONIC_FORM,
    check=subsonic_check,
)
