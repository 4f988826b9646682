"""Ad hoc playlists runs from the command line: the same Plex server, section, music folder and
playlist folder given again reuse the same libraries and link, and so their pairs and
baselines, from run to run (see ``app.services.libraries.adhoc`` for the ratings)."""

from __future__ import annotations

import os
from collections.abc import Sequence

from app.domain.library_records import LinkRecord
from app.domain.links import LinkKind
from app.domain.playlists.diff import PlaylistMode
from app.services.libraries.adhoc import AdhocLinks
from app.services.libraries.service import LibraryCatalog
from app.services.playlists.run.run_state import PlaylistPolicy


class AdhocPlaylists:
    def __init__(self, adhoc: AdhocLinks, catalog: LibraryCatalog) -> None:
        self._adhoc = adhoc
        self._catalog = catalog

    def link(
        self,
        *,
        plex_url: str,
        token: str,
        section: str | Sequence[str],
        playlist_dir: str,
        music_dir: str | None = None,
        path_maps: Sequence[str] = (),
        mode: str | None = None,
        policy: str | None = None,
    ) -> LinkRecord:
        """The playlists link between the Plex section and the playlist folder.

        Without ``music_dir`` the music folder library is the playlist folder itself: entries
        are then matched by path against Plex, and the tag fallback has no audio to look at.
        """
        sections = [section] if isinstance(section, str) else list(section)
        section_ids = self._adhoc.section_ids(plex_url, token, sections)
        plex = self._adhoc.plex_library(plex_url, token, section_ids, path_maps)
        folder = self._adhoc.folder_library(music_dir or playlist_dir, None)
        playlist_dir = os.path.abspath(playlist_dir)
        changes: dict[str, object] = {}
        if policy is not None:
            changes["policy"] = policy
        for link in self._catalog.repository.links(kind=LinkKind.PLAYLISTS):
            if (link.library_a_id, link.library_b_id) != (plex.id, folder.id):
                continue
            if link.options.get("playlist_dir") != playlist_dir:
                continue
            if mode is not None and link.options.get("mode") != mode:
                changes["options"] = {"mode": mode}
            return self._catalog.update_link(link.id, **changes) if changes else link
        return self._catalog.add_link(
            kind=LinkKind.PLAYLISTS,
            library_a_id=plex.id,
            library_b_id=folder.id,
            policy=policy or PlaylistPolicy.ASK,
            options={"playlist_dir": playlist_dir, "mode": mode or PlaylistMode.MIRROR},
        )
