"""Ad hoc runs from the command line: the same Plex server, section and folder given again
reuse the same libraries and link, and so their matches and baselines, from run to run."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from app.domain.errors import InvalidInput
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import LinkKind
from app.services.libraries.kinds import PlexClientFactory
from app.services.libraries.lookup import find_link
from app.services.libraries.service import LibraryCatalog


class AdhocLinks:
    def __init__(self, catalog: LibraryCatalog, plex_client: PlexClientFactory) -> None:
        self._catalog = catalog
        self._plex_client = plex_client

    def section_ids(self, plex_url: str, token: str, sections: Sequence[str]) -> list[int]:
        """Music sections by title (case-insensitive) or by id, in the order given, once each
        (a Plex library may hold several sections: ``--section Music --section Live``)."""
        with self._plex_client(plex_url.rstrip("/"), token, 30.0) as client:
            music = [s for s in client.list_sections() if s.is_music]
        found: list[int] = []
        for wanted in sections:
            match = next(
                (
                    candidate.section_id
                    for candidate in music
                    if candidate.title.casefold() == wanted.casefold()
                    or str(candidate.section_id) == wanted
                ),
                None,
            )
            if match is None:
                names = ", ".join(repr(s.title) for s in music) or "none"
                raise InvalidInput(
                    f"no music section {wanted!r} on {plex_url} (music sections: {names})"
                )
            if match not in found:
                found.append(match)
        if not found:
            raise InvalidInput("name at least one music section")
        return found

    def section_id(self, plex_url: str, token: str, section: str) -> int:
        """A music section by title (case-insensitive) or by id."""
        return self.section_ids(plex_url, token, [section])[0]

    def saved_link(self, wanted: str, kind: LinkKind) -> LinkRecord:
        """A saved link of ``kind`` by its id, its label (``Plex ⇄ Music files``) or the name of
        one of its libraries when that library is in exactly one such link."""
        return find_link(self._catalog.repository, wanted, kind=kind.value)

    def _find(self, kind: str, key: str, value: object) -> LibraryRecord | None:
        for library in self._catalog.repository.libraries(kind=kind):
            if library.config.get(key) == value:
                return library
        return None

    def plex_library(
        self, plex_url: str, token: str, section_id: int | Sequence[int], path_maps: Sequence[str]
    ) -> LibraryRecord:
        base_url = plex_url.rstrip("/")
        section_ids = [section_id] if isinstance(section_id, int) else list(section_id)
        for library in self._catalog.repository.libraries(kind=LibraryKind.PLEX_MUSIC):
            config = library.config
            if config.get("base_url") == base_url and config.get("section_ids") == section_ids:
                return self._catalog.update_library(
                    library.id, secret=token, path_mappings=list(path_maps) or None
                )
        return self._catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC,
            name=f"Plex {base_url} section{'s' if len(section_ids) > 1 else ''} "
            + ", ".join(map(str, section_ids)),
            config={"base_url": base_url, "section_ids": section_ids},
            secret=token,
            path_mappings=list(path_maps),
        )

    def folder_library(
        self,
        music_dir: str,
        profile: str | None,
        tag_options: Mapping[str, str | None] | None = None,
    ) -> LibraryRecord:
        """The folder's library; ``profile`` and ``tag_options`` (``write_mode``,
        ``popm_email``, ``read_policy``, ``read_priority``, ``pinned_scale``: the ones given)
        are stored in its config, so later runs keep them."""
        root = os.path.abspath(music_dir)
        changes: dict[str, object] = dict(tag_options or {})
        if profile is not None:
            changes["write_profile"] = profile
        existing = self._find(LibraryKind.MUSIC_FOLDER, "root", root)
        if existing is not None:
            if any(existing.config.get(key) != value for key, value in changes.items()):
                return self._catalog.update_library(existing.id, config=changes)
            return existing
        config: dict[str, object] = {"root": root, **changes}
        return self._catalog.add_library(
            kind=LibraryKind.MUSIC_FOLDER, name=f"Folder {root}", config=config
        )

    def ratings_link(
        self,
        *,
        plex_url: str,
        token: str,
        section: str | Sequence[str],
        music_dir: str,
        path_maps: Sequence[str] = (),
        policy: str | None = None,
        profile: str | None = None,
        tag_options: Mapping[str, str | None] | None = None,
    ) -> LinkRecord:
        sections = [section] if isinstance(section, str) else list(section)
        plex = self.plex_library(
            plex_url, token, self.section_ids(plex_url, token, sections), path_maps
        )
        folder = self.folder_library(music_dir, profile, tag_options)
        for link in self._catalog.repository.links(kind=LinkKind.RATINGS.value):
            if (link.library_a_id, link.library_b_id) == (plex.id, folder.id):
                if policy is not None and policy != link.policy:
                    return self._catalog.update_link(link.id, policy=policy)
                return link
        return self._catalog.add_link(
            kind=LinkKind.RATINGS.value,
            library_a_id=plex.id,
            library_b_id=folder.id,
            policy=policy or "prefer_a",
        )
