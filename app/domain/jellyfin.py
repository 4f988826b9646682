"""What to tell a Jellyfin server after a mirror run changed some movie folders (pure).

Jellyfin picks up changed folders through ``POST /Library/Media/Updated`` (each path with an
update type), which scans only those folders; past ``full_refresh_over`` folders one
``POST /Library/Refresh`` (a scan of every library) is cheaper than many partial scans. A local
folder is reported by the server's path for it: the library's path mappings (local prefix ->
server prefix) are applied, the first one that matches; without a match the local path is sent
as it is (the server sees the files where this process does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.domain.paths import PathMapping, map_local_to_plex

DEFAULT_FULL_REFRESH_OVER = 20


class UpdateType(StrEnum):
    """Jellyfin's ``MediaUpdateInfoPathDto.UpdateType``."""

    CREATED = "Created"
    MODIFIED = "Modified"
    DELETED = "Deleted"


@dataclass(frozen=True, slots=True)
class JellyfinRefresh:
    """``full``: refresh every library; else report ``paths`` (server paths) as modified."""

    full: bool
    paths: tuple[str, ...] = ()

    def media_updated_body(self) -> dict[str, list[dict[str, str]]]:
        """The JSON body of ``POST /Library/Media/Updated``."""
        return {"Updates": [{"Path": p, "UpdateType": UpdateType.MODIFIED} for p in self.paths]}


def plan_refresh(
    local_folders: Sequence[str],
    mappings: Sequence[PathMapping] = (),
    *,
    full_refresh_over: int = DEFAULT_FULL_REFRESH_OVER,
) -> JellyfinRefresh | None:
    """How to tell Jellyfin of ``local_folders`` (None: nothing changed)."""
    if not local_folders:
        return None
    paths = tuple(
        dict.fromkeys(map_local_to_plex(folder, mappings) or folder for folder in local_folders)
    )
    if len(paths) > full_refresh_over:
        return JellyfinRefresh(full=True)
    return JellyfinRefresh(full=False, paths=paths)
