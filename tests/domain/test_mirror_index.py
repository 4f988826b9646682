"""The run index: encoding round trip, refusal of foreign data, and what a movie records."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from app.domain.mirror.index import (
    INDEX_VERSION,
    RunIndex,
    decode_index,
    encode_index,
    settle_movie,
)
from app.domain.mirror.naming import METADATA_SUFFIXES, Loss
from app.domain.mirror.plan import plan_mirror
from app.domain.mirror.planned import PlannedMovie, PlanOptions
from app.domain.mirror.reconcile import Mode
from app.domain.mirror.snapshot import DirNode, FileMeta, FileNode, SettledMovie

BAD = b"Caf\xe9 (1999)".decode("utf-8", "surrogateescape")


def index(*settled: SettledMovie) -> RunIndex:
    return RunIndex(
        source="/src",
        target="/dst",
        source_format="plex",
        target_format="jellyfin",
        format_choices=("auto", "auto"),
        mode="hardlink",
        metadata_suffixes=tuple(sorted(METADATA_SUFFIXES)),
        movies_total=3,
        files_total=7,
        finished_at="2026-01-01T00:00:00+00:00",
        settled=settled,
    )


SETTLED = SettledMovie(
    source_folder=f"{BAD} {{imdb-tt1}}",
    target_folder=f"{BAD} [imdbid-tt1]",
    source_dirs=(("", (1, 2, 3)), ("Trailers", (4, 5, 6))),
    target_dirs=(("", (7, 8, 9)),),
    files=((f"{BAD}.mkv", f"{BAD} - BD.mkv"), ("Trailers/t.mkv", "Trailers/t.mkv")),
    copies=((1, 10, 11),),
    losses=(Loss("label", None, "remux", "why"), Loss("attribute", "tmdb", "5", "why")),
)


def test_round_trip_keeps_everything_including_undecodable_names() -> None:
    original = index(SETTLED, SettledMovie("A", "A", (("", (1, 1, 1)),), ()))
    raw = encode_index(original)
    assert raw.isascii()
    assert decode_index(raw) == original


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(version=INDEX_VERSION + 1),
        lambda d: d.update(mode="teleport"),
        lambda d: d.update(source_format="kodi"),
        lambda d: d.update(movies_total="3"),
        lambda d: d.pop("settled"),
        lambda d: d["settled"][0].__setitem__(3, [1, 2]),  # stamps not in threes
        lambda d: d["settled"][0].__setitem__(3, [1, 2, "3", 4, 5, 6]),
        lambda d: d["settled"][0].__setitem__(6, ["odd"]),  # files not in pairs
        lambda d: d["settled"][0].__setitem__(7, [9, 1, 1]),  # copy of no file
        lambda d: d["settled"][0].__setitem__(8, [["label", None, 5, "x"]]),
        lambda d: d["settled"].append("not a movie"),
    ],
)
def test_foreign_or_damaged_data_is_no_index(mutate: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(encode_index(index(SETTLED)))
    mutate(data)
    assert decode_index(json.dumps(data).encode()) is None


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"version": 2}', b"\xff\xfe"])
def test_garbage_is_no_index(raw: bytes) -> None:
    assert decode_index(raw) is None


def test_matches_only_the_same_kind_of_run() -> None:
    saved = index()
    same: dict[str, Any] = {
        "source": "/src",
        "target": "/dst",
        "format_choices": ("auto", "auto"),
        "mode": "hardlink",
        "metadata_suffixes": METADATA_SUFFIXES,
    }
    assert saved.matches(**same)
    for key, other in (
        ("source", "/elsewhere"),
        ("target", "/other"),
        ("format_choices", ("plex", "auto")),
        ("mode", "copy"),
        ("metadata_suffixes", frozenset({".nfo"})),
    ):
        assert not saved.matches(**{**same, key: other})


def meta(ino: int, size: int = 1, mtime: int = 1) -> FileMeta:
    return FileMeta(size, mtime, ino, 1, 1)


OLD = (7, 1_000_000_001, 1_000_000_001)  # stamps long before the walk began
NOW = 10_000_000_000


def movie_trees(
    target_stamp: tuple[int, int, int] | None = OLD, nfo_mtime: int = 1
) -> tuple[DirNode, DirNode]:
    source = DirNode(
        "M (2020) {imdb-tt1}",
        files=(
            FileNode("M (2020) {imdb-tt1}.mkv", meta(1)),
            FileNode("M (2020) {imdb-tt1}.nfo", meta(2)),
            FileNode("M (2020) {imdb-tt1}-trailer.mkv", meta(3)),
        ),
        dirs=(
            DirNode(
                "Other",
                dirs=(DirNode("Deep", files=(FileNode("x.mkv", meta(4)),), stamp=OLD),),
                stamp=OLD,
            ),
            DirNode("Empty", stamp=OLD),
        ),
        stamp=OLD,
    )
    target = DirNode(
        "M (2020) [imdbid-tt1]",
        files=(
            FileNode("M (2020) [imdbid-tt1].mkv", meta(1)),
            FileNode("M (2020) [imdbid-tt1].nfo", meta(9, mtime=nfo_mtime)),
        ),
        dirs=(
            DirNode("Empty", stamp=OLD),
            DirNode(
                "Other",
                dirs=(DirNode("Deep", files=(FileNode("x.mkv", meta(4)),), stamp=OLD),),
                stamp=OLD,
            ),
            DirNode("trailers", files=(FileNode("M (2020) [imdbid-tt1].mkv", meta(3)),), stamp=OLD),
        ),
        stamp=target_stamp,
    )
    return source, target


def planned_movie(source: DirNode) -> PlannedMovie:
    plan = plan_mirror(DirNode("", dirs=(source,)), None, PlanOptions("plex", "jellyfin"))
    return plan.movies[0]


def test_settle_records_stamps_files_and_copies() -> None:
    source, target = movie_trees()
    record = settle_movie(planned_movie(source), source, target, "hardlink", NOW)
    assert record is not None
    assert sorted(rel for rel, _ in record.source_dirs) == ["", "Empty", "Other", "Other/Deep"]
    assert sorted(rel for rel, _ in record.target_dirs) == [
        "",
        "Empty",
        "Other",
        "Other/Deep",
        "trailers",
    ]
    assert all(stamp == OLD for _, stamp in record.target_dirs)
    assert dict(record.files) == {
        "M (2020) {imdb-tt1}.mkv": "M (2020) [imdbid-tt1].mkv",
        "M (2020) {imdb-tt1}.nfo": "M (2020) [imdbid-tt1].nfo",
        "M (2020) {imdb-tt1}-trailer.mkv": "trailers/M (2020) [imdbid-tt1].mkv",
        "Other/Deep/x.mkv": "Other/Deep/x.mkv",
    }
    assert [(record.files[i][0], size, mtime) for i, size, mtime in record.copies] == [
        ("M (2020) {imdb-tt1}.nfo", 1, 1)
    ]


@pytest.mark.parametrize(
    ("target_stamp", "nfo_mtime", "mode"),
    [
        (None, 1, "hardlink"),  # not stamped
        ((7, NOW - 1000, NOW - 1000), 1, "hardlink"),  # too fresh to trust
        (OLD, 2, "hardlink"),  # the copy does not match
        (OLD, 2, "copy"),
    ],
)
def test_settle_refuses_what_it_cannot_trust(
    target_stamp: tuple[int, int, int] | None, nfo_mtime: int, mode: Mode
) -> None:
    source, target = movie_trees(target_stamp, nfo_mtime)
    assert settle_movie(planned_movie(source), source, target, mode, NOW) is None


def test_in_copy_mode_every_file_is_a_recorded_copy() -> None:
    source, target = movie_trees()
    record = settle_movie(planned_movie(source), source, target, "copy", NOW)
    assert record is not None and len(record.copies) == len(record.files) == 4
