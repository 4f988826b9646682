"""The one line a command prints when it creates the SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.cli.where import announcing_new_database
from app.settings import load_settings


def test_says_where_it_created_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(data_dir=tmp_path, database_url=None)
    with announcing_new_database(settings):
        sqlite3.connect(tmp_path / "crossfade.db").close()
    assert (
        f"created a new database at {tmp_path.resolve() / 'crossfade.db'}"
        in capsys.readouterr().err
    )
    with announcing_new_database(settings):  # the second time it exists: nothing said
        pass
    assert capsys.readouterr().err == ""


def test_silent_for_a_server_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="postgresql+psycopg://u@h/db")
    with announcing_new_database(settings):
        pass
    assert capsys.readouterr().err == ""
