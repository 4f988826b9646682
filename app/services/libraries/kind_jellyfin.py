"""The ``jellyfin`` library kind: a Jellyfin server (URL, API key sealed like a Plex token) that
a mirror link names as its refresh library (``refresh_library_id``), so that after a real run
the server is told of the movie folders it changed: ``POST /Library/Media/Updated`` with their
server paths (through the library's path mappings), or ``POST /Library/Refresh`` past
``full_refresh_over`` folders. "Test connection" is ``GET /System/Info``
(:func:`check_connection`). It joins no link itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from app.domain.errors import SetupError
from app.domain.jellyfin import DEFAULT_FULL_REFRESH_OVER, plan_refresh
from app.domain.kinds import FieldType, FormField, KindForm, LibraryKind
from app.domain.library_records import LibraryRecord
from app.domain.paths import PathMapping
from app.services.libraries.configs import KindConfig
from app.services.libraries.kinds import (
    ConnectionReport,
    JellyfinClientFactory,
    JellyfinInfo,
    KindEntry,
    RefreshClients,
    Refresher,
    SecretSpec,
    SideContext,
)

JELLYFIN_API_KEY = SecretSpec(label="API key", missing="a Jellyfin library needs an API key")


class JellyfinConfig(KindConfig):
    base_url: str = Field(min_length=1, max_length=500)
    timeout_s: float = Field(default=10.0, gt=0, le=600)
    full_refresh_over: int = Field(default=DEFAULT_FULL_REFRESH_OVER, ge=0, le=100_000)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        return value.rstrip("/")


def _factory(clients: RefreshClients) -> JellyfinClientFactory:
    if clients.jellyfin_client is None:
        raise SetupError("this installation has no Jellyfin client")
    return clients.jellyfin_client


def jellyfin_refresher(
    library: LibraryRecord, secret: str | None, clients: RefreshClients
) -> Refresher:
    """Tell the server of the folders a run changed (see the module docstring)."""
    config = JellyfinConfig.model_validate(library.config)
    factory = _factory(clients)
    mappings = [PathMapping(server, local) for server, local in library.path_mappings]
    api_key = secret or ""

    def refresh(folders: Sequence[Path]) -> None:
        plan = plan_refresh(
            [str(folder) for folder in folders],
            mappings,
            full_refresh_over=config.full_refresh_over,
        )
        if plan is None:
            return
        client = factory(config.base_url, api_key, config.timeout_s)
        try:
            client.apply(plan)
        finally:
            client.close()

    return refresh


def check_connection(
    base_url: str, api_key: str, factory: JellyfinClientFactory, *, timeout_s: float = 10.0
) -> JellyfinInfo:
    """ "Test connection": the server's name and version (``GET /System/Info``); raises
    ``JellyfinUnauthorized`` for a refused key, ``JellyfinError`` when unreachable."""
    config = JellyfinConfig(base_url=base_url, timeout_s=timeout_s)
    client = factory(config.base_url, api_key, config.timeout_s)
    try:
        return client.system_info()
    finally:
        client.close()


def jellyfin_check(
    config: Mapping[str, Any], api_key: str, ctx: SideContext, timeout_s: float
) -> ConnectionReport:
    """The registry's "Test connection": the server's name and version."""
    if ctx.jellyfin_client is None:
        raise SetupError("this installation has no Jellyfin client")
    parsed = JellyfinConfig.model_validate(config)
    info = check_connection(
        parsed.base_url,
        api_key,
        ctx.jellyfin_client,
        timeout_s=min(parsed.timeout_s, timeout_s),
    )
    return ConnectionReport(
        facts=(("Server", info.server_name or "not said"), ("Version", info.version or "not said"))
    )


JELLYFIN_FORM = KindForm(
    anchor="add-jellyfin",
    title="Add a Jellyfin server",
    button="Add Jellyfin server",
    name_placeholder="Jellyfin",
    fields=(
        FormField("base_url", "Server URL", FieldType.URL, required=True,
                  placeholder="http://192.168.1.10:8096"),
        FormField("api_key", "API key", FieldType.PASSWORD, required=True,
                  help="Dashboard → API keys. Stored on this server and never shown again."),
    ),
)  # fmt: skip

JELLYFIN_KIND = KindEntry(
    kind=LibraryKind.JELLYFIN,
    display_name="Jellyfin",
    config_model=JellyfinConfig,
    secret=JELLYFIN_API_KEY,
    path_mappings=True,
    refresh=jellyfin_refresher,
    form=JELLYFIN_FORM,
    check=jellyfin_check,
)
