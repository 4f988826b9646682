"""A small Jellyfin HTTP client: "test connection", and telling the server of changed folders.

Calls, as Jellyfin's API documents them (10.8 and later):

- ``GET /System/Info``: the server's name, version and id (needs an API key);
- ``POST /Library/Media/Updated`` with ``{"Updates": [{"Path": ..., "UpdateType": ...}]}``:
  scan only those paths (answers 204);
- ``POST /Library/Refresh``: scan every library (answers 204).

The API key goes in the ``Authorization: MediaBrowser ..., Token="<key>"`` header (the one
current servers read) and in ``X-Emby-Token`` (older servers' header); never in a URL, never in
an error message. Outside errors become :class:`~app.domain.errors.JellyfinError` (401/403:
:class:`~app.domain.errors.JellyfinUnauthorized`). ``transport`` lets a test hand in an
``httpx`` transport.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from app import __version__
from app.domain.errors import JellyfinError, JellyfinUnauthorized
from app.domain.jellyfin import JellyfinRefresh

CLIENT_NAME = "Crossfade"
DEVICE_ID = "crossfade"


@dataclass(frozen=True, slots=True)
class JellyfinServerInfo:
    server_name: str
    version: str
    server_id: str


def authorization(api_key: str) -> str:
    """The ``Authorization`` header value of Jellyfin's MediaBrowser scheme."""
    return (
        f'MediaBrowser Client="{CLIENT_NAME}", Device="{CLIENT_NAME}", '
        f'DeviceId="{DEVICE_ID}", Version="{__version__}", Token="{api_key}"'
    )


class JellyfinClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout_s,
            follow_redirects=False,
            transport=transport,
            headers={
                "Authorization": authorization(api_key),
                "X-Emby-Token": api_key,
                "Accept": "application/json",
                "User-Agent": f"{CLIENT_NAME}/{__version__}",
            },
        )

    def __enter__(self) -> JellyfinClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TimeoutException:
            raise JellyfinError(f"no answer to {method} {path}", server=self.base_url) from None
        except httpx.HTTPError as exc:
            raise JellyfinError(
                f"cannot reach the server ({type(exc).__name__})", server=self.base_url
            ) from None
        if response.status_code in (401, 403):
            raise JellyfinUnauthorized(
                f"the API key was refused ({response.status_code})", server=self.base_url
            )
        if not 200 <= response.status_code < 300:
            raise JellyfinError(
                f"{method} {path} answered {response.status_code}", server=self.base_url
            )
        return response

    def system_info(self) -> JellyfinServerInfo:
        """``GET /System/Info``: "test connection"."""
        response = self._call("GET", "/System/Info")
        try:
            data = response.json()
            return JellyfinServerInfo(
                server_name=str(data.get("ServerName") or ""),
                version=str(data.get("Version") or ""),
                server_id=str(data.get("Id") or ""),
            )
        except (ValueError, AttributeError):
            raise JellyfinError("/System/Info is not JSON", server=self.base_url) from None

    def media_updated(self, paths: Sequence[str]) -> None:
        """``POST /Library/Media/Updated``: scan only ``paths`` (server paths)."""
        self._call(
            "POST",
            "/Library/Media/Updated",
            JellyfinRefresh(False, tuple(paths)).media_updated_body(),
        )

    def refresh_library(self) -> None:
        """``POST /Library/Refresh``: scan every library."""
        self._call("POST", "/Library/Refresh")

    def apply(self, refresh: JellyfinRefresh) -> None:
        if refresh.full:
            self.refresh_library()
        else:
            self.media_updated(refresh.paths)
