"""The run index: encoding round trip, refusal of foreign data, and what a movie records."""

from __future__ import annotations

import json

import pytest

from app.domain.mirror import (
    DirNode,
    FileMeta,
    FileNode,
    PlanOptions,
    SettledMovie,
    plan_mirror,
)
from app.domain.mirror_index import (
    INDEX_VERSION,
    RunIndex,
    decode_index,
    encode_index,
    settlement_shape,
)
from app.domain.movies import METADATA_SUFFIXES, Loss

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
def test_foreign_or_damaged_data_is_no_index(mutate: object) -> None:
    data = json.loads(encode_index(index(SETTLED)))
    mutate(data)  # type: ignore[operator]
    assert decode_index(json.dumps(data).encode()) is None


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"version": 2}', b"\xff\xfe"])
def test_garbage_is_no_index(raw: bytes) -> None:
    assert decode_index(raw) is None


def test_matches_only_the_same_kind_of_run() -> None:
    saved = index()
    same = {
        "source": "/src",
        "target": "/dst",
        "format_choices": ("auto", "auto"),
        "mode": "hardlink",
        "metadata_suffixes": METADATA_SUFFIXES,
    }
    assert saved.matches(**same)  # type: ignore[arg-type]
    for key, other in (
        ("source", "/elsewhere"),
        ("target", "/other"),
        ("format_choices", ("plex", "auto")),
        ("mode", "copy"),
        ("metadata_suffixes", frozenset({".nfo"})),
    ):
        assert not saved.matches(**{**same, key: other})  # type: ignore[arg-type]


def meta(ino: int) -> FileMeta:
    return FileMeta(1, 1, ino, 1, 1)


def test_settlement_shape_lists_every_directory_and_copy() -> None:
    movie_node = DirNode(
        "M (2020) {imdb-tt1}",
        files=(
            FileNode("M (2020) {imdb-tt1}.mkv", meta(1)),
            FileNode("M (2020) {imdb-tt1}.nfo", meta(2)),
            FileNode("M (2020) {imdb-tt1}-trailer.mkv", meta(3)),
        ),
        dirs=(
            DirNode("Other", dirs=(DirNode("Deep", files=(FileNode("x.mkv", meta(4)),)),)),
            DirNode("Empty"),
        ),
    )
    plan = plan_mirror(DirNode("", dirs=(movie_node,)), None, PlanOptions("plex", "jellyfin"))
    shape = settlement_shape(plan.movies[0], movie_node, "hardlink")
    assert shape.source_dirs == ("", "Other", "Other/Deep", "Empty")
    assert shape.target_dirs == ("", "Empty", "Other", "Other/Deep", "trailers")
    assert dict(shape.files) == {
        "M (2020) {imdb-tt1}.mkv": "M (2020) [imdbid-tt1].mkv",
        "M (2020) {imdb-tt1}.nfo": "M (2020) [imdbid-tt1].nfo",
        "M (2020) {imdb-tt1}-trailer.mkv": "trailers/M (2020) [imdbid-tt1].mkv",
        "Other/Deep/x.mkv": "Other/Deep/x.mkv",
    }
    assert [shape.files[i][0] for i in shape.copies] == ["M (2020) {imdb-tt1}.nfo"]
    copy_shape = settlement_shape(plan.movies[0], movie_node, "copy")
    assert len(copy_shape.copies) == len(copy_shape.files)
