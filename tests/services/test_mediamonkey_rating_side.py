"""The MediaMonkey rating side's own rules: paths mapped per folder exactly as
map_plex_to_local maps them, ratings and evidence from the raw values, keys that must be song
ids, and the database's own "unrated" value when a rating is cleared."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.adapters.mediamonkey import MMDatabase
from app.domain.errors import InvalidInput
from app.domain.paths import PathMapping, map_plex_to_local
from app.domain.ratings.value import Rating
from app.services.mediamonkey.rating_side import MediaMonkeyRatingSide
from app.services.ports import RatingWrite
from tests.fixtures.mediamonkey import build_mm_db
from tests.services.ratings_support import RecordingReporter

MAPPINGS = [
    PathMapping("D:\\Music", "/srv/music"),
    PathMapping("\\\\nas\\music", "/mnt/nas"),
    PathMapping("E:\\", "F:\\Mirror"),
]


@pytest.mark.parametrize(
    "windows_path",
    [
        "D:\\Music\\A\\B\\01 x.mp3",
        "d:\\music\\A\\01 x.mp3",
        "\\\\nas\\music\\A\\01 x.flac",
        "\\\\NAS\\Music\\01 x.flac",
        "E:\\A\\01 x.mp3",
        "C:\\Other\\01 x.mp3",
        "D:\\Musical\\01 x.mp3",
        "x.mp3",
    ],
)
def test_paths_map_as_map_plex_to_local_does(windows_path: str) -> None:
    side = MediaMonkeyRatingSide(lambda: pytest.fail("no store needed"), MAPPINGS, label="MM")
    assert side.local_path(windows_path) == map_plex_to_local(windows_path, MAPPINGS)
    assert side.local_path(windows_path) == map_plex_to_local(windows_path, MAPPINGS)  # cached


def side_on(db: Path, *, read_only: bool = False) -> MediaMonkeyRatingSide:
    return MediaMonkeyRatingSide(
        lambda: MMDatabase(db, read_only=read_only, confirmed_closed=True), MAPPINGS, label="MM"
    )


def test_scan_reads_ratings_and_says_where_they_came_from(tmp_path: Path) -> None:
    side = side_on(build_mm_db(tmp_path / "MM.DB", version=4), read_only=True)
    try:
        items = {item.track.title: item for item in side.scan(RecordingReporter(), "scan")}
    finally:
        side.close()
    assert items["First"].rating is None and items["First"].evidence == "MediaMonkey -1"
    assert items["Café & Crema"].rating is None  # 0: no stars
    assert items['Zweite "Seite"'].rating == Rating(1)
    assert items["Oops"].rating == Rating(7) and items["Oops"].track.path == (
        "/mnt/nas/Various Artists/Hits/03 Oops.opus"
    )
    assert items["Wave"].evidence == "MediaMonkey unrated"


def test_clearing_writes_the_databases_unrated_value(tmp_path: Path) -> None:
    side = side_on(build_mm_db(tmp_path / "MM.DB", version=4))
    try:
        outcomes = list(side.write_many([RatingWrite("4", None), RatingWrite("1", Rating(9))]))
        assert outcomes == [None, Rating(9)]
        assert side.store.ratings([4, 1]) == {4: -1, 1: 90}
        assert side.read("1") == Rating(9)
        with pytest.raises(InvalidInput, match="not a MediaMonkey song id"):
            side.read("abc")
    finally:
        side.close()


def test_a_refused_write_is_every_writes_outcome(tmp_path: Path) -> None:
    side = side_on(build_mm_db(tmp_path / "MM.DB", version=4), read_only=True)
    try:
        outcomes = list(side.write_many([RatingWrite("1", Rating(2)), RatingWrite("2", None)]))
    finally:
        side.close()
    assert len(outcomes) == 2 and all("read-only" in str(o) for o in outcomes)
