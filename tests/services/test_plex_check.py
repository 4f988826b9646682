from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient
from app.domain.errors import InvalidInput, NotFound
from app.domain.paths import PathMapping
from app.services.libraries.plex_check import OsFileProbe, check_plex, sample_offsets
from plex_emulator.builder import Folder
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


@dataclass(frozen=True)
class Section:
    section_id: int
    title: str
    kind: str
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Track:
    rating_key: int
    title: str
    file_paths: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    total: int
    tracks: Sequence[Track]


@dataclass
class FakeLibrary:
    sections: list[Section]
    tracks: dict[int, list[Track]]
    asked: list[tuple[int, int, int]] = field(default_factory=list)

    def list_sections(self) -> list[Section]:
        return self.sections

    def tracks_page(self, section_id: int, start: int, size: int) -> Page:
        self.asked.append((section_id, start, size))
        everything = self.tracks[section_id]
        return Page(len(everything), everything[start : start + size])


@dataclass
class FakeProbe:
    files: set[str]
    listed: list[str] = field(default_factory=list)

    def exists(self, local_path: str) -> bool:
        return local_path in self.files

    def list_files(self, root: str) -> Iterator[str]:
        self.listed.append(root)
        yield from sorted(f for f in self.files if f.startswith(root.rstrip("/") + "/"))


def _library(paths: list[str]) -> FakeLibrary:
    tracks = [Track(100 + i, f"t{i}", (p,)) for i, p in enumerate(paths)]
    return FakeLibrary(
        [Section(1, "Music", "artist", ("D:\\Music",)), Section(2, "Films", "movie")],
        {1: tracks},
    )


@pytest.mark.parametrize(
    ("total", "size", "offsets"),
    [(0, 5, []), (3, 5, [0, 1, 2]), (10, 5, [0, 2, 4, 6, 8]), (7, 3, [0, 2, 4]), (5, 0, [])],
)
def test_sample_offsets(total: int, size: int, offsets: list[int]) -> None:
    assert sample_offsets(total, size) == offsets


def test_misses_get_a_proposal() -> None:
    paths = [f"D:\\Music\\Artist {i}\\Album\\0{i}.flac" for i in range(6)]
    local = {f"/data/music/Artist {i}/Album/0{i}.flac" for i in range(6)}
    library = _library(paths)
    probe = FakeProbe(local)
    report = check_plex(library, probe, roots=["/data/music"], sample_size=4)
    assert [s.title for s in report.sections] == ["Music", "Films"]
    (check,) = report.checks
    assert (check.total_tracks, check.sampled, check.resolved) == (6, 4, 0)
    assert [m.local_path for m in check.misses] == [m.plex_path for m in check.misses]
    (proposal,) = check.proposals
    assert proposal.mapping == PathMapping("D:\\Music", "/data/music")
    assert check.fixed_by_proposals == 4
    assert not check.ok
    assert library.asked[0] == (1, 0, 0)
    assert [start for _, start, size in library.asked[1:]] == [0, 1, 3, 4]


def test_configured_mappings_resolve() -> None:
    paths = ["D:\\Music\\A\\01.flac", "D:\\Music\\B\\02.flac"]
    probe = FakeProbe({"/data/music/A/01.flac", "/data/music/B/02.flac"})
    report = check_plex(
        _library(paths), probe, mappings=[PathMapping("D:\\Music", "/data/music")], roots=["/x"]
    )
    (check,) = report.checks
    assert check.ok and check.resolved == 2 and check.proposals == ()
    assert probe.listed == []  # no misses: the roots are never walked


def test_unmapped_paths_and_no_roots() -> None:
    library = _library(["D:\\Music\\A\\01.flac"])
    (check,) = check_plex(
        library, FakeProbe(set()), mappings=[PathMapping("/volume1", "/data")]
    ).checks
    assert check.misses[0].local_path is None
    assert check.proposals == ()


def test_named_section() -> None:
    library = _library(["/a.flac"])
    checks = check_plex(library, FakeProbe(set()), section_title=" music").checks
    assert [c.section.title for c in checks] == ["Music"]
    with pytest.raises(InvalidInput, match="not a music section"):
        check_plex(library, FakeProbe(set()), section_title="Films")
    with pytest.raises(NotFound, match="Music, Films"):
        check_plex(library, FakeProbe(set()), section_title="Nope")


def test_windows_server_paths_against_real_files(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The issue's case: Plex shows D:\\Music\\Artist\\Album\\01.flac, the files are under a
    local folder standing in for /data/music."""
    music = write_library(tmp_path / "data" / "music", tmp_path_factory)
    with (
        running_emulator(music=[Folder(str(music), "D:\\Music")]) as server,
        PlexServerClient(server.url, OWNER_TOKEN) as plex,
    ):
        report = check_plex(plex, OsFileProbe(), roots=[str(tmp_path / "data")])
    (check,) = report.checks
    assert report.sections[0].locations == ("D:\\Music",)
    assert check.sampled == 6 and check.resolved == 0
    assert all(m.plex_path.startswith("D:\\Music\\") for m in check.misses)
    (proposal,) = check.proposals
    assert proposal.mapping == PathMapping("D:\\Music", str(music))
    assert check.fixed_by_proposals == 6
