"""Which Plex server each Plex library lives on (its machine identifier), for matching a
``media.rate`` webhook to the libraries it concerns."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from app.domain.errors import PlexError
from app.domain.library_records import LibraryRecord
from app.services.libraries.configs import PlexMusicConfig
from app.services.ports import LibraryRepositoryPort

logger = logging.getLogger(__name__)


class ServerIdentity(Protocol):
    """Who a Plex server says it is (``app.adapters.plex``'s ``PlexIdentity`` fits)."""

    @property
    def machine_identifier(self) -> str: ...


class IdentityClient(Protocol):
    """What the identities need from a Plex client (``PlexServerClient`` fits): opened as a
    context, asked who its server is."""

    def __enter__(self) -> IdentityClient: ...

    def __exit__(self, *exc: object) -> None: ...

    def identity(self) -> ServerIdentity: ...


PlexClientFactory = Callable[[str, str, float], IdentityClient]


class PlexIdentities:
    """The machine identifier of each Plex library's server, asked once per URL; a server that
    could not be asked is not asked again for ``retry_after_s`` (webhooks come in bursts)."""

    def __init__(
        self,
        libraries: LibraryRepositoryPort,
        plex_client: PlexClientFactory,
        *,
        timeout_s: float = 5.0,
        retry_after_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._libraries = libraries
        self._plex_client = plex_client
        self._timeout_s = timeout_s
        self._retry_after_s = retry_after_s
        self._clock = clock
        self._known: dict[tuple[int, str], str] = {}
        self._failed: dict[tuple[int, str], float] = {}
        self._lock = threading.Lock()

    def machine_identifier(self, library: LibraryRecord) -> str | None:
        """None when the server cannot be asked (it is down, or the token is refused)."""
        config = PlexMusicConfig.model_validate(library.config)
        key = (library.id, config.base_url)
        with self._lock:
            if key in self._known:
                return self._known[key]
            failed_at = self._failed.get(key)
            if failed_at is not None and self._clock() - failed_at < self._retry_after_s:
                return None
        token = self._libraries.secret(library.id) or ""
        try:
            with self._plex_client(config.base_url, token, self._timeout_s) as client:
                machine = client.identity().machine_identifier
        except PlexError as exc:
            logger.warning("library %s: cannot ask its server who it is: %s", library.id, exc)
            with self._lock:
                self._failed[key] = self._clock()
            return None
        with self._lock:
            self._known[key] = machine
            self._failed.pop(key, None)
        return machine
