"""The ``.jellyplex-sync-ignore`` marker side by side with jellyplex-sync 0.5.0: a generated Plex
library with markers on a movie folder, an asset folder and a folder two levels down, mirrored
into targets that already hold marked folders (mapped, unmapped, at depth) and a plain stray.
``sync --delete``, ``diff`` and ``plan`` must agree with jellyplex-sync on the trees (but for
the documented Fixes), the exit codes and the ``marked_in_source`` / ``marked_in_target`` lists
and counts; a marked library root stops every command the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.domain.mirror.grammar import parse_folder, render_folder
from tests.compat.test_jellyplex_compat import REPO, compare, folders_map, run, tree

MARKER = ".jellyplex-sync-ignore"
MOVIES = 16


def invoke(command: list[str]) -> tuple[int, Any]:
    """Exit code and the JSON document on stdout (None when there is none)."""
    done = subprocess.run(command, capture_output=True, cwd=REPO, timeout=300)
    out = done.stdout.decode()
    return done.returncode, json.loads(out) if out.strip() else None


def jellyplex(jps_bin: Path, *args: str) -> tuple[int, Any]:
    return invoke([str(jps_bin / "jellyplex"), *args])


def ours(*args: str) -> tuple[int, Any]:
    return invoke([sys.executable, "-m", "app.cli.mirror", *args])


def mark(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_bytes(b"")


def put(path: Path, data: bytes = b"mine") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def jellyfin_name(plex_folder: str) -> str:
    movie = parse_folder("plex", plex_folder)
    assert movie is not None
    return render_folder("jellyfin", movie)[0]


def relative(paths: list[str], root: Path) -> list[str]:
    return sorted(os.path.relpath(Path(p).resolve(), root.resolve()) for p in paths)


def marked(doc: dict[str, Any], source: Path, target: Path) -> tuple[list[str], list[str]]:
    return relative(doc["marked_in_source"], source), relative(doc["marked_in_target"], target)


def with_assets(library: Path) -> list[Path]:
    return [
        d for d in sorted(library.iterdir()) if d.is_dir() and any(c.is_dir() for c in d.iterdir())
    ]


def marked_source(plex: Path) -> list[str]:
    """Markers on a movie folder, an asset folder and a folder below an asset folder."""
    folders = [d for d in sorted(plex.iterdir()) if d.is_dir()]
    mark(folders[0])
    # The target's prepared folders take folders 2 and 3 and the last movie with assets.
    taken = {folders[0], folders[2], folders[3], with_assets(plex)[-1]}
    movies = [d for d in with_assets(plex) if d not in taken]
    assets = sorted(c for c in movies[0].iterdir() if c.is_dir())
    mark(assets[0])
    deep = sorted(c for c in movies[1].iterdir() if c.is_dir())[0] / "Deep"
    put(deep / "kept.txt")
    mark(deep)
    return sorted(str(p.relative_to(plex)) for p in (folders[0], assets[0], deep))


def prepared_target(target: Path, plex: Path) -> set[str]:
    """A target that already holds: a stray folder with a marker two levels down, a plain
    stray, a marked folder a source movie maps to, a marked asset folder and a marked folder
    below an unplanned folder of a mapped movie. Returns the paths it wrote."""
    folders = [d.name for d in sorted(plex.iterdir()) if d.is_dir()]
    with_asset = with_assets(plex)[-1]
    asset = sorted(c.name for c in with_asset.iterdir() if c.is_dir())[0]
    files = {
        "Stray Keep (1999)/gone.txt": b"g",
        "Stray Keep (1999)/Sub/keep.mkv": b"k",
        "Loose Stray (2001)/x.txt": b"x",
        f"{jellyfin_name(folders[2])}/mine.mkv": b"m",
        f"{jellyfin_name(with_asset.name)}/{asset}/mine.txt": b"a",
        f"{jellyfin_name(folders[3])}/Private/Deep/secret.txt": b"s",
    }
    for rel, data in files.items():
        put(target / rel, data)
    for rel in (
        "Stray Keep (1999)/Sub",
        jellyfin_name(folders[2]),
        f"{jellyfin_name(with_asset.name)}/{asset}",
        f"{jellyfin_name(folders[3])}/Private/Deep",
    ):
        mark(target / rel)
    return {str(p.relative_to(target)) for p in target.rglob("*")}


def test_markers_agree_with_jellyplex_sync(jps_bin: Path, tmp_path: Path) -> None:
    plex = tmp_path / "plex"
    run(
        [
            str(jps_bin / "jellyplex-gen"),
            "plex",
            "--seed=crossfade-markers",
            f"--movies={MOVIES}",
            "--with-extras",
            "--extras-prob=0.6",
            f"--out={plex}",
        ]
    )
    (plex / "manifest.json").unlink(missing_ok=True)
    source_marked = marked_source(plex)
    theirs, mine = tmp_path / "jps-jf", tmp_path / "ours-jf"
    before = prepared_target(theirs, plex)
    assert prepared_target(mine, plex) == before

    code_theirs, doc_theirs = jellyplex(
        jps_bin, "sync", "--delete", "--json", str(plex), str(theirs)
    )
    # Our --delete keeps a stray that is the last link to its data unless told (a Fix).
    code_mine, doc_mine = ours(
        "sync", "--delete", "--delete-last-copies", "--json", str(plex), str(mine)
    )
    assert code_mine == code_theirs == 0
    assert marked(doc_mine, plex, mine) == marked(doc_theirs, plex, theirs)
    assert marked(doc_mine, plex, mine)[0] == source_marked
    # Listed: the unmapped folder's marked subfolder, the mapped folder, the asset folder. A
    # marker below an unplanned folder of a mapped movie is not listed, but keeps the folder.
    assert len(marked(doc_mine, plex, mine)[1]) == 3
    for key in ("marked_in_source", "marked_in_target"):
        assert doc_mine["summary"][key] == doc_theirs["summary"][key]
    assert sorted(doc_mine["strays_in_target"]) == sorted(doc_theirs["strays_in_target"])
    assert "Loose Stray (2001)" in doc_theirs["strays_in_target"]
    assert "Stray Keep (1999)" not in doc_theirs["strays_in_target"]
    # Marked content kept by both; the plain stray removed by both.
    kept = {p for p in before if not p.startswith("Loose Stray")}
    assert kept <= set(tree(theirs)) and kept <= set(tree(mine))
    assert not (mine / "Loose Stray (2001)").exists()
    compare(plex, theirs, mine, folders_map(plex, theirs), frozenset(kept))

    code_theirs, diff_theirs = jellyplex(jps_bin, "diff", "--json", str(plex), str(theirs))
    code_mine, diff_mine = ours("diff", "--json", str(plex), str(mine))
    # A Fix: jellyplex-sync's diff leaves out every target movie folder holding a marked
    # folder, so the movie whose asset folder is marked reads as missing after its own sync.
    # Ours finds the target in sync.
    asset_marked = [p for p in marked(doc_theirs, plex, theirs)[1] if "/" in p and "Stray" not in p]
    assert [m["expected_target"] for m in diff_theirs["movies_only_in_source"]] == [
        p.split("/")[0] for p in asset_marked
    ]
    assert not diff_theirs["movies_only_in_target"] and not diff_theirs["differing_movies"]
    assert (code_theirs, code_mine) == (1, 0) and diff_mine["in_sync"]
    for key, listed in zip(
        ("marked_in_source", "marked_in_target"), marked(diff_mine, plex, mine), strict=True
    ):
        assert diff_mine["summary"][key] == len(listed) > 0
    assert marked(diff_mine, plex, mine) == marked(diff_theirs, plex, theirs)

    code_theirs, plan_theirs = jellyplex(jps_bin, "plan", "--json", str(plex), str(theirs))
    code_mine, plan_mine = ours("plan", "--json", str(plex), str(mine))
    assert code_mine == code_theirs == 0
    assert marked(plan_mine, plex, mine) == marked(plan_theirs, plex, theirs)
    for key in ("marked_in_source", "marked_in_target"):
        assert plan_mine["summary"][key] == plan_theirs["summary"][key]


def test_a_marked_root_stops_both_tools_alike(jps_bin: Path, tmp_path: Path) -> None:
    plex = tmp_path / "plex"
    run([str(jps_bin / "jellyplex-gen"), "plex", "--seed=root", "--movies=3", f"--out={plex}"])
    theirs, mine = tmp_path / "jps", tmp_path / "ours"
    for target in (theirs, mine):
        put(target / "Stray (2000)" / "x.mkv")
    for side in ("source", "target"):
        roots = {"source": [plex], "target": [theirs, mine]}[side]
        for root in roots:
            mark(root)
        snapshot = {t: sorted(tree(t)) for t in (theirs, mine)}
        sync_theirs = jellyplex(jps_bin, "sync", "--delete", "--json", str(plex), str(theirs))
        sync_mine = ours("sync", "--delete", "--delete-last-copies", "--json", str(plex), str(mine))
        assert sync_mine[0] == sync_theirs[0] == 0
        assert marked(sync_mine[1], plex, mine) == marked(sync_theirs[1], plex, theirs)
        assert {t: sorted(tree(t)) for t in (theirs, mine)} == snapshot
        assert jellyplex(jps_bin, "diff", str(plex), str(theirs))[0] == 2
        assert ours("diff", str(plex), str(mine))[0] == 2
        plan_theirs = jellyplex(jps_bin, "plan", "--json", str(plex), str(theirs))
        plan_mine = ours("plan", "--json", str(plex), str(mine))
        assert plan_mine[0] == plan_theirs[0] == 0
        assert plan_mine[1]["movies"] == plan_theirs[1]["movies"] == []
        assert marked(plan_mine[1], plex, mine) == marked(plan_theirs[1], plex, theirs)
        for root in roots:
            (root / MARKER).unlink()
