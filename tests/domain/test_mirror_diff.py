"""Diffing the target against a plan: recursive, identity-checking, derived from reconcile."""

from __future__ import annotations

from typing import Any

from app.domain.mirror.diff import diff_target
from app.domain.mirror.reconcile import (
    Mode,
)
from app.domain.mirror.snapshot import (
    DirNode,
)
from tests.domain.mirror_support import (
    JF,
    SOURCE_SPEC,
    in_sync_target,
    meta,
    plan,
    snap,
)

# --------------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------------


def diff_of(target: DirNode, mode: Mode = "hardlink") -> Any:
    source = snap(SOURCE_SPEC)
    return diff_target(plan(source, target), source, target, mode)


def test_diff_in_sync() -> None:
    assert diff_of(in_sync_target()).in_sync


def test_diff_reports_missing_movies_and_root_strays() -> None:
    report = diff_of(snap({"Other (1990)": {}, "loose.txt": meta()}))
    assert [(m.source_folder, m.expected_target) for m in report.movies_only_in_source] == [
        ("M (2020) {imdb-tt1}", JF)
    ]
    assert report.movies_only_in_target == ("Other (1990)", "loose.txt")
    assert not report.in_sync


def test_diff_is_recursive_and_checks_identity() -> None:
    target = snap(
        {
            JF: {
                f"{JF}.mkv": meta(ino=77, size=100, mtime=5),
                f"{JF}.nfo": meta(ino=50, size=3, mtime=6),
                "Extra": {"e.mkv": meta()},
            }
        }
    )
    (movie,) = diff_of(target).differing_movies
    assert movie.only_in_source == ("Trailers",)
    assert movie.only_in_target == ("Extra",)
    assert movie.differing == (f"{JF}.mkv",)


def test_diff_in_copy_mode_compares_size_and_mtime() -> None:
    target = in_sync_target(**{f"{JF}.mkv": meta(ino=99, size=100, mtime=5)})
    target_files = dict(target.iter_files())
    assert f"{JF}/{JF}.mkv" in target_files
    report = diff_of(target, mode="copy")
    differing = {d for m in report.differing_movies for d in m.differing}
    assert f"{JF}.mkv" not in differing
    assert "Trailers/t.mkv" in differing  # a hardlink of the source is not a copy
