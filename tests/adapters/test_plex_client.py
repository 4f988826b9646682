"""The Plex adapter against the emulator: listing, ratings, playlists, refresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.adapters.plex import PlexServerClient, PlexTrack
from app.adapters.plex.client import MAX_METADATA_BATCH
from app.domain.errors import InvalidInput, PlexNotFound, PlexUnauthorized, PlexUnavailable
from plex_emulator.builder import Folder
from plex_emulator.demo_files import DEFAULT_TRACKS
from plex_emulator.knobs import Fault, Knobs
from plex_emulator.model import Album
from plex_emulator.server import EmulatorServer
from plex_emulator.state import EmulatorState
from plex_emulator.synthetic import add_synthetic_music_section, synthetic_tracks
from tests.emulator.support import (
    BOB_TOKEN,
    OWNER_TOKEN,
    running_emulator,
    synthetic_emulator,
    write_library,
)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path_factory.mktemp("plex-client") / "music", tmp_path_factory)


@pytest.fixture
def emulator(library: Path) -> Iterator[EmulatorServer]:
    with running_emulator(music=[Folder(str(library))]) as server:
        yield server


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[PlexServerClient]:
    with PlexServerClient(emulator.url, OWNER_TOKEN, retries=0) as plex:
        yield plex


@pytest.fixture(scope="module")
def synthetic() -> Iterator[EmulatorServer]:
    with synthetic_emulator(5000) as server:
        yield server


def test_sections_and_identity(
    client: PlexServerClient, emulator: EmulatorServer, library: Path
) -> None:
    (music,) = client.list_sections()
    assert (music.section_id, music.title, music.is_music) == (1, "Music", True)
    assert music.locations == (str(library),)
    assert client.section_by_title(" music ") == music
    with pytest.raises(PlexNotFound):
        client.section_by_title("Nope")
    assert client.identity().machine_identifier == emulator.state.machine_identifier


def test_tracks_are_plain_records(client: PlexServerClient, library: Path) -> None:
    tracks = {t.title: t for t in client.iter_tracks(1, page_size=2)}
    assert len(tracks) == len(DEFAULT_TRACKS)
    for demo in DEFAULT_TRACKS:
        track = tracks[demo.title]
        assert isinstance(track, PlexTrack)
        assert track.file_paths == (str(library / demo.relative_path),)
        assert track.artist == demo.artist
        assert track.album_artist == (demo.album_artist or demo.artist)
        assert (track.album, track.track_no, track.disc_no) == (
            demo.album,
            demo.track_no,
            demo.disc_no,
        )
        assert track.mbid == demo.mbid_recording
        assert track.size_bytes == (library / demo.relative_path).stat().st_size
        assert track.duration_ms and track.duration_ms > 0
        assert track.user_rating is None and track.last_rated_at is None
        assert track.added_at is not None and track.added_at.tzinfo is UTC
        assert track.section_id == 1


def test_listing_budget_is_one_request_per_page(synthetic: EmulatorServer) -> None:
    with PlexServerClient(synthetic.url, OWNER_TOKEN) as plex:
        synthetic.log.clear()
        keys = [t.rating_key for t in plex.iter_tracks(1)]
    assert len(keys) == len(set(keys)) == 5000
    paths = [e.path for e in synthetic.log.entries()]
    assert paths == ["/library/sections/1/all"] * 5
    assert all(e.param("X-Plex-Container-Size") == "1000" for e in synthetic.log.entries())


def test_a_capped_server_loses_nothing(synthetic: EmulatorServer) -> None:
    synthetic.knobs.page_cap = 300
    try:
        with PlexServerClient(synthetic.url, OWNER_TOKEN) as plex:
            keys = [t.rating_key for t in plex.iter_tracks(1)]
    finally:
        synthetic.knobs.page_cap = None
    assert len(keys) == len(set(keys)) == 5000


def test_page_size_limits(client: PlexServerClient) -> None:
    with pytest.raises(InvalidInput):
        list(client.iter_tracks(1, page_size=1001))
    with pytest.raises(InvalidInput):
        list(client.iter_tracks(1, page_size=0))
    assert client.count_tracks(1) == len(DEFAULT_TRACKS)
    page = client.tracks_page(1, 2, 2)
    assert page.total == len(DEFAULT_TRACKS) and len(page.tracks) == 2


def test_rate_clear_and_carry_over_time(client: PlexServerClient, emulator: EmulatorServer) -> None:
    track = next(client.iter_tracks(1))
    client.rate(track.rating_key, 7)
    rated = client.get_track(track.rating_key)
    assert rated.user_rating == 7
    assert rated.last_rated_at is not None
    assert abs(rated.last_rated_at - datetime.now(UTC)) < timedelta(minutes=1)
    when = datetime(2021, 5, 1, 12, 0, tzinfo=UTC)
    client.rate(track.rating_key, 10, rated_at=when)
    assert client.get_track(track.rating_key).last_rated_at == when
    client.rate(track.rating_key, None)
    cleared = client.get_track(track.rating_key)
    assert cleared.user_rating is None and cleared.last_rated_at == when
    emulator.log.clear()
    for bad in (0, 11, 3.5):
        with pytest.raises(InvalidInput):
            client.rate(track.rating_key, bad)
    assert len(emulator.log) == 0
    with pytest.raises(PlexNotFound):
        client.rate(987654, 4)


def test_ratings_are_per_token(client: PlexServerClient, emulator: EmulatorServer) -> None:
    track = next(client.iter_tracks(1))
    client.rate(track.rating_key, 4)
    with PlexServerClient(emulator.url, BOB_TOKEN) as bob:
        assert bob.get_track(track.rating_key).user_rating is None
        bob.rate(track.rating_key, 9)
        assert bob.get_track(track.rating_key).user_rating == 9
    assert client.get_track(track.rating_key).user_rating == 4


def test_incremental_listing(client: PlexServerClient, emulator: EmulatorServer) -> None:
    clock = emulator.state
    tracks = list(client.iter_tracks(1))
    old = datetime(2020, 1, 1, tzinfo=UTC)
    client.rate(tracks[0].rating_key, 6, rated_at=old)
    client.rate(tracks[1].rating_key, 8)
    now = datetime.fromtimestamp(clock.clock(), UTC)
    since = now - timedelta(minutes=5)
    assert [t.rating_key for t in client.iter_tracks(1, rated_since=since)] == [
        tracks[1].rating_key
    ]
    assert {t.rating_key for t in client.iter_tracks(1, rated_since=old)} == {
        tracks[0].rating_key,
        tracks[1].rating_key,
    }  # inclusive bound
    assert len(list(client.iter_tracks(1, added_since=since))) == len(tracks)
    assert list(client.iter_tracks(1, added_since=now + timedelta(hours=1))) == []
    both = [
        t.rating_key
        for t in client.iter_tracks(1, rated_since=old, added_since=now + timedelta(hours=1))
    ]
    assert sorted(both) == sorted([tracks[0].rating_key, tracks[1].rating_key])


def test_playlists(client: PlexServerClient, emulator: EmulatorServer) -> None:
    keys = [t.rating_key for t in client.iter_tracks(1)]
    created = client.create_playlist("Mix & Match", 1, keys[:3])
    assert (created.title, created.smart, created.leaf_count) == ("Mix & Match", False, 3)
    assert [p.playlist_id for p in client.list_audio_playlists()] == [created.playlist_id]
    rows = client.playlist_items(created.playlist_id)
    assert [r.track.rating_key for r in rows] == keys[:3]
    assert len({r.playlist_item_id for r in rows}) == 3

    emulator.log.clear()
    edit = client.replace_playlist_items(created.playlist_id, [keys[2], keys[0], keys[1]])
    assert (edit.removed, edit.added, edit.moved, edit.rebuilt) == (0, 0, 1, False)
    assert [(e.method, e.path.rsplit("/", 1)[-1]) for e in emulator.log.entries()] == [
        ("GET", "items"),
        ("PUT", "move"),
        ("GET", "items"),
    ]
    assert [r.playlist_item_id for r in client.playlist_items(created.playlist_id)] == [
        rows[2].playlist_item_id,
        rows[0].playlist_item_id,
        rows[1].playlist_item_id,
    ]  # rows kept their ids

    wanted = [keys[0], keys[1], keys[5], keys[0]]  # one removal, two appends: in place
    edit = client.replace_playlist_items(created.playlist_id, wanted)
    assert (edit.removed, edit.added, edit.moved, edit.rebuilt) == (1, 2, 0, False)
    assert [r.track.rating_key for r in client.playlist_items(created.playlist_id)] == wanted
    wanted = [keys[4], keys[0], keys[5], keys[1]]  # cheaper to clear and re-add
    edit = client.replace_playlist_items(created.playlist_id, wanted)
    assert edit.rebuilt is True
    assert [r.track.rating_key for r in client.playlist_items(created.playlist_id)] == wanted
    assert client.replace_playlist_items(created.playlist_id, wanted).moved == 0

    edit = client.replace_playlist_items(created.playlist_id, [])
    assert client.playlist_items(created.playlist_id) == ()
    assert [p.playlist_id for p in client.list_audio_playlists()] == [created.playlist_id]

    client.delete_playlist(created.playlist_id)
    with pytest.raises(PlexNotFound):
        client.playlist_items(created.playlist_id)
    with pytest.raises(InvalidInput):
        client.create_playlist("Empty", 1, [])


def test_smart_playlists_are_not_listed(client: PlexServerClient, emulator: EmulatorServer) -> None:
    owner = emulator.state.owner
    mid = emulator.state.machine_identifier
    emulator.state.playlist_store.create(
        owner,
        title="Smart",
        playlist_type="audio",
        smart=True,
        uri=f"server://{mid}/com.plexapp.plugins.library/library/sections/1/all?type=10",
    )
    assert client.list_audio_playlists() == ()


def test_big_playlists_go_in_chunks(synthetic: EmulatorServer) -> None:
    with PlexServerClient(synthetic.url, OWNER_TOKEN) as plex:
        keys = [t.rating_key for t in plex.iter_tracks(1)][:1100]
        synthetic.log.clear()
        created = plex.create_playlist("Big", 1, keys)
        assert synthetic.log.count("/playlists", "POST") == 1
        assert synthetic.log.count(f"/playlists/{created.playlist_id}/items", "PUT") == 5
        assert [r.track.rating_key for r in plex.playlist_items(created.playlist_id)] == keys
        reversed_keys = keys[::-1]
        edit = plex.replace_playlist_items(created.playlist_id, reversed_keys)
        assert edit.rebuilt is True  # 1099 moves cost more than clearing and re-adding
        assert [r.track.rating_key for r in plex.playlist_items(created.playlist_id)] == (
            reversed_keys
        )
        plex.delete_playlist(created.playlist_id)


def test_refresh_a_folder(
    client: PlexServerClient,
    library: Path,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    extra = tmp_path / "extra"
    with (
        running_emulator(music=[Folder(str(extra))]) as server,
        PlexServerClient(server.url, OWNER_TOKEN) as plex,
    ):
        assert plex.count_tracks(1) == 0
        write_library(extra, tmp_path_factory, DEFAULT_TRACKS[:2])
        plex.refresh_section(1, str(extra / "Artist"))
        assert server.scans.wait_idle()
        assert plex.count_tracks(1) == 2


# --- get_tracks: batched re-reads ------------------------------------------------------------


@pytest.fixture
def two_sections() -> Iterator[EmulatorServer]:
    """250 tracks in section 1 (shared with bob), 20 in section 2 (owner only)."""
    state = EmulatorState()
    state.add_account("owner", OWNER_TOKEN, owner=True)
    music = add_synthetic_music_section(state, 250)
    state.add_account("bob", BOB_TOKEN, section_ids=[music.section_id])
    add_synthetic_music_section(state, 20, title="Other", plex_root="/srv/media/other")
    with EmulatorServer(state, knobs=Knobs(webhooks_sync=True)) as server:
        yield server


def _metadata_gets(server: EmulatorServer) -> int:
    return server.log.count("/library/metadata/", "GET")


def test_get_tracks_reads_batches(two_sections: EmulatorServer) -> None:
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as plex:
        listed = {t.rating_key: t for t in plex.iter_tracks(1)}
        keys = list(listed)
        assert len(keys) == 250
        ratings = {keys[0]: 10, keys[99]: 3, keys[100]: 7, keys[249]: 1}
        for key, rating in ratings.items():
            plex.rate(key, rating)
        two_sections.log.clear()
        got = plex.get_tracks(keys)
    assert _metadata_gets(two_sections) == len(two_sections.log) == 3
    assert [len(e.path.rsplit("/", 1)[1].split(",")) for e in two_sections.log.entries()] == [
        100,
        100,
        50,
    ]
    assert list(got) == keys
    for key, track in got.items():
        assert track.user_rating == ratings.get(key)
        assert (track.last_rated_at is not None) == (key in ratings)
        if key not in ratings:
            assert track == listed[key]  # the detail view gives the same record as the listing
    sample = got[keys[7]]
    assert sample.section_id == 1 and sample.file_paths and sample.mbid


def test_get_tracks_leaves_out_gone_and_unknown_keys(two_sections: EmulatorServer) -> None:
    state = two_sections.state
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as plex:
        tracks = list(plex.iter_tracks(1))
        keys = [t.rating_key for t in tracks]
        deleted = tracks[42]
        sources = [s for s in synthetic_tracks(250) if s.plex_path != deleted.file_paths[0]]
        state.apply_music_scan(1, sources, announce=False)
        unknown = max(state.items) + 1000
        album_key = next(k for k, item in state.items.items() if isinstance(item, Album))
        two_sections.log.clear()
        got = plex.get_tracks([*keys, unknown, album_key])
    assert set(got) == set(keys) - {deleted.rating_key}
    # 3 batches, plus about 2 * log2(batch) halvings for each batch holding a missing key
    # (29 today), where one request per key would be over 150
    assert 3 < _metadata_gets(two_sections) <= 3 + 2 * (2 * 7)


def test_get_tracks_asks_each_key_once_and_nothing_for_nothing(
    two_sections: EmulatorServer,
) -> None:
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as plex:
        keys = [t.rating_key for t in plex.iter_tracks(1)][:5]
        two_sections.log.clear()
        assert plex.get_tracks([]) == {}
        assert len(two_sections.log) == 0
        got = plex.get_tracks([keys[1], keys[0], keys[1], keys[0], keys[2]], batch_size=2)
        assert list(got) == [keys[1], keys[0], keys[2]]
        assert len(two_sections.log) == 2
        with pytest.raises(InvalidInput):
            plex.get_tracks(keys, batch_size=0)
        with pytest.raises(InvalidInput):
            plex.get_tracks(keys, batch_size=MAX_METADATA_BATCH + 1)


def test_get_tracks_sees_only_the_accounts_sections(two_sections: EmulatorServer) -> None:
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as owner:
        mine = [t.rating_key for t in owner.iter_tracks(1)]
        hidden = [t.rating_key for t in owner.iter_tracks(2)]
        assert len(owner.get_tracks([*mine[:30], *hidden])) == 50
        owner.rate(mine[3], 9)
    with PlexServerClient(two_sections.url, BOB_TOKEN, retries=0) as bob:
        bob.rate(mine[4], 2)
        got = bob.get_tracks([*mine[:30], *hidden])
    assert list(got) == mine[:30]
    assert got[mine[3]].user_rating is None and got[mine[4]].user_rating == 2


def test_get_tracks_under_a_page_cap_loses_nothing(two_sections: EmulatorServer) -> None:
    two_sections.knobs.page_cap = 30
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as plex:
        keys = [t.rating_key for t in plex.iter_tracks(1)]
        two_sections.log.clear()
        got = plex.get_tracks(keys)
    assert list(got) == keys
    assert _metadata_gets(two_sections) == 4 + 4 + 2  # 100 = 30+30+30+10, 50 = 30+20
    starts = [e.param("X-Plex-Container-Start") for e in two_sections.log.entries()]
    assert starts == ["0", "30", "60", "90"] * 2 + ["0", "30"]


def test_get_tracks_passes_other_errors_on(two_sections: EmulatorServer) -> None:
    with PlexServerClient(two_sections.url, OWNER_TOKEN, retries=0) as plex:
        keys = [t.rating_key for t in plex.iter_tracks(1)][:10]
        two_sections.knobs.add_fault(Fault(r"^/library/metadata/", status=500))
        with pytest.raises(PlexUnavailable):
            plex.get_tracks(keys)
        two_sections.knobs.clear_faults()
    with (
        PlexServerClient(two_sections.url, "not-a-token", retries=0) as stranger,
        pytest.raises(PlexUnauthorized),
    ):
        stranger.get_tracks(keys)
