"""Import planning (jellyplex-sync 0.5.0's flat grouping): which staged videos become which
movies and target files, what is left out and why."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.mirror.flat import INLINE_EXTRA, NOT_A_VIDEO, UNPARSEABLE, plan_import
from app.domain.mirror.naming import Format
from app.domain.mirror.planned import MirrorPlan, PlanOptions
from tests.domain.mirror_support import MARKED, meta, snap


def imported(
    spec: dict[str, Any], target: dict[str, Any] | None = None, src: Format = "plex"
) -> MirrorPlan:
    options = PlanOptions(src, "jellyfin" if src == "plex" else "plex")
    return plan_import(snap(spec), None if target is None else snap(target), options)


def placed(result: MirrorPlan) -> dict[str, str]:
    return {v.source: v.target for m in result.movies for v in m.videos}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (  # versions of one movie, anywhere in the staging area, are one movie
            {
                "Heat (1995) {imdb-tt0113277} [1080p].mkv": meta(),
                "a": {"b": {"Heat (1995) {imdb-tt0113277} {edition-Director's Cut}.mkv": meta()}},
            },
            {
                "Heat (1995) {imdb-tt0113277} [1080p].mkv": (
                    "Heat (1995) [imdbid-tt0113277]/Heat (1995) [imdbid-tt0113277] - BD.mkv"
                ),
                "a/b/Heat (1995) {imdb-tt0113277} {edition-Director's Cut}.mkv": (
                    "Heat (1995) [imdbid-tt0113277]/"
                    "Heat (1995) [imdbid-tt0113277] - Director's Cut.mkv"
                ),
            },
        ),
        (  # different ids: two movies
            {"Heat (1995) {imdb-tt1}.mkv": meta(), "Heat (1995) {imdb-tt2}.mkv": meta()},
            {
                "Heat (1995) {imdb-tt1}.mkv": "Heat (1995) [imdbid-tt1]/"
                "Heat (1995) [imdbid-tt1].mkv",
                "Heat (1995) {imdb-tt2}.mkv": "Heat (1995) [imdbid-tt2]/"
                "Heat (1995) [imdbid-tt2].mkv",
            },
        ),
        (  # no year is allowed
            {"Heat.mkv": meta()},
            {"Heat.mkv": "Heat/Heat.mkv"},
        ),
    ],
)
def test_grouping(spec: dict[str, Any], expected: dict[str, str]) -> None:
    assert placed(imported(spec)) == expected


def test_jellyfin_names_group_by_the_part_before_the_version() -> None:
    result = imported(
        {
            "Heat (1995) [imdbid-tt1] - BD.mkv": meta(),
            "x": {"Heat (1995) [imdbid-tt1] - 4k Extended.mkv": meta()},
        },
        src="jellyfin",
    )
    assert placed(result) == {
        "Heat (1995) [imdbid-tt1] - BD.mkv": (
            "Heat (1995) {imdb-tt1}/Heat (1995) {imdb-tt1} [1080p].mkv"
        ),
        "x/Heat (1995) [imdbid-tt1] - 4k Extended.mkv": (
            "Heat (1995) {imdb-tt1}/Heat (1995) {imdb-tt1} {edition-Extended} [2160p].mkv"
        ),
    }


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("notes.nfo", NOT_A_VIDEO),
        ("sub/[1080p].mkv", UNPARSEABLE),
        ("Heat (1995)-trailer.mkv", INLINE_EXTRA),
    ],
)
def test_left_out_with_a_reason(path: str, reason: str) -> None:
    spec: dict[str, Any] = {}
    node = spec
    *folders, name = path.split("/")
    for folder in folders:
        node = node.setdefault(folder, {})
    node[name] = meta()
    result = imported(spec)
    assert [(i.path, i.reason) for i in result.ignored] == [(path, reason)]
    assert not result.movies


def test_markers_in_the_staging_area_and_the_target() -> None:
    result = imported(
        {"hold": {**MARKED}, "Heat (1995).mkv": meta(), "Alien (1979).mkv": meta()},
        target={"Heat (1995)": {**MARKED}, "Mine": {"Deep": {**MARKED}}},
    )
    assert result.marked_in_source == ("hold",)
    assert result.marked_in_target == ("Heat (1995)", "Mine/Deep")
    assert placed(result) == {"Alien (1979).mkv": "Alien (1979)/Alien (1979).mkv"}


@pytest.mark.parametrize("side", ["source", "target"])
def test_a_marked_root_plans_nothing(side: str) -> None:
    source = {**MARKED} if side == "source" else {"Heat (1995).mkv": meta()}
    result = imported(source, target={**MARKED} if side == "target" else {})
    assert result.locked == side and not result.movies


def test_two_movies_meeting_in_one_target_folder_are_both_left_out() -> None:
    result = imported(
        {
            "Heat (1995) {imdb-tt1} {tmdb-5}.mkv": meta(),
            "Heat (1995) {imdb-tt1}.mkv": meta(),
            "Alien (1979).mkv": meta(),
        }
    )
    assert [(c.target_folder_name, len(c.source_folder_names)) for c in result.folder_clashes] == [
        ("Heat (1995) [imdbid-tt1]", 2)
    ]
    assert [m.target_folder for m in result.movies] == ["Alien (1979)"]
    assert result.movies_total == 3
