"""The Plex diagnostic: can this process open the files a Plex server talks about?

For each music section (or the one named): sample tracks spread evenly over the section, map
their server paths to local paths with the configured mappings, and check that the files
exist. For the misses, look at the files under the configured local roots and propose mappings
by longest common path suffix (``app.domain.paths.propose_mappings``), then count how many
misses the proposals would fix.

The Plex side and the file system come in through two small ports, so the check runs the same
against a real server, the emulator, or fakes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.domain.errors import InvalidInput, NotFound
from app.domain.kinds import LibraryKind
from app.domain.path_input import check_local_path
from app.domain.paths import MappingProposal, PathMapping, map_plex_to_local, propose_mappings
from app.services.libraries.configs import PlexMusicConfig
from app.services.libraries.kinds import PlexClientFactory
from app.services.libraries.service import validate_library_config
from app.services.ports import LibraryRepositoryPort


class SectionView(Protocol):
    @property
    def section_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def locations(self) -> tuple[str, ...]: ...


class TrackView(Protocol):
    @property
    def rating_key(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def file_paths(self) -> tuple[str, ...]: ...


class PageView(Protocol):
    @property
    def total(self) -> int: ...
    @property
    def tracks(self) -> Sequence[TrackView]: ...


class PlexLibrary(Protocol):
    """What the check needs from a Plex server (``PlexServerClient`` fits)."""

    def list_sections(self) -> Sequence[SectionView]: ...
    def tracks_page(self, section_id: int, start: int, size: int) -> PageView: ...


class FileProbe(Protocol):
    """What the check needs from the local file system."""

    def exists(self, local_path: str) -> bool: ...
    def list_files(self, root: str) -> Iterator[str]: ...


class OsFileProbe:
    """The real file system."""

    def exists(self, local_path: str) -> bool:
        return Path(local_path).is_file()

    def list_files(self, root: str) -> Iterator[str]:
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                yield str(Path(folder) / name)


@dataclass(frozen=True)
class Miss:
    rating_key: int
    title: str
    plex_path: str
    local_path: str | None  # None: no mapping applies


@dataclass(frozen=True)
class SectionCheck:
    section: SectionView
    total_tracks: int
    sampled: int
    resolved: int  # sampled tracks whose file exists locally with the current mappings
    misses: tuple[Miss, ...]
    proposals: tuple[MappingProposal, ...]
    fixed_by_proposals: int  # misses that exist locally with the proposals added

    @property
    def ok(self) -> bool:
        return self.sampled > 0 and self.resolved == self.sampled


@dataclass(frozen=True)
class PlexCheckReport:
    sections: tuple[SectionView, ...]
    checks: tuple[SectionCheck, ...]


def sample_offsets(total: int, sample_size: int) -> list[int]:
    """``sample_size`` offsets spread evenly over ``0..total-1`` (all of them if fewer)."""
    if total <= 0 or sample_size <= 0:
        return []
    if total <= sample_size:
        return list(range(total))
    return sorted({(i * total) // sample_size for i in range(sample_size)})


def resolve(plex_path: str, mappings: Sequence[PathMapping]) -> str | None:
    """The local path for a server path; with no mappings at all, the path itself."""
    if not mappings:
        return plex_path
    return map_plex_to_local(plex_path, mappings)


def check_section(
    library: PlexLibrary,
    probe: FileProbe,
    section: SectionView,
    *,
    mappings: Sequence[PathMapping],
    roots: Sequence[str],
    sample_size: int = 50,
    local_files: Callable[[], Sequence[str]] | None = None,
) -> SectionCheck:
    """Check one section; ``local_files`` (default: list the roots) is called only on misses."""
    total = library.tracks_page(section.section_id, 0, 0).total
    sampled: list[TrackView] = []
    for offset in sample_offsets(total, sample_size):
        sampled.extend(library.tracks_page(section.section_id, offset, 1).tracks[:1])
    resolved = 0
    misses: list[Miss] = []
    for track in sampled:
        plex_path = track.file_paths[0] if track.file_paths else ""
        local = resolve(plex_path, mappings) if plex_path else None
        if local is not None and probe.exists(local):
            resolved += 1
        else:
            misses.append(Miss(track.rating_key, track.title, plex_path, local))
    proposals: tuple[MappingProposal, ...] = ()
    fixed = 0
    if misses and roots:
        files = (
            local_files()
            if local_files is not None
            else [f for root in roots for f in probe.list_files(root)]
        )
        proposals = propose_mappings((m.plex_path for m in misses if m.plex_path), files)
        proposed = [p.mapping for p in proposals]
        fixed = sum(
            1
            for m in misses
            if m.plex_path
            and (local := map_plex_to_local(m.plex_path, proposed)) is not None
            and probe.exists(local)
        )
    return SectionCheck(
        section=section,
        total_tracks=total,
        sampled=len(sampled),
        resolved=resolved,
        misses=tuple(misses),
        proposals=proposals,
        fixed_by_proposals=fixed,
    )


def check_plex(
    library: PlexLibrary,
    probe: FileProbe,
    *,
    mappings: Sequence[PathMapping] = (),
    roots: Sequence[str] = (),
    section_title: str | None = None,
    sample_size: int = 50,
) -> PlexCheckReport:
    """Check every music section (or the one titled ``section_title``)."""
    sections = tuple(library.list_sections())
    if section_title is not None:
        wanted = section_title.strip().casefold()
        chosen = [s for s in sections if s.title.strip().casefold() == wanted]
        if not chosen:
            names = ", ".join(s.title for s in sections) or "none"
            raise NotFound(f"no section titled {section_title!r} (sections: {names})")
        if any(s.kind != "artist" for s in chosen):
            raise InvalidInput(f"{section_title!r} is not a music section")
    else:
        chosen = [s for s in sections if s.kind == "artist"]
    listed: list[str] = []

    def local_files() -> list[str]:
        if not listed:
            listed.extend(f for root in roots for f in probe.list_files(root))
        return listed

    checks: list[SectionCheck] = []
    for section in chosen:
        checks.append(
            check_section(
                library,
                probe,
                section,
                mappings=mappings,
                roots=roots,
                sample_size=sample_size,
                local_files=local_files,
            )
        )
    return PlexCheckReport(sections=sections, checks=tuple(checks))


# --- the dashboard's entry points: a server by URL and token, a saved library by id ----------


def server_sections(
    connect: PlexClientFactory, base_url: str, token: str, *, timeout_s: float = 10.0
) -> tuple[SectionView, ...]:
    """For "Test connection": every section the token can see; InvalidInput for a bad URL
    or an empty token, a PlexError when the server cannot be used."""
    config = validate_library_config(
        LibraryKind.PLEX_MUSIC, {"base_url": base_url, "section_ids": [1]}
    )
    if not token.strip():
        raise InvalidInput("a Plex server needs a token")
    with connect(str(config["base_url"]), token.strip(), timeout_s) as client:
        return client.list_sections()


def linked_roots(libraries: LibraryRepositoryPort, library_id: int) -> list[str]:
    """Roots of the music folders linked to a library, else of every music folder."""
    folders = {
        f.id: str(f.config["root"]) for f in libraries.libraries(kind=LibraryKind.MUSIC_FOLDER)
    }
    linked = [
        folders[other]
        for link in libraries.links()
        for other in (link.library_a_id, link.library_b_id)
        if library_id in (link.library_a_id, link.library_b_id) and other in folders
    ]
    return list(dict.fromkeys(linked or folders.values()))


def check_library(
    libraries: LibraryRepositoryPort,
    connect: PlexClientFactory,
    library_id: int,
    *,
    roots: Sequence[str],
    probe: FileProbe | None = None,
    sample_size: int = 50,
) -> PlexCheckReport:
    """The diagnostic for a saved Plex library: its sections, its token, its mappings."""
    roots = [check_local_path(root, what="folder to search") for root in roots]
    library = libraries.library(library_id)
    if library.kind != LibraryKind.PLEX_MUSIC:
        raise InvalidInput(f"library {library.name!r} is not a Plex library")
    config = PlexMusicConfig.model_validate(library.config)
    mappings = [PathMapping(plex, local) for plex, local in library.path_mappings]
    files = probe or OsFileProbe()
    listed: list[str] = []

    def local_files() -> list[str]:
        if not listed:
            listed.extend(f for root in roots for f in files.list_files(root))
        return listed

    token = libraries.secret(library_id) or ""
    with connect(config.base_url, token, config.timeout_s) as client:
        sections = client.list_sections()
        checks = tuple(
            check_section(
                client,
                files,
                section,
                mappings=mappings,
                roots=roots,
                sample_size=sample_size,
                local_files=local_files,
            )
            for section in sections
            if section.section_id in config.section_ids
        )
    return PlexCheckReport(sections=tuple(sections), checks=checks)
