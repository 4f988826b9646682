"""Planning a mirror from snapshots: names, clashes, extras, markers; reconcile and diff."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from app.domain.mirror.diff import diff_target
from app.domain.mirror.grammar import parse_jellyfin_video
from app.domain.mirror.naming import Format, Loss, short_hash
from app.domain.mirror.plan import plan_mirror
from app.domain.mirror.planned import MirrorPlan, PlanOptions
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
    DirStamp,
    FileMeta,
    FileNode,
    SettledMovie,
    Special,
    guess_format,
    is_racy,
)
from app.domain.special_files import SpecialKind

_inodes = itertools.count(1000)

LIBRARY_STRAY = StrayContext.LIBRARY_STRAY
MOVIE_STRAY = StrayContext.MOVIE_STRAY
ASSET_STRAY = StrayContext.ASSET_STRAY


def meta(*, ino: int | None = None, size: int = 10, mtime: int = 1, nlink: int = 1) -> FileMeta:
    return FileMeta(size, mtime, next(_inodes) if ino is None else ino, 1, nlink)


MARKED: dict[str, Any] = {"!marked": True}


def snap(spec: dict[str, Any], name: str = "") -> DirNode:
    """A snapshot from a dict: dicts are directories, FileMeta/None are files;
    ``{"!marked": True}`` a marked directory, ``{"!error": reason}`` an unreadable one."""
    if spec.get("!marked"):
        return DirNode(name, marked=True)
    if "!error" in spec:
        return DirNode(name, error=spec["!error"])
    files: list[FileNode] = []
    dirs: list[DirNode] = []
    for key in sorted(spec):
        value = spec[key]
        if isinstance(value, dict):
            dirs.append(snap(value, key))
        elif isinstance(value, FileNode):
            files.append(value._replace(name=key))
        else:
            files.append(FileNode(key, value if isinstance(value, FileMeta) else meta()))
    return DirNode(name, tuple(files), tuple(dirs))


def plan(
    source: DirNode,
    target: DirNode | None = None,
    src: Format = "plex",
    tgt: Format = "jellyfin",
    settled: tuple[SettledMovie, ...] = (),
) -> MirrorPlan:
    return plan_mirror(source, target, PlanOptions(src, tgt), settled)


def targets(result: MirrorPlan) -> set[str]:
    return {f.target for m in result.movies for f in m.all_files()}


def mirror_of(source: DirNode, result: MirrorPlan) -> DirNode:
    """The target a hardlink sync of ``result`` produces (same inodes)."""
    by_path = dict(source.iter_files())
    spec: dict[str, Any] = {}
    for movie in result.movies:
        folder = spec.setdefault(movie.target_folder, {})
        for asset in movie.assets:
            node = folder
            for part in asset.target.split("/")[1:]:
                node = node.setdefault(part, {})
        for planned in movie.all_files():
            node = spec
            *dirs, leaf = planned.target.split("/")
            for part in dirs:
                node = node.setdefault(part, {})
            node[leaf] = by_path[planned.source]
    return snap(spec)


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------

BOOT = "Das Boot (1981) {imdb-tt0082096}"
BOOT_JF = "Das Boot (1981) [imdbid-tt0082096]"


def test_plan_translates_folders_videos_sidecars_and_assets() -> None:
    source = snap(
        {
            BOOT: {
                f"{BOOT} {{edition-Director's Cut}} [1080p].mkv": None,
                f"{BOOT} {{edition-Director's Cut}} [1080p].en.srt": None,
                f"{BOOT}.nfo": None,
                "poster.jpg": None,
                "notes.txt": None,
                "Featurettes": {"Making of.mkv": None, "still.jpg": None, "Deep": {"a.mkv": None}},
            }
        }
    )
    result = plan(source)
    assert [m.target_folder for m in result.movies] == [BOOT_JF]
    movie = result.movies[0]
    assert [v.target_name for v in movie.videos] == [f"{BOOT_JF} - BD Director's Cut.mkv"]
    assert {f.target_name: f.copy for f in movie.loose_files} == {
        f"{BOOT_JF} - BD Director's Cut.en.srt": True,
        f"{BOOT_JF}.nfo": True,
        "notes.txt": False,
        "poster.jpg": True,
    }
    asset = movie.assets[0]
    assert asset.target == f"{BOOT_JF}/Featurettes"
    assert [(f.target_name, f.copy) for f in asset.files] == [
        ("Making of.mkv", False),
        ("still.jpg", True),
    ]
    assert asset.subfolders[0].files[0].target == f"{BOOT_JF}/Featurettes/Deep/a.mkv"
    assert result.movies_total == 1
    assert result.losses() == ()


def test_plan_reports_what_it_leaves_out() -> None:
    source = snap(
        {
            "readme.txt": None,
            "{imdb-tt1}": {"x.mkv": None},
            "Marked (2000)": MARKED,
            "Locked (2001)": {"!error": "Permission denied"},
            "Good (2002)": {"Good (2002).mkv": None, "Inner": MARKED},
        }
    )
    result = plan(source)
    assert [(i.path, i.reason) for i in result.ignored] == [
        ("readme.txt", "not a directory"),
        ("Locked (2001)", "unreadable: Permission denied"),
        ("{imdb-tt1}", "unparseable folder name"),
    ]
    assert result.marked_in_source == ("Good (2002)/Inner", "Marked (2000)")
    assert result.protected_folders == frozenset({"Locked (2001)"})
    assert [m.target_folder for m in result.movies] == ["Good (2002)"]


@pytest.mark.parametrize("kind", list(SpecialKind))
def test_special_entries_are_ignored_with_their_kind(kind: SpecialKind) -> None:
    """Wherever a walk found one: the library root, a movie folder, an asset folder."""
    asset = DirNode("Featurettes", specials=(Special("x.mkv", kind),))
    movie = DirNode(
        "Good (2002)",
        files=(FileNode("Good (2002).mkv", meta()),),
        dirs=(asset,),
        specials=(Special("y.mkv", kind),),
    )
    source = DirNode("", dirs=(movie,), specials=(Special("Z (2003)", kind),))
    result = plan(source)
    assert [(i.path, i.reason, i.kind) for i in result.ignored] == [
        ("Z (2003)", kind.value, kind),
        ("Good (2002)/y.mkv", kind.value, kind),
        ("Good (2002)/Featurettes/x.mkv", kind.value, kind),
    ]
    assert targets(result) == {"Good (2002)/Good (2002).mkv"}


def test_target_root_marker_locks_the_plan() -> None:
    result = plan(snap({"A (2000)": {"A (2000).mkv": None}}), snap(MARKED))
    assert result.locked == "target"
    assert result.movies == ()
    assert plan(snap(MARKED)).locked == "source"


def test_marked_target_folders_are_left_alone() -> None:
    source = snap({"A (2000)": {"A (2000).mkv": None, "Other": {"x.mkv": None}}, "B (2001)": {}})
    target = snap(
        {
            "A (2000)": {"Other": MARKED},
            "B (2001)": MARKED,
            "Stray": {"deep": MARKED},
        }
    )
    result = plan(source, target)
    assert [m.target_folder for m in result.movies] == ["A (2000)"]
    assert result.movies[0].assets == ()
    assert result.marked_in_target == ("A (2000)/Other", "B (2001)", "Stray/deep")
    steps = reconcile(result, source, target, ReconcileOptions(delete=True))
    assert steps.library_strays == ()
    assert steps.library_removals == ()


def test_folder_clash_plans_nothing_and_names_both() -> None:
    source = snap({"A (2000) [x]": {"a.mkv": None}, "A (2000) [y]": {"b.mkv": None}})
    result = plan(source, tgt="plex")
    assert [(c.target_folder_name, c.source_folder_names) for c in result.folder_clashes] == [
        ("A (2000)", ("A (2000) [x]", "A (2000) [y]"))
    ]
    assert result.movies == ()
    assert result.movies_total == 2
    steps = reconcile(
        result, source, snap({"A (2000)": {"old.mkv": None}}), ReconcileOptions(delete=True)
    )
    assert steps.movies == () and steps.library_removals == ()


def test_clashing_videos_get_hash_disambiguators_that_parse_back() -> None:
    plain, remux = "M (2020) [1080p].mkv", "M (2020) [1080p] [remux].mkv"
    source = snap({"M (2020)": {plain: None, remux: None}})
    result = plan(source)
    videos = {v.source.split("/")[1]: v for v in result.movies[0].videos}
    assert videos[plain].target_name == f"M (2020) - BD [{short_hash(plain)}].mkv"
    assert videos[remux].target_name == f"M (2020) - BD [{short_hash(remux)}].mkv"
    note = videos[remux].disambiguation
    assert note is not None and note.strategy == "hash_suffix"
    assert videos[remux].drops == (
        Loss("label", None, "remux", "no equivalent in a Jellyfin version label"),
    )
    # Jellyfin -> Plex -> Jellyfin: the disambiguated names come back unchanged.
    back = plan(mirror_of(source, result), src="jellyfin", tgt="plex")
    again = plan(mirror_of(mirror_of(source, result), back), src="plex", tgt="jellyfin")
    assert targets(again) == targets(result)
    for video in back.movies[0].videos:
        assert parse_jellyfin_video(video.source.split("/")[1], "M (2020)").disambiguator


def test_unresolvable_clash_is_reported_and_protected() -> None:
    first = "M [1080p].mkv"
    source = snap(
        {"M": {first: None, "M [BD].mkv": None, f"M [1080p] [{short_hash(first)}].mkv": None}}
    )
    result = plan(source)
    assert [c.target_filename for c in result.clashes] == [f"M - BD [{short_hash(first)}].mkv"]
    movie = result.movies[0]
    assert len(movie.videos) == 2
    assert f"M/M - BD [{short_hash(first)}].mkv" in movie.protected
    target = snap({"M": {f"M - BD [{short_hash(first)}].mkv": None}})
    steps = reconcile(result, source, target, ReconcileOptions(delete=True))
    removals = [s for m in steps.movies for s in m.steps if isinstance(s, RemoveStep)]
    assert removals == []


def test_stacked_parts_keep_markers_instead_of_hashes() -> None:
    source = snap({"M (2020)": {"M (2020) - cd1.mkv": None, "M (2020) - cd2.mkv": None}})
    names = sorted(v.target_name for v in plan(source).movies[0].videos)
    assert names == ["M (2020) - cd1.mkv", "M (2020) - cd2.mkv"]


def test_plex_inline_extras_go_to_jellyfin_extras_folders() -> None:
    source = snap(
        {
            "M (2020) {imdb-tt1}": {
                "M (2020) {imdb-tt1}.mkv": None,
                "M (2020) {imdb-tt1}-trailer.mkv": None,
                "Making of-behindthescenes.mkv": None,
                "Cut-deleted.mkv": None,
                "Trailers": {"Teaser.mkv": None},
            }
        }
    )
    movie = plan(source).movies[0]
    assert [v.target_name for v in movie.videos] == ["M (2020) [imdbid-tt1].mkv"]
    assert sorted(e.target for e in movie.extras) == [
        "M (2020) [imdbid-tt1]/Trailers/M (2020) [imdbid-tt1].mkv",
        "M (2020) [imdbid-tt1]/behind the scenes/Making of.mkv",
        "M (2020) [imdbid-tt1]/deleted scenes/Cut.mkv",
    ]
    steps = reconcile(plan(source), source, None, ReconcileOptions())
    mkdirs = [s.target for s in steps.movies[0].steps if isinstance(s, MkdirStep)]
    assert mkdirs == [
        "M (2020) [imdbid-tt1]",
        "M (2020) [imdbid-tt1]/deleted scenes",
        "M (2020) [imdbid-tt1]/behind the scenes",
        "M (2020) [imdbid-tt1]/Trailers",
    ]


def test_inline_extras_keep_their_name_otherwise() -> None:
    source = snap({"M (2020)": {"M (2020).mkv": None, "M (2020)-trailer.mkv": None}})
    pairs: list[tuple[Format, Format]] = [
        ("jellyfin", "plex"),
        ("plex", "plex"),
        ("jellyfin", "jellyfin"),
    ]
    for src, tgt in pairs:
        movie = plan(source, src=src, tgt=tgt).movies[0]
        assert [e.target for e in movie.extras] == ["M (2020)/M (2020)-trailer.mkv"]


def test_inline_extra_colliding_with_an_asset_falls_back_to_its_name() -> None:
    source = snap(
        {"M": {"M.mkv": None, "Teaser-trailer.mkv": None, "trailers": {"Teaser.mkv": None}}}
    )
    movie = plan(source).movies[0]
    assert [e.target for e in movie.extras] == ["M/trailers/Teaser-trailer.mkv"]


@pytest.mark.parametrize("folder", ["extras", "Extras", "clips", "samples"])
def test_jellyfin_only_extras_folders_become_other_in_plex(folder: str) -> None:
    source = snap({"M (2020)": {"M (2020).mkv": None, folder: {"x.mkv": None}}})
    movie = plan(source, src="jellyfin", tgt="plex").movies[0]
    assert [a.target for a in movie.assets] == ["M (2020)/Other"]
    assert plan(source, src="jellyfin", tgt="jellyfin").movies[0].assets[0].folder_name == folder


def test_extras_folder_keeps_its_name_when_other_exists() -> None:
    source = snap({"M": {"M.mkv": None, "extras": {"x.mkv": None}, "other": {"y.mkv": None}}})
    result = plan(source, src="jellyfin", tgt="plex")
    assert sorted(a.folder_name for a in result.movies[0].assets) == ["extras", "other"]
    assert result.losses() == (
        Loss("folder", None, "extras", "kept its name: the movie already has an Other folder"),
    )


def test_renamed_sidecar_colliding_keeps_its_name() -> None:
    source = snap(
        {
            "M (2020) {imdb-tt1}": {
                "M (2020) {imdb-tt1}.mkv": None,
                "M (2020) {imdb-tt1}.nfo": None,
                "M (2020) [imdbid-tt1].nfo": None,
            }
        }
    )
    loose = sorted(
        (f.source.split("/")[1], f.target_name) for f in plan(source).movies[0].loose_files
    )
    assert loose == [
        ("M (2020) [imdbid-tt1].nfo", "M (2020) [imdbid-tt1].nfo"),
        ("M (2020) {imdb-tt1}.nfo", "M (2020) {imdb-tt1}.nfo"),
    ]


def test_translation_losses_are_deduplicated() -> None:
    source = snap(
        {
            "A (2000) {imdb-tt1} {tmdb-2}": {
                "A (2000) {imdb-tt1} {tmdb-2} [remux] [1080p].mkv": None
            },
            "B (2000) {imdb-tt3}": {"B (2000) {imdb-tt3} [remux].mkv": None},
        }
    )
    assert plan(source).losses() == (
        Loss("attribute", "tmdb", "2", "only one provider id is emitted per Jellyfin folder"),
        Loss("label", None, "remux", "no equivalent in a Jellyfin version label"),
    )


def test_undecodable_names_are_planned_and_reported() -> None:
    bad = b"Caf\xe9 (1999)".decode("utf-8", "surrogateescape")
    source = snap({bad: {f"{bad} [1080p].mkv": None}})
    result = plan(source)
    assert result.undecodable == (bad, f"{bad}/{bad} [1080p].mkv")
    assert result.movies[0].videos[0].target_name == f"{bad} - BD.mkv"


def test_settled_movies_count_and_clash() -> None:
    settled = SettledMovie("A (2000) {imdb-tt1}", "A (2000) [imdbid-tt1]", (), ())
    source = snap({"B (2001)": {"B (2001).mkv": None}})
    result = plan(source, settled=(settled,))
    assert result.settled == (settled,) and result.movies_total == 2
    clash = plan(
        snap({"A (2000) [imdbid-tt1]": {}}), src="jellyfin", tgt="jellyfin", settled=(settled,)
    )
    assert clash.folder_clashes[0].source_folder_names == (
        "A (2000) [imdbid-tt1]",
        "A (2000) {imdb-tt1}",
    )


def test_guess_format_reads_video_names() -> None:
    assert guess_format(snap({"A": {"A {imdb-tt1}.mkv": None}})) == "plex"
    assert guess_format(snap({"A": {"A [imdbid-tt1].mkv": None}})) == "jellyfin"
    assert guess_format(snap({"A": {"A.nfo": None}})) is None


# --------------------------------------------------------------------------------------------
# reconcile
# --------------------------------------------------------------------------------------------

SOURCE_SPEC: dict[str, Any] = {
    "M (2020) {imdb-tt1}": {
        "M (2020) {imdb-tt1}.mkv": meta(ino=1, size=100, mtime=5),
        "M (2020) {imdb-tt1}.nfo": meta(ino=2, size=3, mtime=6),
        "Trailers": {"t.mkv": meta(ino=3, size=7, mtime=7)},
    }
}
JF = "M (2020) [imdbid-tt1]"


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


def in_sync_target(**overrides: FileMeta) -> DirNode:
    spec: dict[str, Any] = {
        JF: {
            f"{JF}.mkv": meta(ino=1, size=100, mtime=5, nlink=2),
            f"{JF}.nfo": meta(ino=50, size=3, mtime=6),
            "Trailers": {"t.mkv": meta(ino=3, size=7, mtime=7, nlink=2)},
        }
    }
    for name, value in overrides.items():
        spec[JF][name] = value
    return snap(spec)


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


# --------------------------------------------------------------------------------------------
# stamps
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mtime", "ctime", "now", "racy"),
    [
        (1_000_000_001, 1_000_000_001, 2_000_000_000, False),
        (1_950_000_001, 1_000_000_001, 2_000_000_000, True),
        (1_000_000_001, 1_990_000_001, 2_000_000_000, True),
        (1_000_000_000, 1_000_000_000, 2_500_000_000, True),  # whole seconds: 2 s window
        (1_000_000_000, 1_000_000_000, 3_500_000_000, False),
    ],
)
def test_racy_stamps(mtime: int, ctime: int, now: int, racy: bool) -> None:
    assert is_racy(DirStamp(1, mtime, ctime), now) is racy
