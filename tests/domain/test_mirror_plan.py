"""Planning a mirror from snapshots: names, clashes, extras, markers, settled movies."""

from __future__ import annotations

import pytest

from app.domain.mirror.grammar import parse_jellyfin_video
from app.domain.mirror.naming import Format, Loss, short_hash
from app.domain.mirror.reconcile import (
    MkdirStep,
    ReconcileOptions,
    RemoveStep,
    reconcile,
)
from app.domain.mirror.snapshot import (
    DirNode,
    FileNode,
    SettledMovie,
    Special,
    guess_format,
)
from app.domain.special_files import SpecialKind
from tests.domain.mirror_support import (
    MARKED,
    meta,
    mirror_of,
    plan,
    snap,
    targets,
)

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
