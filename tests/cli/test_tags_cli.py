"""``crossfade tags read | write | scan`` through the real command line app."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
from mutagen.id3 import ID3, POPM, TXXX
from typer.testing import CliRunner

from app.cli.main import app
from tests.adapters.tags_support import copy_fixture

runner = CliRunner()


@pytest.fixture(autouse=True)
def plain_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_PRESERVE_MTIME", raising=False)
    monkeypatch.delenv("CROSSFADE_HARDLINKED_WRITES", raising=False)


def _rated_mp3(folder: Path) -> Path:
    path = copy_fixture("mp3.mp3", folder, "rated.mp3")
    tags = ID3(path)
    tags.add(POPM(email="Windows Media Player 9 Series", rating=196, count=3))
    tags.add(TXXX(encoding=3, desc="RATING", text=["3"]))
    tags.save(path)
    return path


def test_read_json_one_object_per_line_and_errors_do_not_stop(tmp_path: Path) -> None:
    rated = _rated_mp3(tmp_path)
    plain = copy_fixture("opus.opus", tmp_path)
    missing = tmp_path / "missing.flac"
    result = runner.invoke(app, ["tags", "read", "--json", str(rated), str(missing), str(plain)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    records[0]["tags"].sort(key=lambda tag: tag["dialect"])
    assert records[0] == {
        "path": str(rated),
        "format": "mp3",
        "tags": [
            {"dialect": "popm:windows", "raw": "196", "rating": 8},
            {"dialect": "txxx:rating", "raw": "3", "rating": 6},
        ],
        "rating": 8,
        "disagreement": True,
    }
    assert records[1]["path"] == str(missing)
    assert records[1]["rating"] is None
    assert "gone" in records[1]["error"]
    assert records[2] == {
        "path": str(plain),
        "format": "opus",
        "tags": [],
        "rating": None,
        "disagreement": False,
    }


@pytest.mark.parametrize(
    ("policy", "rating"), [("highest", 8), ("lowest", 6), ("average", 7), ("ask", None)]
)
def test_read_policies(policy: str, rating: int | None, tmp_path: Path) -> None:
    rated = _rated_mp3(tmp_path)
    result = runner.invoke(app, ["tags", "read", "--json", "--policy", policy, str(rated)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rating"] == rating


def test_read_for_people_and_a_pinned_scale(tmp_path: Path) -> None:
    rated = _rated_mp3(tmp_path)
    result = runner.invoke(app, ["tags", "read", str(rated)])
    assert result.exit_code == 0
    assert "popm:windows" in result.stdout
    assert "4★" in result.stdout
    assert "disagree" in result.stdout
    pinned = runner.invoke(app, ["tags", "read", "--json", "--scale", "tenths", str(rated)])
    tags = {t["dialect"]: t["rating"] for t in json.loads(pinned.stdout)["tags"]}
    assert tags == {"popm:windows": 8, "txxx:rating": 3}
    bad = runner.invoke(app, ["tags", "read", "--scale", "eighths", str(rated)])
    assert bad.exit_code == 2


def test_write_then_read_back(tmp_path: Path) -> None:
    flac = copy_fixture("flac.flac", tmp_path)
    wma = copy_fixture("wma.wma", tmp_path)
    result = runner.invoke(
        app, ["tags", "write", str(flac), str(wma), "--stars", "3.5", "--profile", "everything"]
    )
    assert result.exit_code == 0, result.output
    assert "written in place" in result.stdout
    assert "stored as whole stars" in result.stdout  # WMA keeps whole stars
    read = runner.invoke(app, ["tags", "read", "--json", str(flac), str(wma)])
    ratings = [json.loads(line)["rating"] for line in read.stdout.splitlines()]
    assert ratings == [7, 8]


def test_write_dry_run_and_json(tmp_path: Path) -> None:
    path = copy_fixture("m4a.m4a", tmp_path)
    before = path.read_bytes()
    result = runner.invoke(
        app, ["tags", "write", "--json", "--dry-run", "--stars", "4,5", str(path)]
    )
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["method"] == "dry_run"
    assert record["changes"] == [
        {"dialect": "mp4:itunes_rate", "before": [], "after": "90", "rating": 9}
    ]
    assert path.read_bytes() == before


def test_write_clear_and_failures(tmp_path: Path) -> None:
    rated = _rated_mp3(tmp_path)
    empty = tmp_path / "empty.mp3"
    empty.touch()
    result = runner.invoke(app, ["tags", "write", "--clear", str(empty), str(rated)])
    assert result.exit_code == 1
    assert "zero bytes" in result.output
    after = runner.invoke(app, ["tags", "read", "--json", str(rated)])
    assert json.loads(after.stdout)["rating"] is None
    assert runner.invoke(app, ["tags", "write", str(rated)]).exit_code == 2
    assert runner.invoke(app, ["tags", "write", "--stars", "6", str(rated)]).exit_code == 2
    assert (
        runner.invoke(
            app, ["tags", "write", "--stars", "1", "--profile", "x", str(rated)]
        ).exit_code
        == 2
    )


def test_write_uses_the_hardlink_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_fixture("flac.flac", tmp_path)
    os.link(path, tmp_path / "link.flac")
    monkeypatch.setenv("CROSSFADE_HARDLINKED_WRITES", "skip")
    result = runner.invoke(app, ["tags", "write", "--stars", "2", str(path)])
    assert result.exit_code == 1
    assert "hardlinks" in result.output


def test_non_utf8_names_are_printed(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/\xff.ogg"
    name = os.fsdecode(raw)
    Path(name).write_bytes(copy_fixture("ogg_vorbis.ogg", tmp_path).read_bytes())
    human = runner.invoke(app, ["tags", "read", name])
    assert human.exit_code == 0
    assert "/\\xff.ogg" in human.stdout
    machine = runner.invoke(app, ["tags", "read", "--json", name])
    machine.stdout.encode("utf-8")
    record = json.loads(machine.stdout)
    assert record["path"].endswith("/\\xff.ogg")
    assert base64.b64decode(record["path_bytes_b64"]) == raw
    assert "\\u" not in machine.stdout  # no lone-surrogate escapes: strict JSON readers agree


def test_scan_with_odd_names_is_valid_json_and_ends_with_problems(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path)
    good = copy_fixture("flac.flac", tmp_path)
    odd_names = [b"09 Caf\xe9.flac", b"new\nline.flac", b"-dash.flac", b"x" * 250 + b".flac"]
    for odd in odd_names:
        Path(os.fsdecode(folder + b"/" + odd)).write_bytes(good.read_bytes())
    broken = folder + b"/broken \xe9.mp3"
    Path(os.fsdecode(broken)).write_bytes(b"not audio at all")
    result = runner.invoke(app, ["tags", "scan", "--json", str(tmp_path)])
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    assert summary["files"] == len(odd_names) + 2
    assert summary["read"] == len(odd_names) + 1
    (failure,) = summary["failures"]
    assert failure["path"].endswith("/broken \\xe9.mp3")
    assert base64.b64decode(failure["path_bytes_b64"]) == broken
    human = runner.invoke(app, ["tags", "scan", str(tmp_path)])
    assert human.exit_code == 3
    assert "broken \\xe9.mp3" in human.stderr


def test_scan(tmp_path: Path) -> None:
    _rated_mp3(tmp_path)
    copy_fixture("flac.flac", tmp_path)
    result = runner.invoke(app, ["tags", "scan", str(tmp_path)])
    assert result.exit_code == 0
    assert "txxx:rating: 1–5 in 1 file" in result.stdout
    assert "popm:windows: 1 file" in result.stdout
    as_json = json.loads(runner.invoke(app, ["tags", "scan", "--json", str(tmp_path)]).stdout)
    assert as_json["files"] == 2
    assert as_json["dialects"]["txxx:rating"] == {
        "files": 1,
        "scales": {"1–5": 1},
        "inferred_scale": None,
    }
    assert runner.invoke(app, ["tags", "scan", str(tmp_path / "nope")]).exit_code == 2


@pytest.mark.parametrize(
    ("options", "frames"),
    [
        (["--profile", "pmrs"], {"Plex": 196}),
        (["--profile", "winamp"], {"rating@winamp.com": 196}),
        (["--popm-email", "me@example.org"], {"me@example.org": 196}),
        (["--profile", "windows", "--popm-email", "Plex"], {"Plex": 196}),
    ],
)
def test_write_with_a_preset_or_a_custom_popm_email(
    tmp_path: Path, options: list[str], frames: dict[str, int]
) -> None:
    path = copy_fixture("mp3.mp3", tmp_path)
    result = runner.invoke(app, ["tags", "write", "--stars", "4", *options, str(path)])
    assert result.exit_code == 0, result.output
    assert {frame.email: frame.rating for frame in ID3(path).getall("POPM")} == frames
