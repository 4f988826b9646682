"""``crossfade import pmrs|pmrs-s``: a plan from ``app.domain.imports``, carried out.

Carrying out means: asking the Plex server for the ids (and, when no music folder was given,
the locations) of the sections the file names, then saving the libraries and the link through
the catalog, which validates them like every other way in. Importing the same file again
reuses what the first import saved (the same server and sections, the same folder, the same
pair of libraries), so it never starts a second sync history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from app.domain.errors import InvalidInput
from app.domain.imports.plan import ImportPlan, PlexSource, SystemKind
from app.domain.imports.pmrs import parse_pmrs
from app.domain.imports.pmrs_s import parse_pmrs_s
from app.domain.kinds import LibraryKind
from app.domain.library_records import LibraryRecord, LinkRecord
from app.domain.links import Direction, LinkKind, Mode
from app.services.libraries.kinds import PlexClientFactory
from app.services.libraries.service import LibraryCatalog

PLEX_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import saved (``created``: new, else reused) and the commands to run next."""

    plan: ImportPlan
    libraries: tuple[tuple[LibraryRecord, bool], ...]
    links: tuple[tuple[LinkRecord, bool], ...]
    next_commands: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Sections:
    ids: list[int]
    locations: list[str]


class ConfigImporter:
    def __init__(self, catalog: LibraryCatalog, plex_client: PlexClientFactory) -> None:
        self._catalog = catalog
        self._plex_client = plex_client

    def pmrs(
        self, config_text: str, environ: Mapping[str, str], *, music_dir: str | None = None
    ) -> ImportResult:
        """A PlexMusicRatingsSync ``config.yml`` (with its ``PMRS_PLEX_*`` overrides)."""
        try:
            document = yaml.safe_load(config_text) if config_text.strip() else {}
        except yaml.YAMLError as error:
            raise InvalidInput(f"config.yml is not valid YAML: {error}") from None
        return self.apply(parse_pmrs(document, environ, music_dir=music_dir))

    def pmrs_s(
        self,
        config_text: str,
        *,
        plex_url: str | None = None,
        music_dir: str | None = None,
        mediamonkey_db: str | None = None,
    ) -> ImportResult:
        """A plex-music-rating-sync ``config.ini``."""
        plan = parse_pmrs_s(
            config_text, plex_url=plex_url, music_dir=music_dir, mediamonkey_db=mediamonkey_db
        )
        return self.apply(plan)

    def apply(self, plan: ImportPlan) -> ImportResult:
        saved: dict[SystemKind, tuple[LibraryRecord, bool]] = {}
        sections = _Sections([], [])
        if plan.plex is not None:
            sections = self._sections(plan.plex)
            saved[SystemKind.PLEX] = self._plex_library(plan.plex, sections.ids)
        if plan.folder is not None:
            saved[SystemKind.FILESYSTEM] = self._folder_library(plan, sections.locations)
        if plan.mediamonkey_db is not None:
            saved[SystemKind.MEDIAMONKEY] = self._mediamonkey_library(plan.mediamonkey_db)
        library_a, library_b = saved[plan.side_a][0], saved[plan.side_b][0]
        links = tuple(
            self._link(kind, library_a, library_b, plan.direction) for kind in plan.link_kinds
        )
        return ImportResult(
            plan=plan,
            libraries=tuple(saved[kind] for kind in (plan.side_a, plan.side_b)),
            links=links,
            next_commands=tuple(_next_command(link, plan.mode) for link, _ in links),
        )

    # --- Plex ---------------------------------------------------------------------------

    def _sections(self, plex: PlexSource) -> _Sections:
        assert plex.base_url is not None  # the parsers ask for --plex-url otherwise
        with self._plex_client(plex.base_url, plex.token, PLEX_TIMEOUT_S) as client:
            music = [section for section in client.list_sections() if section.is_music]
        if not plex.section_titles:
            chosen = music
        else:
            by_title = {section.title.casefold(): section for section in music}
            missing = [t for t in plex.section_titles if t.casefold() not in by_title]
            if missing:
                have = ", ".join(repr(section.title) for section in music) or "none"
                raise InvalidInput(
                    f"no music library {', '.join(map(repr, missing))} on {plex.base_url} "
                    f"(music libraries there: {have})"
                )
            chosen = [by_title[title.casefold()] for title in plex.section_titles]
        if not chosen:
            raise InvalidInput(f"{plex.base_url} has no music library")
        locations = [location for section in chosen for location in section.locations]
        return _Sections([section.section_id for section in chosen], locations)

    def _plex_library(self, plex: PlexSource, section_ids: list[int]) -> tuple[LibraryRecord, bool]:
        assert plex.base_url is not None
        for library in self._catalog.repository.libraries(kind=LibraryKind.PLEX_MUSIC):
            config = library.config
            if config.get("base_url") == plex.base_url and sorted(
                config.get("section_ids", [])
            ) == sorted(section_ids):
                return self._catalog.update_library(library.id, secret=plex.token), False
        name = f"Plex {plex.server_name or plex.base_url}"
        return (
            self._catalog.add_library(
                kind=LibraryKind.PLEX_MUSIC,
                name=name,
                config={"base_url": plex.base_url, "section_ids": section_ids},
                secret=plex.token,
            ),
            True,
        )

    # --- files and MediaMonkey ------------------------------------------------------------

    def _folder_library(
        self, plan: ImportPlan, plex_locations: Sequence[str]
    ) -> tuple[LibraryRecord, bool]:
        assert plan.folder is not None
        root = plan.folder.root or _root_from(plex_locations)
        root = os.path.abspath(root)
        if not os.path.isdir(root):
            raise InvalidInput(f"music folder {root!r} is not a directory here")
        config: dict[str, Any] = {"root": root}
        for key, value in (
            ("write_profile", plan.folder.write_profile),
            ("write_mode", plan.folder.write_mode),
            ("read_policy", plan.folder.read_policy),
        ):
            if value is not None:
                config[key] = value
        if plan.folder.read_priority:
            config["read_priority"] = list(plan.folder.read_priority)
        if LinkKind.PLAYLISTS in plan.link_kinds:
            config["playlist_dir"] = os.path.abspath(plan.folder.playlist_dir or root)
        for library in self._catalog.repository.libraries(kind=LibraryKind.MUSIC_FOLDER):
            if library.config.get("root") == root:
                return self._catalog.update_library(library.id, config=config), False
        name = f"Music files {os.path.basename(root) or root}"
        return self._catalog.add_library(
            kind=LibraryKind.MUSIC_FOLDER, name=name, config=config
        ), True

    def _mediamonkey_library(self, database: str) -> tuple[LibraryRecord, bool]:
        path = os.path.abspath(database)
        kind = "mediamonkey"
        if kind not in self._catalog.kinds.kinds():
            raise InvalidInput("this installation has no MediaMonkey library kind")
        for library in self._catalog.repository.libraries(kind=kind):
            if library.config.get("database") == path:
                return library, False
        return (
            self._catalog.add_library(
                kind=kind,
                name=f"MediaMonkey {os.path.basename(path)}",
                config={"database": path},
            ),
            True,
        )

    # --- links ----------------------------------------------------------------------------

    def _link(
        self, kind: LinkKind, a: LibraryRecord, b: LibraryRecord, direction: Direction
    ) -> tuple[LinkRecord, bool]:
        for link in self._catalog.links(kind=kind):
            if (link.library_a_id, link.library_b_id) == (a.id, b.id):
                return self._catalog.update_link(link.id, direction=direction.value), False
        policy = {Direction.A_TO_B: "prefer_a", Direction.B_TO_A: "prefer_b"}.get(direction, "ask")
        created = self._catalog.add_link(
            kind=kind,
            library_a_id=a.id,
            library_b_id=b.id,
            direction=direction.value,
            policy=policy,
        )
        return created, True


def _root_from(locations: Sequence[str]) -> str:
    """The one local folder Plex's sections point at (PMRS reads the files where Plex says)."""
    distinct = sorted(set(locations))
    here = [location for location in distinct if os.path.isdir(location)]
    if len(distinct) == 1 and here:
        return here[0]
    shown = ", ".join(distinct) or "none"
    raise InvalidInput(
        f"cannot tell which folder holds the music files (Plex's folders: {shown}); "
        "give it with --music-dir"
    )


def _next_command(record: LinkRecord, mode: Mode) -> str:
    family = "playlists" if record.kind == LinkKind.PLAYLISTS else "ratings"
    verb = mode.value if family == "ratings" else "sync"
    return f"crossfade {family} {verb} --link {record.id} --dry-run"
