"""The MediaMonkey database adapter against the MM4- and MM5-shaped fixtures: one-query
listing with paths put back together, read-only opens that change nothing, and writes that
back up first, get past MM5's full-text triggers, pass integrity_check and roll back."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.adapters.mediamonkey import MMDatabase, backups
from app.adapters.mediamonkey.safety import KEEP_BACKUPS, back_up, wal_path
from app.domain.errors import SetupError
from tests.fixtures.mediamonkey import build_mm_db, connect_as_mediamonkey, hold_lock


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(params=[4, 5], ids=["mm4", "mm5"])
def mm_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = "MM5.DB" if request.param == 5 else "MM.DB"
    return build_mm_db(tmp_path / name, version=request.param)


def test_tracks_are_listed_with_full_paths_and_raw_ratings(mm_db: Path) -> None:
    db = MMDatabase(mm_db, read_only=True)
    try:
        tracks = {t.title: t for t in db.tracks()}
        assert db.schema.version == (5 if mm_db.name == "MM5.DB" else 4)
    finally:
        db.close()
    assert tracks["First"].path == "D:\\Music\\Artist\\Album\\01 First.flac"
    assert tracks["Oops"].path == "\\\\nas\\music\\Various Artists\\Hits\\03 Oops.opus"
    assert tracks["Ça va"].artist == "Björk & Friends"
    assert [tracks[t].rating for t in ("First", "Café & Crema", "Ça va", "Zweite \"Seite\"")] == [
        -1, 0, 100, 10,
    ]  # fmt: skip
    assert tracks["Wave"].rating is None
    assert tracks["Wave"].track_no == 4  # "4/12"
    assert tracks["First"].length_s == 180.0


def test_nested_and_auto_playlists_are_read(mm_db: Path) -> None:
    db = MMDatabase(mm_db, read_only=True)
    try:
        playlists = {p.title: p for p in db.playlists()}
    finally:
        db.close()
    assert set(playlists) == {"Road trip", "Moods", "Moods/Calm", "Top rated"}
    assert playlists["Moods/Calm"].song_ids == (4, 2)
    assert playlists["Top rated"].auto and not playlists["Road trip"].auto


def test_a_read_only_open_leaves_the_file_byte_identical_and_makes_no_files(mm_db: Path) -> None:
    before = digest(mm_db)
    db = MMDatabase(mm_db, read_only=True)
    try:
        db.tracks()
        db.playlists()
        with pytest.raises(SetupError, match="read-only"):
            db.write_ratings({1: 80})
    finally:
        db.close()
    assert digest(mm_db) == before
    assert sorted(p.name for p in mm_db.parent.iterdir()) == [mm_db.name]


def test_the_iunicode_collation_compares_not_just_matches(mm_db: Path) -> None:
    db = MMDatabase(mm_db, read_only=True)
    try:
        rows = db.query("SELECT ID FROM Songs WHERE SongTitle = 'first'")
    finally:
        db.close()
    assert rows == [(1,)]  # one row: a boolean collation would match every row


def test_ratings_are_written_in_one_transaction_after_a_backup(mm_db: Path) -> None:
    db = MMDatabase(mm_db, read_only=False, confirmed_closed=True)
    try:
        db.check_writable()
        reread = db.write_ratings({1: 90, 2: 20, 3: -1})
        assert reread == {1: 90, 2: 20, 3: -1}
        assert db.integrity() == ["ok"]
        made = db.backups_made
    finally:
        db.close()
    assert len(made) == 1 and backups(mm_db, made[0].parent) == made
    with sqlite3.connect(made[0]) as backup:  # the backup holds the ratings from before
        assert backup.execute("SELECT Rating FROM Songs WHERE ID = 1").fetchone() == (-1,)
    assert not wal_path(mm_db).exists() or wal_path(mm_db).stat().st_size == 0


def test_the_mm5_fixture_refuses_a_plain_update(tmp_path: Path) -> None:
    mm5 = build_mm_db(tmp_path / "MM5.DB", version=5)
    con = sqlite3.connect(mm5)
    try:
        with pytest.raises(sqlite3.OperationalError, match="no such tokenizer: mm"):
            con.execute("UPDATE Songs SET Rating = 20 WHERE ID = 1")
    finally:
        con.close()
    db = MMDatabase(mm5, read_only=False, confirmed_closed=True)
    try:
        triggers_before = db.query("SELECT name, sql FROM sqlite_master WHERE type='trigger'")
        db.write_ratings({1: 20})
        triggers_after = db.query("SELECT name, sql FROM sqlite_master WHERE type='trigger'")
    finally:
        db.close()
    assert sorted(triggers_after) == sorted(triggers_before)
    app = connect_as_mediamonkey(mm5)  # MediaMonkey itself still finds songs by their words
    try:
        assert list(app.execute("SELECT rowid FROM SongsText WHERE SongsText MATCH 'crema'")) == [
            (2,)
        ]
        app.execute("INSERT INTO SongsText (SongsText) VALUES ('integrity-check')")
        app.execute("UPDATE Songs SET SongTitle = 'Renamed' WHERE ID = 1")  # triggers fire again
        assert list(app.execute("SELECT rowid FROM SongsText WHERE SongsText MATCH 'renamed'")) == [
            (1,)
        ]
    finally:
        app.close()


def fail_inside(db: MMDatabase) -> None:
    with db.transaction() as con:
        con.execute("UPDATE Songs SET Rating = 100 WHERE ID = 1")
        raise RuntimeError("boom")


def check_writable(db_path: Path) -> None:
    db = MMDatabase(db_path, read_only=False, confirmed_closed=True)
    try:
        db.check_writable()
    finally:
        db.close()


def test_an_error_inside_the_transaction_rolls_everything_back(mm_db: Path) -> None:
    before = digest(mm_db)
    db = MMDatabase(mm_db, read_only=False, confirmed_closed=True)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            fail_inside(db)
        assert db.ratings([1]) == {1: -1}
        assert db.integrity() == ["ok"]
    finally:
        db.close()
    assert mm_db.stat().st_size > 0 and (mm_db.name == "MM5.DB" or digest(mm_db) == before)


@pytest.mark.parametrize("mode", ["IMMEDIATE", "EXCLUSIVE"])
def test_a_locked_database_stops_before_any_write(tmp_path: Path, mode: str) -> None:
    mm4 = build_mm_db(tmp_path / "MM.DB", version=4)
    before = digest(mm4)
    with (
        hold_lock(mm4, mode),
        pytest.raises(SetupError, match=r"locked by another program.*close MediaMonkey"),
    ):
        check_writable(mm4)
    assert digest(mm4) == before
    assert not (tmp_path / "crossfade-backups").exists()


def test_a_leftover_wal_or_no_confirmation_stops_a_write(tmp_path: Path) -> None:
    mm4 = build_mm_db(tmp_path / "MM.DB", version=4)
    db = MMDatabase(mm4, read_only=False, confirmed_closed=False)
    try:
        with pytest.raises(SetupError, match="MediaMonkey is closed"):
            db.check_writable()
    finally:
        db.close()
    wal_path(mm4).write_bytes(b"x" * 32)
    db = MMDatabase(mm4, read_only=False, confirmed_closed=True)
    try:
        with pytest.raises(SetupError, match="Start and close MediaMonkey once"):
            db.write_ratings({1: 20})
    finally:
        db.close()


def test_unknown_schema_and_unknown_triggers_are_named(tmp_path: Path) -> None:
    mm4 = build_mm_db(tmp_path / "MM.DB", version=4)
    con = connect_as_mediamonkey(mm4)
    con.execute("CREATE TABLE Log (x); CREATE TRIGGER AuditRating AFTER UPDATE OF Rating ON "
                "Songs BEGIN INSERT INTO Log VALUES (old.ID); END;")  # fmt: skip
    con.close()
    db = MMDatabase(mm4, read_only=False, confirmed_closed=True)
    try:
        with pytest.raises(SetupError, match=r"triggers Crossfade does not know.*AuditRating"):
            db.check_writable()
    finally:
        db.close()
    bare = tmp_path / "other.db"
    with sqlite3.connect(bare) as other:
        other.execute("CREATE TABLE Songs (ID INTEGER PRIMARY KEY, SongTitle TEXT)")
    db = MMDatabase(bare, read_only=True)
    try:
        with pytest.raises(SetupError, match=r"missing Songs\.Artist.*Medias\.IDMedia"):
            db.tracks()
    finally:
        db.close()


def test_only_the_newest_backups_are_kept(tmp_path: Path) -> None:
    mm4 = build_mm_db(tmp_path / "MM.DB", version=4)
    made = [back_up(mm4, tmp_path / "b") for _ in range(KEEP_BACKUPS + 2)]
    assert backups(mm4, tmp_path / "b") == made[-KEEP_BACKUPS:]


def test_playlists_are_rewritten_created_nested_and_deleted(mm_db: Path) -> None:
    db = MMDatabase(mm_db, read_only=False, confirmed_closed=True)
    try:
        ids = {p.title: p.id for p in db.playlists()}
        db.set_playlist(ids["Road trip"], [7, 1])
        happy = db.create_playlist("moods/Happy", [2, 3, 2])  # the parent found by its name
        deep = db.create_playlist("New/Deeper", [])
        with pytest.raises(SetupError, match="auto-playlist: not touched"):
            db.set_playlist(ids["Top rated"], [1])
        db.delete_playlist(ids["Moods/Calm"])
        db.delete_playlist(ids["Moods"])  # still holds Happy: only emptied
        playlists = {p.title: p for p in db.playlists()}
        orders = db.query("SELECT SongOrder FROM PlaylistSongs WHERE IDPlaylist = ?", (happy,))
    finally:
        db.close()  # runs the full integrity check after writes
    assert (
        playlists["Road trip"].song_ids == (7, 1) and playlists["Road trip"].id == ids["Road trip"]
    )
    assert playlists["Moods/Happy"].song_ids == (2, 3, 2) and playlists["Moods/Happy"].id == happy
    assert sorted(order for (order,) in orders) == [0, 1, 2]
    assert playlists["New/Deeper"].id == deep and not playlists["New"].song_ids
    assert "Moods/Calm" not in playlists and "Moods" in playlists
    assert playlists["Top rated"].auto
    assert len(backups(mm_db, mm_db.parent / "crossfade-backups")) == 1
