"""``crossfade mediamonkey inspect``: the summary, read-only, and a dump without a title or a
path; an unknown schema is named and exits 1."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from tests.fixtures.mediamonkey import DEMO_SONGS, build_mm_db


@pytest.mark.parametrize("version", [4, 5])
def test_inspect_prints_the_summary_and_an_anonymised_dump(tmp_path: Path, version: int) -> None:
    db = build_mm_db(tmp_path / ("MM5.DB" if version == 5 else "MM.DB"), version=version)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    dump = tmp_path / "dump.json"
    result = CliRunner().invoke(app, ["mediamonkey", "inspect", str(db), "--dump", str(dump)])
    assert result.exit_code == 0, result.output
    assert f"version:       MediaMonkey {version}" in result.output
    assert "journal mode:  " + ("wal" if version == 5 else "delete") in result.output
    assert "ratings:       NULL: 1, -1: 1, 0: 1, 10: 1, 60: 1, 70: 1, 100: 1" in result.output
    assert "path forms:    drive 5, unc 2, other 0" in result.output
    assert "columns used:  21 of 21 found" in result.output
    assert ("SongsTextUpdate: fired by rating writes" in result.output) is (version == 5)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    text = dump.read_text("utf-8")
    data = json.loads(text)
    assert data["counts"]["songs"] == len(DEMO_SONGS) and "database" not in data
    for song in DEMO_SONGS:  # no titles, no artists (but a column's name), no paths
        assert song.title not in json.dumps(data, ensure_ascii=False)
        assert song.artist == "Artist" or song.artist not in text
    assert "Music" not in text and "nas" not in text and str(tmp_path) not in text


def test_inspect_names_missing_columns_and_exits_1(tmp_path: Path) -> None:
    db = tmp_path / "MM5.DB"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE Songs (ID INTEGER PRIMARY KEY, SongTitle TEXT)")
    result = CliRunner().invoke(
        app, ["mediamonkey", "inspect", str(db), "--dump", str(tmp_path / "d.json")]
    )
    assert result.exit_code == 1
    assert "problem: missing column Songs.Rating" in result.output
    assert "Songs.Artist: MISSING" in result.output
