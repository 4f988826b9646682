"""Ad hoc links from the command line: several Plex sections in one library (``--section``
repeatable), found by title or id, in the order given."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.bootstrap import build_domains
from app.domain.errors import InvalidInput
from app.services.libraries.adhoc import AdhocLinks
from app.settings import load_settings
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library


@pytest.fixture
def emulator(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorServer]:
    music = write_library(tmp_path / "music", tmp_path_factory)
    with running_emulator(music=[Folder(str(music))], synthetic_tracks=3) as server:
        yield server


@pytest.fixture
def adhoc(tmp_path: Path) -> AdhocLinks:
    settings = load_settings(data_dir=tmp_path / "data", database_url=None)
    engine = create_db_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    return build_domains(settings, create_session_factory(engine)).adhoc


def test_several_sections_by_title_or_id_once_each(
    emulator: EmulatorServer, adhoc: AdhocLinks
) -> None:
    music, synthetic = adhoc.section_ids(emulator.url, OWNER_TOKEN, ["music", "Synthetic Music"])
    assert music != synthetic
    assert adhoc.section_ids(emulator.url, OWNER_TOKEN, [str(synthetic), "MUSIC", "Music"]) == [
        synthetic,
        music,
    ]
    assert adhoc.section_id(emulator.url, OWNER_TOKEN, "Music") == music


def test_an_unknown_section_names_the_ones_there(
    emulator: EmulatorServer, adhoc: AdhocLinks
) -> None:
    with pytest.raises(InvalidInput, match=r"no music section 'Jazz'.*'Music', 'Synthetic Music'"):
        adhoc.section_ids(emulator.url, OWNER_TOKEN, ["Music", "Jazz"])
    with pytest.raises(InvalidInput, match="at least one"):
        adhoc.section_ids(emulator.url, OWNER_TOKEN, [])


def test_a_ratings_link_over_two_sections_is_one_plex_library(
    emulator: EmulatorServer, adhoc: AdhocLinks, tmp_path: Path
) -> None:
    link = adhoc.ratings_link(
        plex_url=emulator.url,
        token=OWNER_TOKEN,
        section=["Music", "Synthetic Music"],
        music_dir=str(tmp_path / "music"),
    )
    again = adhoc.ratings_link(
        plex_url=emulator.url,
        token=OWNER_TOKEN,
        section=["Music", "Synthetic Music"],
        music_dir=str(tmp_path / "music"),
    )
    assert again.id == link.id  # the same sections again: the same library and link
    single = adhoc.ratings_link(
        plex_url=emulator.url, token=OWNER_TOKEN, section="Music", music_dir=str(tmp_path / "music")
    )
    assert single.library_a_id != link.library_a_id
