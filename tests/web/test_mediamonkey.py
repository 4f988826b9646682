"""A MediaMonkey library's page: added through the dashboard's form, it says who keeps the
files' rating tags, and "Test" shows the database's summary (fragment and whole page) without
changing the file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from app.bootstrap import Container
from tests.fixtures.mediamonkey import build_mm_db
from tests.web.conftest import HTMX


def test_the_library_page_tests_the_database(app_client: TestClient, tmp_path: Path) -> None:
    db = build_mm_db(tmp_path / "MM5.DB", version=5)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    form = {"kind": "mediamonkey", "name": "MM", "database": str(db), "file_tags": "mediamonkey"}
    added = app_client.post("/libraries", data=form, follow_redirects=False)
    assert added.status_code == 303, added.text
    library_id = int(added.headers["location"].split("/")[-1].split("?")[0])
    page = app_client.get(f"/libraries/{library_id}").text
    assert "MediaMonkey updates them" in page and "Path diagnostic" not in page
    settings = {"name": "MM", "database": str(db), "mediamonkey_closed": "true",
                "file_tags": "crossfade", "backup_dir": ""}  # fmt: skip
    saved = app_client.post(f"/libraries/{library_id}", data=settings, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    container: Container = app_client.app.state.container  # type: ignore[attr-defined]
    config = container.domains.libraries.library(library_id).config
    assert config["mediamonkey_closed"] is True and config["file_tags"] == "crossfade"
    page = app_client.get(f"/libraries/{library_id}").text
    assert "MediaMonkey database" in page and "Crossfade writes them" in page
    assert "POPM no@email" in page and "Version" not in page

    fragment = app_client.get(f"/libraries/{library_id}/mediamonkey", headers=HTMX).text
    assert fragment.startswith('<div id="mediamonkey-result">')
    assert "MediaMonkey 5" in fragment and "21 of 21 found" in fragment
    assert "Trigger SongsTextUpdate" in fragment and "looks as Crossfade expects" in fragment
    whole = app_client.get(f"/libraries/{library_id}/mediamonkey").text
    assert "<html" in whole and "MediaMonkey 5" in whole
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before

    db.unlink()
    gone = app_client.get(f"/libraries/{library_id}/mediamonkey", headers=HTMX).text
    assert "no MediaMonkey database at" in gone
