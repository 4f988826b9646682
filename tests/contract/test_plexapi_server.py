"""The unmodified plexapi client against the emulator: connecting, accounts, sections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from plexapi.exceptions import BadRequest, NotFound, Unauthorized
from plexapi.server import PlexServer

from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import BOB_TOKEN, OWNER_TOKEN, running_emulator


def test_connect_reads_identity(plex: PlexServer, emulator: EmulatorServer) -> None:
    assert plex.machineIdentifier == emulator.state.machine_identifier
    assert plex.version
    assert plex.friendlyName == "Emulated PMS"
    assert plex.identity().machineIdentifier == emulator.state.machine_identifier


def test_a_bad_token_is_unauthorized(emulator: EmulatorServer) -> None:
    with pytest.raises(Unauthorized) as caught:
        PlexServer(emulator.url, "not-a-token")
    assert isinstance(caught.value, BadRequest)
    assert "401" in str(caught.value)


def test_sections_with_locations(plex: PlexServer, audio_library: Path) -> None:
    (music,) = plex.library.sections()
    assert music.type == "artist"
    assert music.TYPE == "artist"
    assert music.locations == [str(audio_library)]
    assert plex.library.section("Music").key == music.key
    with pytest.raises(NotFound):
        plex.library.section("Nope")


@pytest.fixture
def two_sections(audio_library: Path, tmp_path: Path) -> Iterator[EmulatorServer]:
    movies = tmp_path / "movies" / "Blade Runner (1982)"
    movies.mkdir(parents=True)
    (movies / "Blade Runner (1982) {edition-Final Cut} {imdb-tt0083658}.mkv").write_bytes(b"x" * 10)
    (movies / "Blade Runner (1982).mkv").write_bytes(b"y" * 20)
    with running_emulator(
        music=[Folder(str(audio_library))], movies=[Folder(str(tmp_path / "movies"))]
    ) as server:
        yield server


def test_shared_user_falls_back_and_sees_only_shared_sections(
    two_sections: EmulatorServer,
) -> None:
    music = next(s for s in two_sections.state.sections.values() if s.kind == "artist")
    two_sections.state.share("bob", [music.section_id])
    two_sections.log.clear()
    bob = PlexServer(two_sections.url, BOB_TOKEN)
    assert [s.title for s in bob.library.sections()] == ["Music"]
    calls = [(e.path, e.status) for e in two_sections.log.entries()]
    assert calls == [
        ("/", 200),
        ("/library", 401),
        ("/library/sections/", 200),
        ("/library/sections", 200),
    ]
    owner = PlexServer(two_sections.url, OWNER_TOKEN)
    assert sorted(s.title for s in owner.library.sections()) == ["Movies", "Music"]


def test_movie_section_editions_and_versions(two_sections: EmulatorServer) -> None:
    plex = PlexServer(two_sections.url, OWNER_TOKEN)
    movies = plex.library.section("Movies")
    found = sorted(movies.searchMovies(), key=lambda m: m.editionTitle or "")
    assert [(m.title, m.year, m.editionTitle) for m in found] == [
        ("Blade Runner", 1982, None),
        ("Blade Runner", 1982, "Final Cut"),
    ]
    final_cut = found[1]
    assert final_cut.locations[0].endswith("{edition-Final Cut} {imdb-tt0083658}.mkv")
    assert [g.id for g in final_cut.guids] == ["imdb://tt0083658"]
    assert final_cut.media[0].parts[0].size == 10


def test_accounts_are_for_the_owner(plex: PlexServer, emulator: EmulatorServer) -> None:
    accounts = plex.systemAccounts()
    assert {(a.id, a.name) for a in accounts} == {(1, "owner"), (1000, "bob")}
    bob = PlexServer(emulator.url, BOB_TOKEN)
    with pytest.raises(BadRequest):
        bob.systemAccounts()


def test_unknown_endpoints_are_not_found(plex: PlexServer) -> None:
    with pytest.raises(NotFound):
        plex.query("/hubs/search?query=x")


class _PlexTvToEmulator(requests.adapters.HTTPAdapter):
    def __init__(self, emulator_url: str) -> None:
        super().__init__()
        self.emulator_url = emulator_url

    def send(self, request, *args, **kwargs):  # the signature of HTTPAdapter.send
        assert request.url is not None
        request.url = request.url.replace("https://plex.tv", self.emulator_url + "/__plextv", 1)
        return super().send(request, *args, **kwargs)


def test_switch_user_through_emulated_plex_tv(emulator: EmulatorServer) -> None:
    session = requests.Session()
    session.mount("https://plex.tv", _PlexTvToEmulator(emulator.url))
    with session:
        plex = PlexServer(emulator.url, OWNER_TOKEN, session=session)
        bob = plex.switchUser("bob")
        track = bob.library.section("Music").searchTracks()[0]
        track.rate(6)
        assert bob.fetchItem(track.ratingKey).userRating == 6.0
        assert plex.fetchItem(track.ratingKey).userRating is None
