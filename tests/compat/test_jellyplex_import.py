"""``mirror import`` side by side with ``jellyplex import`` (jellyplex-sync 0.5.0): a staging area
made of a generated library's videos, scattered flat and into folders at several depths, with a
marked folder, a dot folder, files that are not videos and a name that does not parse, imported
into targets that already hold a marked movie folder. ``--move``, ``--copy`` (a re-run that has
nothing to do), ``--dry-run``, Jellyfin names as well as Plex names, a marked staging root and a
missing target must leave the same targets and staging areas, with the same exit codes.

One documented difference (a Fix): a dry run creates nothing, not even the target folder that
``--create`` would make (jellyplex-sync creates it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from tests.compat.test_jellyplex_compat import run
from tests.compat.test_jellyplex_markers import MARKER, jellyfin_name, jellyplex, mark, ours, put

MOVIES = 14
FIXED_NS = 1_600_000_000_000_000_000


def files(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below ``root`` (our state folder left out): content and mtime."""
    found: dict[str, tuple[bytes, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".crossfade"]
        for name in filenames:
            path = Path(dirpath) / name
            found[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
    return found


def staging(library: Path, stage: Path) -> list[str]:
    """The library's videos scattered over ``stage``; returns the marked folder's videos."""
    places = [stage, stage / "half", stage / "half" / "deep", stage / "hold", stage]
    held: list[str] = []
    videos = sorted(p for p in library.glob("*/*") if p.suffix in (".mkv", ".m4v"))
    for number, video in enumerate(videos):
        place = places[number % len(places)]
        place.mkdir(parents=True, exist_ok=True)
        shutil.copy2(video, place / video.name)
        if place.name == "hold":
            held.append(video.name)
    mark(stage / "hold")
    put(stage / ".trash" / "Junk (2000).mkv")
    put(stage / "notes.nfo")
    put(stage / "half" / "poster.jpg")
    put(stage / "half" / "[1080p].mkv")  # no title: unparseable
    # Two movies meeting in one Jellyfin folder (the tmdb id is lost): neither is imported.
    put(stage / "Twin (2000) {imdb-tt0000042} {tmdb-7}.mkv")
    put(stage / "half" / "Twin (2000) {imdb-tt0000042}.mkv")
    # Two versions whose labels Jellyfin cannot hold: told apart by a hash of their names.
    put(stage / "Dup (2001) {imdb-tt0000077} [remux].mkv")
    put(stage / "half" / "deep" / "Dup (2001) {imdb-tt0000077} [HDR].mkv")
    for made in (*stage.glob("**/Twin*"), *stage.glob("**/Dup*")):
        os.utime(made, ns=(FIXED_NS, FIXED_NS))  # the same files when staged again
    return held


def twins(stage: Path) -> tuple[Path, Path]:
    theirs, mine = stage.with_name(stage.name + "-jps"), stage.with_name(stage.name + "-ours")
    shutil.copytree(stage, theirs, copy_function=shutil.copy2)
    shutil.copytree(stage, mine, copy_function=shutil.copy2)
    return theirs, mine


def both(
    jps_bin: Path, args: tuple[str, ...], stages: tuple[Path, Path], targets: tuple[Path, Path]
) -> tuple[int, int, Any]:
    """Run both tools; the exit codes and our JSON document."""
    code_theirs, _ = jellyplex(jps_bin, "import", *args, str(stages[0]), str(targets[0]))
    code_mine, doc = ours("import", *args, "--json", str(stages[1]), str(targets[1]))
    return code_theirs, code_mine, doc


def same(first: Path, second: Path) -> dict[str, tuple[bytes, int]]:
    found = files(first)
    assert found == files(second)
    return found


def test_import_agrees_with_jellyplex_sync(jps_bin: Path, tmp_path: Path) -> None:
    plex = tmp_path / "plex"
    run(
        [
            str(jps_bin / "jellyplex-gen"),
            "plex",
            "--seed=crossfade-import",
            f"--movies={MOVIES}",
            "--max-content-size=64",
            f"--out={plex}",
        ]
    )
    held = staging(plex, tmp_path / "stage")
    stages = twins(tmp_path / "stage")
    targets = (tmp_path / "jf-jps", tmp_path / "jf-ours")
    first_movie = sorted(d.name for d in plex.iterdir() if d.is_dir())[0]
    for target in targets:
        mark(target / jellyfin_name(first_movie))
        put(target / jellyfin_name(first_movie) / "mine.mkv")
        for path in (target / jellyfin_name(first_movie)).iterdir():
            os.utime(path, ns=(0, 0))
    prepared = same(*targets)

    # A dry run changes nothing on either side (ours does not even create the target).
    before = files(stages[0])
    code_theirs, code_mine, doc = both(jps_bin, ("--dry-run",), stages, targets)
    assert (code_theirs, code_mine) == (0, 0) and doc["dry_run"]
    assert files(stages[0]) == files(stages[1]) == before
    assert same(*targets) == prepared

    # --move: the same library; what stays in staging is the same.
    code_theirs, code_mine, doc = both(jps_bin, ("--create",), stages, targets)
    assert (code_theirs, code_mine) == (0, 0)
    imported = same(*targets)
    left = same(*stages)
    assert len(imported) > MOVIES // 2
    assert {Path(p).name for p in left if p.startswith("hold/")} == {*held, MARKER}
    assert "half/[1080p].mkv" in left and "notes.nfo" in left and ".trash/Junk (2000).mkv" in left
    assert "half/Twin (2000) {imdb-tt0000042}.mkv" in left
    assert len([p for p in imported if p.startswith("Dup (2001) [imdbid-tt0000077]/")]) == 2
    assert [c["target_folder_name"] for c in doc["folder_clashes"]] == [
        "Twin (2000) [imdbid-tt0000042]"
    ]
    assert doc["marked_in_source"] == [str(stages[1] / "hold")]
    assert doc["marked_in_target"] == [str(targets[1] / jellyfin_name(first_movie))]
    assert doc["summary"]["marked_in_source"] == doc["summary"]["marked_in_target"] == 1
    assert doc["summary"]["sources_removed"] == doc["summary"]["files_updated"] > 0
    reasons = {i["path"].rsplit("/", 1)[-1]: i["reason"] for i in doc["ignored"]}
    assert reasons["[1080p].mkv"] == "unparseable video filename"
    assert reasons["notes.nfo"] == reasons["poster.jpg"] == "not a video file"

    # --copy of the same videos again: everything already there, nothing changes.
    staging(plex, tmp_path / "again")
    again = twins(tmp_path / "again")
    code_theirs, code_mine, doc = both(jps_bin, ("--copy",), again, targets)
    assert (code_theirs, code_mine) == (0, 0)
    assert same(*targets) == imported
    assert files(again[0]) == files(again[1]) == files(tmp_path / "again")
    assert {e["action"] for e in doc["events"]} == {"skip"}

    # Jellyfin names into a Plex library, copied.
    jf_stage = tmp_path / "jfstage"
    # Left out: the hashed Dup versions, which 0.5.0 reads back as editions (Fix 3 of
    # docs/MIRROR.md; tests/domain cover our reading of them).
    for path in targets[1].glob("*/*.mkv"):
        if MARKER not in os.listdir(path.parent) and not path.name.startswith("Dup"):
            put(jf_stage / path.name, path.read_bytes())
    jf_stages = twins(jf_stage)
    plex_targets = (tmp_path / "plex-jps", tmp_path / "plex-ours")
    code_theirs, code_mine, doc = both(jps_bin, ("--copy", "--create"), jf_stages, plex_targets)
    assert (code_theirs, code_mine) == (0, 0) and doc["source"]["format"] == "jellyfin"
    assert len(same(*plex_targets)) == len(files(jf_stage))


def test_import_setup_outcomes_agree(jps_bin: Path, tmp_path: Path) -> None:
    plex = tmp_path / "plex"
    run([str(jps_bin / "jellyplex-gen"), "plex", "--seed=setup", "--movies=3", f"--out={plex}"])
    staging(plex, tmp_path / "stage")
    stages = twins(tmp_path / "stage")
    # A missing target without --create is a setup error.
    missing = (tmp_path / "none-jps", tmp_path / "none-ours")
    code_theirs, code_mine, doc = both(jps_bin, (), stages, missing)
    assert (code_theirs, code_mine) == (1, 1) and doc["error"]
    # A marked staging root: nothing imported, nothing moved, exit 0.
    for stage in stages:
        mark(stage)
        marked_ns = 1_700_000_000_000_000_000  # one mtime on both twins, whenever each was marked
        os.utime(stage / MARKER, ns=(marked_ns, marked_ns))
    before = files(stages[0])
    targets = (tmp_path / "t-jps", tmp_path / "t-ours")
    for target in targets:
        target.mkdir()
    code_theirs, code_mine, doc = both(jps_bin, (), stages, targets)
    assert (code_theirs, code_mine) == (0, 0)
    assert files(stages[0]) == files(stages[1]) == before
    assert files(targets[0]) == files(targets[1]) == {}
    assert doc["marked_in_source"] == [str(stages[1])] and doc["summary"]["marked_in_source"] == 1
