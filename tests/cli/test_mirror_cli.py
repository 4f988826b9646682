"""``crossfade mirror``: jellyplex-sync's options, exit codes and JSON documents.

Most cases run the typer app in-process; the byte-level JSON case runs ``python -m
app.cli.mirror`` as a real process, and one case goes through the ``crossfade`` entry point."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from typer.testing import CliRunner

from app.cli.mirror import mirror_app

REPO = Path(__file__).resolve().parents[2]

BOOT = "Das Boot (1981) {imdb-tt0082096}"
BOOT_JF = "Das Boot (1981) [imdbid-tt0082096]"

# The keys jellyplex-sync 0.5.0 writes; ours are a superset.
JPS_SYNC_KEYS = {
    "operation",
    "exit_code",
    "source",
    "target",
    "dry_run",
    "summary",
    "ignored",
    "marked_in_source",
    "marked_in_target",
    "strays_in_target",
    "translation_losses",
    "clashes",
    "events",
}
JPS_SYNC_SUMMARY = {
    "movies_total",
    "movies_processed",
    "files_updated",
    "files_removed",
    "remove_errors",
    "items_ignored",
    "strays_in_target",
    "clashes",
    "marked_in_source",
    "marked_in_target",
}
JPS_DIFF_KEYS = {
    "operation",
    "exit_code",
    "source",
    "target",
    "in_sync",
    "movies_only_in_source",
    "movies_only_in_target",
    "differing_movies",
    "translation_losses",
    "ignored",
    "marked_in_source",
    "marked_in_target",
}
JPS_PLAN_KEYS = {
    "operation",
    "source",
    "target",
    "summary",
    "movies",
    "folder_clashes",
    "movie_clashes",
    "translation_losses",
    "ignored",
    "marked_in_source",
    "marked_in_target",
}


class Done(NamedTuple):
    returncode: int
    stdout: bytes
    stderr: bytes


def mirror(*args: str | Path) -> Done:
    """Run ``crossfade mirror ARGS`` in-process; the root logger is restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        result = CliRunner().invoke(mirror_app, [str(a) for a in args], catch_exceptions=False)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return Done(result.exit_code, result.stdout_bytes, result.stderr_bytes)


def mirror_process(*args: str | Path) -> Done:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli.mirror", *map(str, args)],
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    return Done(done.returncode, done.stdout, done.stderr)


def document(done: Done) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(done.stdout.decode("utf-8"))
    return parsed


@pytest.fixture
def library(tmp_path: Path) -> Path:
    movie = tmp_path / "plex" / BOOT
    (movie / "Featurettes").mkdir(parents=True)
    (movie / f"{BOOT} [1080p] [remux].mkv").write_bytes(b"v")
    (movie / f"{BOOT}.nfo").write_bytes(b"n")
    (movie / "Featurettes" / "Making of.mkv").write_bytes(b"m")
    (tmp_path / "plex" / "notes.txt").write_bytes(b"t")
    return tmp_path / "plex"


def test_sync_json_is_a_superset_of_jellyplex_sync(library: Path, tmp_path: Path) -> None:
    done = mirror("sync", "--create", "--json", library, tmp_path / "jf")
    assert done.returncode == 0, done.stderr
    doc = document(done)
    assert doc.keys() >= JPS_SYNC_KEYS
    assert doc["summary"].keys() >= JPS_SYNC_SUMMARY
    assert doc["operation"] == "sync" and doc["exit_code"] == 0 and doc["dry_run"] is False
    assert doc["source"] == {"path": str(library), "format": "plex"}
    assert doc["target"] == {"path": str(tmp_path / "jf"), "format": "jellyfin"}
    assert sorted(e["action"] for e in doc["events"]) == ["link", "link", "link"]
    video = next(
        e
        for e in doc["events"]
        if e["target"].endswith(".mkv") and "Featurettes" not in e["target"]
    )
    assert video == {
        "action": "link",
        "target": str(tmp_path / "jf" / BOOT_JF / f"{BOOT_JF} - BD.mkv"),
        "source": str(library / BOOT / f"{BOOT} [1080p] [remux].mkv"),
    }
    assert doc["translation_losses"] == [
        {
            "kind": "label",
            "key": None,
            "value": "remux",
            "reason": "no equivalent in a Jellyfin version label",
        }
    ]
    assert doc["ignored"] == [
        {"path": str(library / "notes.txt"), "name": "notes.txt", "reason": "not a directory"}
    ]
    assert done.stderr == b""  # --json quiets the log to warnings


def test_sync_json_with_a_setup_error(tmp_path: Path) -> None:
    done = mirror("sync", "--json", tmp_path / "missing", tmp_path / "jf")
    assert done.returncode == 1
    doc = document(done)
    assert doc["exit_code"] == 1 and doc["events"] == []
    assert "does not exist" in doc["error"]
    assert doc["source"]["format"] == "?"


def test_delete_events_carry_their_context(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    assert mirror("sync", "--create", library, target).returncode == 0
    (target / "Old (1990)").mkdir()
    os.link(library / BOOT / f"{BOOT}.nfo", target / "Old (1990)" / "x.nfo")
    doc = document(mirror("sync", "--delete", "--dry-run", "--json", library, target))
    assert doc["dry_run"] is True
    removes = [e for e in doc["events"] if e["action"] == "remove"]
    assert removes == [
        {"action": "remove", "target": str(target / "Old (1990)"), "context": "library_stray"}
    ]
    assert (target / "Old (1990)").exists()


def test_human_output_names_what_it_does(library: Path, tmp_path: Path) -> None:
    done = mirror("sync", "--create", "--dry-run", library, tmp_path / "jf")
    assert done.returncode == 0
    log = done.stderr.decode()
    assert "LINK" in log and "Summary: 1 of 1 movies synced, 3 files updated" in log
    assert not (tmp_path / "jf").exists()
    done = mirror("sync", "--create", library, tmp_path / "jf")
    assert f"Linking '{BOOT} [1080p] [remux].mkv' → '{BOOT_JF} - BD.mkv'" in done.stderr.decode()


def test_jellyplex_sync_options_are_accepted(library: Path, tmp_path: Path) -> None:
    done = mirror(
        "sync",
        "--source-format",
        "plex",
        "--target-format",
        "jellyfin",
        "--hardlink",
        "--dry-run",
        "--delete",
        "--create",
        "--json",
        "-v",
        "--debug",
        library,
        tmp_path / "jf",
    )
    assert done.returncode == 0, done.stderr
    assert document(done)["dry_run"] is True


def test_materializer_flags_are_exclusive(library: Path, tmp_path: Path) -> None:
    done = mirror("sync", "--copy", "--force-copy", library, tmp_path / "jf")
    assert done.returncode == 2
    assert b"mutually exclusive" in done.stderr


def test_diff_exit_codes_and_document(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "jf"
    assert mirror("diff", library, target).returncode == 2
    mirror("sync", "--create", library, target)
    done = mirror("diff", "--json", library, target)
    doc = document(done)
    assert (done.returncode, doc["exit_code"], doc["in_sync"]) == (0, 0, True)
    assert doc.keys() >= JPS_DIFF_KEYS
    (target / BOOT_JF / "Featurettes" / "Making of.mkv").unlink()
    (target / "Stray").mkdir()
    done = mirror("diff", "--json", library, target)
    doc = document(done)
    assert done.returncode == 1 and doc["in_sync"] is False
    assert doc["movies_only_in_target"] == ["Stray"]
    assert doc["differing_movies"] == [
        {
            "target_movie_name": BOOT_JF,
            "only_in_source": ["Featurettes/Making of.mkv"],
            "only_in_target": [],
            "differing": [],
        }
    ]
    text = mirror("diff", library, target).stdout.decode()
    assert "+ Featurettes/Making of.mkv" in text and "- Stray" in text


def test_plan_document_and_text(library: Path, tmp_path: Path) -> None:
    done = mirror("plan", "--json", library, tmp_path / "nowhere")
    assert done.returncode == 0
    doc = document(done)
    assert doc.keys() >= JPS_PLAN_KEYS
    (movie,) = doc["movies"]
    assert movie["target_folder"] == BOOT_JF
    assert movie["videos"][0]["target_name"] == f"{BOOT_JF} - BD.mkv"
    assert movie["videos"][0]["drops"][0]["value"] == "remux"
    assert movie["loose_files"] == [
        {
            "source": str(library / BOOT / f"{BOOT}.nfo"),
            "target_name": f"{BOOT_JF}.nfo",
            "copy": True,
        }
    ]
    assert movie["assets"][0]["folder_name"] == "Featurettes"
    assert doc["summary"]["movies"] == 1 and doc["summary"]["translation_losses"] == 1
    text = mirror("plan", library, tmp_path / "nowhere").stdout.decode()
    assert "Movies (1):" in text and "Translation losses (1 distinct):" in text
    assert mirror("plan", tmp_path / "missing", tmp_path / "x").returncode == 2


def test_a_marked_source_root_is_reported(library: Path, tmp_path: Path) -> None:
    (library / ".jellyplex-sync-ignore").write_bytes(b"")
    doc = document(mirror("sync", "--create", "--json", library, tmp_path / "jf"))
    assert doc["exit_code"] == 0 and doc["marked_in_source"] == [str(library)]
    assert doc["summary"]["marked_in_source"] == 1
    text = mirror("plan", library, tmp_path / "jf").stdout.decode()
    assert "Empty plan: the source library contains an ignore marker" in text


def test_json_stays_valid_utf8_for_names_that_are_not(tmp_path: Path) -> None:
    source = os.fsencode(tmp_path / "src") + b"/Caf\xe9 (1999) {imdb-tt1}"
    os.makedirs(source)
    with open(source + b"/Caf\xe9 (1999) {imdb-tt1}.mkv", "wb") as handle:
        handle.write(b"v")
    done = mirror_process("sync", "--create", "--json", tmp_path / "src", tmp_path / "dst")
    assert done.returncode == 0, done.stderr
    doc = document(done)
    assert doc["undecodable_names"][0].endswith("Caf\\xe9 (1999) {imdb-tt1}")
    assert doc["events"][0]["target"].endswith("Caf\\xe9 (1999) [imdbid-tt1].mkv")


def test_registered_in_the_crossfade_command() -> None:
    from app.cli.main import app

    result = CliRunner().invoke(app, ["mirror", "--help"])
    assert result.exit_code == 0
    assert all(word in result.stdout for word in ("sync", "diff", "plan"))


def test_setup_errors_naming_undecodable_paths_stay_valid_json(tmp_path: Path) -> None:
    missing = tmp_path / b"gone \xe9".decode("utf-8", "surrogateescape")
    done = mirror("sync", "--json", missing, tmp_path / "jf")
    doc = document(done)
    assert done.returncode == 1 and "gone \\xe9" in doc["error"]


def test_without_a_command_the_arguments_are_syncs(library: Path, tmp_path: Path) -> None:
    done = mirror("--create", "--json", library, tmp_path / "jf")
    assert done.returncode == 0, done.stderr
    assert document(done)["operation"] == "sync"
    assert (tmp_path / "jf" / BOOT_JF).is_dir()
    assert mirror(library, tmp_path / "jf").returncode == 0
    assert mirror(library, tmp_path / "missing").returncode == 1


def test_import_document_and_modes(tmp_path: Path) -> None:
    staged = tmp_path / "stage"
    staged.mkdir()
    (staged / f"{BOOT} [1080p].mkv").write_bytes(b"v")
    (staged / "notes.txt").write_bytes(b"t")
    done = mirror("import", "--copy", "--create", "--json", staged, tmp_path / "jf")
    assert done.returncode == 0, done.stderr
    doc = document(done)
    assert doc["operation"] == "import" and doc["mode"] == "copy"
    assert JPS_SYNC_KEYS - {"strays_in_target"} <= doc.keys()
    assert doc["summary"]["files_updated"] == 1 and doc["summary"]["sources_removed"] == 0
    assert (staged / f"{BOOT} [1080p].mkv").exists()
    assert mirror("import", "--move", "--copy", staged, tmp_path / "jf").returncode == 2
    text = mirror("import", staged, tmp_path / "jf")
    assert text.returncode == 0
    assert "Summary: 1 movies imported, 0 files moved" in text.stderr.decode()
    assert not (staged / f"{BOOT} [1080p].mkv").exists()
