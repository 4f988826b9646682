"""Reconciling a plan with the target as it is: the steps of a sync, the identity rules per
mode, strays and their safety rules."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.mirror.reconcile import (
    ErrorStep,
    FileStep,
    MkdirStep,
    Mode,
    ReconcileOptions,
    RemoveStep,
    StrayContext,
    reconcile,
)
from app.domain.mirror.snapshot import (
    DirNode,
    FileMeta,
    FileNode,
    SettledMovie,
)
from tests.domain.mirror_support import (
    JF,
    MARKED,
    SOURCE_SPEC,
    in_sync_target,
    meta,
    plan,
    snap,
)

LIBRARY_STRAY = StrayContext.LIBRARY_STRAY
MOVIE_STRAY = StrayContext.MOVIE_STRAY
ASSET_STRAY = StrayContext.ASSET_STRAY

# --------------------------------------------------------------------------------------------
# reconcile
# --------------------------------------------------------------------------------------------


def steps_of(target: DirNode | None, **options: Any) -> list[Any]:
    source = snap(SOURCE_SPEC)
    result = reconcile(plan(source, target), source, target, ReconcileOptions(**options))
    return [step for movie in result.movies for step in movie.steps]


def file_actions(steps: list[Any]) -> dict[str, tuple[str, bool]]:
    return {s.file.target: (s.action, s.copy) for s in steps if isinstance(s, FileStep)}


def test_empty_target_links_everything_and_copies_metadata() -> None:
    steps = steps_of(None)
    assert [s.target for s in steps if isinstance(s, MkdirStep)] == [JF, f"{JF}/Trailers"]
    assert file_actions(steps) == {
        f"{JF}/{JF}.mkv": ("link", False),
        f"{JF}/{JF}.nfo": ("link", True),
        f"{JF}/Trailers/t.mkv": ("link", False),
    }


@pytest.mark.parametrize(
    ("mode", "override", "expected"),
    [
        ("hardlink", {}, "skip"),
        ("hardlink", {f"{JF}.mkv": meta(ino=99, size=100, mtime=5)}, "replace"),
        ("hardlink", {f"{JF}.mkv": FileNode("x", meta(ino=1, size=100, mtime=5), True)}, "replace"),
        ("copy", {f"{JF}.mkv": meta(ino=99, size=100, mtime=5)}, "skip"),
        ("copy", {f"{JF}.mkv": meta(ino=99, size=100, mtime=9)}, "replace"),
        ("copy", {f"{JF}.mkv": meta(ino=99, size=101, mtime=5)}, "replace"),
        ("copy", {}, "replace"),  # the same inode is a hardlink, not a copy
        ("force-copy", {f"{JF}.mkv": meta(ino=99, size=100, mtime=5)}, "replace"),
    ],
)
def test_identity_rules_per_mode(mode: Mode, override: dict[str, Any], expected: str) -> None:
    actions = file_actions(steps_of(in_sync_target(**override), mode=mode))
    assert actions[f"{JF}/{JF}.mkv"] == (expected, mode != "hardlink")


@pytest.mark.parametrize(
    ("nfo", "expected"),
    [
        (meta(ino=50, size=3, mtime=6), "skip"),
        (meta(ino=50, size=3, mtime=8), "replace"),
        (meta(ino=2, size=3, mtime=6, nlink=2), "replace"),  # a hardlink shared with the source
    ],
)
def test_metadata_is_a_copy_even_when_hardlinking(nfo: FileMeta, expected: str) -> None:
    actions = file_actions(steps_of(in_sync_target(**{f"{JF}.nfo": nfo})))
    assert actions[f"{JF}/{JF}.nfo"] == (expected, True)


def stray_target() -> DirNode:
    spec: dict[str, Any] = {
        JF: {
            f"{JF}.mkv": meta(ino=1, size=100, mtime=5, nlink=2),
            f"{JF}.nfo": meta(ino=50, size=3, mtime=6),
            "old.mkv": meta(nlink=2),
            "Trailers": {"t.mkv": meta(ino=3, size=7, mtime=7, nlink=2), "gone.mkv": meta(nlink=2)},
            "Junk": {"a.mkv": meta(nlink=3), "b.nfo": meta()},
        },
        "Stray (1999)": {"s.mkv": meta(nlink=2)},
        "root.txt": meta(nlink=2),
    }
    return snap(spec)


def test_strays_are_reported_without_delete() -> None:
    source = snap(SOURCE_SPEC)
    result = reconcile(plan(source), source, stray_target(), ReconcileOptions())
    assert result.library_strays == ("Stray (1999)", "root.txt")
    assert result.library_removals == ()
    assert sorted(result.nested_strays) == [
        f"{JF}/Junk",
        f"{JF}/Trailers/gone.mkv",
        f"{JF}/old.mkv",
    ]
    assert not any(isinstance(s, RemoveStep) for m in result.movies for s in m.steps)


def test_strays_are_removed_with_delete_in_context() -> None:
    source = snap(SOURCE_SPEC)
    result = reconcile(plan(source), source, stray_target(), ReconcileOptions(delete=True))
    removals = [s for m in result.movies for s in m.steps if isinstance(s, RemoveStep)]
    assert [(r.target, r.context) for r in removals] == [
        (f"{JF}/old.mkv", MOVIE_STRAY),
        (f"{JF}/Junk", MOVIE_STRAY),
        (f"{JF}/Trailers/gone.mkv", ASSET_STRAY),
    ]
    junk = removals[1]
    assert junk.is_dir and junk.unlink == (f"{JF}/Junk/a.mkv", f"{JF}/Junk/b.nfo")
    assert junk.rmdir == (f"{JF}/Junk",)
    assert [(r.target, r.context) for r in result.library_removals] == [
        ("Stray (1999)", LIBRARY_STRAY),
        ("root.txt", LIBRARY_STRAY),
    ]


@pytest.mark.parametrize(
    ("stray", "confirmed", "kept"),
    [
        (meta(nlink=1), False, True),  # the last link to data the source does not have
        (meta(nlink=1), True, False),  # ... unless that was confirmed
        (meta(nlink=2), False, False),  # another link exists
        (meta(nlink=1, size=100, mtime=5), False, False),  # the source still has a copy
        (meta(ino=1, nlink=1), False, False),  # the source's own inode
        (FileNode("x", meta(nlink=1), True), False, False),  # a symlink holds no data
    ],
)
def test_last_copies_are_kept_unless_confirmed(stray: Any, confirmed: bool, kept: bool) -> None:
    target = snap({JF: {f"{JF}.mkv": meta(ino=1, nlink=2), "lost.mkv": stray}})
    steps = steps_of(target, delete=True, delete_last_copies=confirmed)
    (removal,) = [s for s in steps if isinstance(s, RemoveStep)]
    assert removal.kept == ((f"{JF}/lost.mkv",) if kept else ())
    assert removal.unlink == (() if kept else (f"{JF}/lost.mkv",))


def test_a_kept_file_keeps_its_directories() -> None:
    target = snap({JF: {"Old": {"keep.mkv": meta(nlink=1), "Sub": {"x.mkv": meta(nlink=2)}}}})
    (removal,) = [s for s in steps_of(target, delete=True) if isinstance(s, RemoveStep)]
    assert removal.kept == (f"{JF}/Old/keep.mkv",)
    assert removal.unlink == (f"{JF}/Old/Sub/x.mkv",)
    assert removal.rmdir == (f"{JF}/Old/Sub",)


def test_a_stray_tree_holding_a_marker_is_kept() -> None:
    target = snap({JF: {"Keep": {"x.mkv": meta(nlink=2), "in": MARKED}}, "Old": {"deep": MARKED}})
    source = snap(SOURCE_SPEC)
    result = reconcile(plan(source, target), source, target, ReconcileOptions(delete=True))
    assert not any(isinstance(s, RemoveStep) for m in result.movies for s in m.steps)
    assert result.library_strays == () and result.library_removals == ()


def test_a_directory_in_the_way_of_a_file() -> None:
    target = snap({JF: {f"{JF}.mkv": {"x.mkv": meta(nlink=2)}}})
    without = steps_of(target)
    assert ErrorStep(f"{JF}/{JF}.mkv", "a directory is in the way") in without
    with_delete = steps_of(target, delete=True)
    index = next(i for i, s in enumerate(with_delete) if isinstance(s, RemoveStep))
    assert with_delete[index].target == f"{JF}/{JF}.mkv"
    assert isinstance(with_delete[index + 1], FileStep)
    assert with_delete[index + 1].action == "link"


def test_a_file_in_the_way_of_a_directory() -> None:
    target = snap({JF: {"Trailers": meta(nlink=2)}})
    assert ErrorStep(f"{JF}/Trailers", "a file is in the way") in steps_of(target)
    steps = steps_of(target, delete=True)
    kinds = [(type(s).__name__, getattr(s, "target", None)) for s in steps[-3:]]
    assert kinds[0] == ("RemoveStep", f"{JF}/Trailers")
    assert kinds[1] == ("MkdirStep", f"{JF}/Trailers")


def test_settled_folders_are_no_strays() -> None:
    settled = SettledMovie("A (2000)", "A (2000)", (), ())
    source = snap(SOURCE_SPEC)
    target = snap({"A (2000)": {"a.mkv": meta()}})
    result = reconcile(
        plan(source, target, settled=(settled,)), source, target, ReconcileOptions(delete=True)
    )
    assert result.library_strays == ()
