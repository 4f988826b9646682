from __future__ import annotations

import pytest

from app.adapters.plex.xmlstream import (
    MalformedXml,
    parse_items,
    playlist_from,
    playlist_item_from,
    section_from,
    track_from,
)

ITEMS = frozenset({"Track", "Directory", "Playlist"})

LISTING = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<MediaContainer size="2" totalSize="48213" offset="0" librarySectionID="3">'
    b'<Track ratingKey="1003" key="/library/metadata/1003" guid="plex://track/5d07" type="track"'
    b' title="Caf&#233; &amp; Crema" grandparentTitle="Some Artist" parentTitle="Some Album"'
    b' index="4" parentIndex="1" userRating="8.0" lastRatedAt="1700001234" duration="215000"'
    b' addedAt="1699990000" updatedAt="1700000100">'
    b'<Media id="7003"><Part id="7003" file="/srv/music/04 Caf&#233; &amp; Crema.mp3"'
    b' size="8612345"/></Media>'
    b'<Media id="7004"><Part id="7004" file="/srv/music/04 other.flac" size="1"/></Media>'
    b'<Guid id="mbid://6524bc2d"/><Guid id="imdb://x"/>'
    b"</Track>"
    b'<Track ratingKey="1004" type="track" title="Oops" grandparentTitle="Various Artists"'
    b' originalTitle="Track Artist" parentTitle="Hits"><Media><Part/></Media></Track>'
    b"</MediaContainer>"
)


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_tracks_from_any_chunking(chunk: int) -> None:
    chunks = [LISTING[i : i + chunk] for i in range(0, len(LISTING), chunk)]
    parsed = parse_items(chunks, ITEMS, track_from)
    assert parsed.container["totalSize"] == "48213"
    first, second = parsed.items
    assert first is not None and second is not None
    assert (first.rating_key, first.title, first.artist, first.album) == (
        1003,
        "Café & Crema",
        "Some Artist",
        "Some Album",
    )
    assert first.section_id == 3 or first.section_id is None
    assert (first.track_no, first.disc_no, first.duration_ms, first.size_bytes) == (
        4,
        1,
        215000,
        8612345,
    )
    assert first.file_paths == ("/srv/music/04 Café & Crema.mp3", "/srv/music/04 other.flac")
    assert first.external_ids == ("mbid://6524bc2d", "imdb://x")
    assert first.mbid == "6524bc2d"
    assert first.user_rating == 8
    assert first.last_rated_at is not None and int(first.last_rated_at.timestamp()) == 1700001234
    assert (second.artist, second.album_artist) == ("Track Artist", "Various Artists")
    assert (second.user_rating, second.last_rated_at, second.file_paths) == (None, None, ())


def test_sections_and_playlists() -> None:
    body = (
        b'<MediaContainer size="2"><Directory key="3" type="artist" title="Music" refreshing="1"'
        b' uuid="u"><Location id="3" path="/a"/><Location id="4" path="D:\\b"/></Directory>'
        b'<Directory key="x" type="movie"/></MediaContainer>'
    )
    (section,) = parse_items([body], ITEMS, section_from).items
    assert section.locations == ("/a", "D:\\b")
    assert section.is_music and section.refreshing
    playlists = parse_items(
        [
            b'<MediaContainer><Playlist ratingKey="9" title="P" smart="0" leafCount="2"'
            b' playlistType="audio"/></MediaContainer>'
        ],
        ITEMS,
        playlist_from,
    ).items
    assert [(p.playlist_id, p.smart, p.leaf_count) for p in playlists] == [(9, False, 2)]
    rows = parse_items(
        [
            b'<MediaContainer><Track playlistItemID="5" ratingKey="7" title="t"/>'
            b'<Track ratingKey="8" title="no id"/></MediaContainer>'
        ],
        ITEMS,
        playlist_item_from,
    ).items
    assert [(r.playlist_item_id, r.track.rating_key) for r in rows] == [(5, 7)]


@pytest.mark.parametrize("body", [b"", b"<html><body>oops", b"<MediaContainer><Track></Media>"])
def test_malformed(body: bytes) -> None:
    with pytest.raises(MalformedXml):
        parse_items([body], ITEMS, track_from)
