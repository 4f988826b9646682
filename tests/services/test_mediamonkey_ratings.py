"""MediaMonkey ⇄ music folder and MediaMonkey ⇄ Plex (the emulator), through the real job path,
on the MM4- and the MM5-shaped database: ratings both ways (half stars included), a dry run
that leaves the database byte-identical, a second run that writes nothing, an undo that
restores the database, a backup and a clean integrity_check after every writing run, and a
locked database or an unknown schema that stops the run before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from mutagen.id3 import ID3

from app.adapters.plex import PlexServerClient
from app.bootstrap import Container
from app.domain.jobs import JobStatus
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind
from app.services.mediamonkey.kind import FileTags
from plex_emulator.builder import Folder
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library
from tests.fixtures.mediamonkey import build_mm_db, connect_as_mediamonkey, hold_lock
from tests.services.mediamonkey_support import (
    CA_VA,
    CAFE,
    FIRST,
    OOPS,
    PROFILE,
    ZWEITE,
    add_mediamonkey,
    backups_of,
    digest,
    file_stars,
    integrity,
    mm_ratings,
    rate_file,
    wait,
)


@pytest.fixture(params=[4, 5], ids=["mm4", "mm5"])
def mm_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    name = "MM5.DB" if request.param == 5 else "MM.DB"
    (tmp_path / "mm").mkdir()
    return build_mm_db(tmp_path / "mm" / name, version=request.param)


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


def folder_link(container: Container, mm_db: Path, music: Path, **kw: FileTags) -> int:
    catalog = container.domains.libraries
    mm = add_mediamonkey(container, mm_db, music, **kw)
    folder = catalog.add_library(
        kind=LibraryKind.MUSIC_FOLDER,
        name="Music",
        config={"root": str(music), "write_profile": PROFILE},
    )
    link = catalog.add_link(
        kind=LinkKind.RATINGS, library_a_id=mm.id, library_b_id=folder.id, policy="ask"
    )
    return link.id


def test_mediamonkey_and_a_music_folder_sync_both_ways_and_undo(
    container: Container, mm_db: Path, music: Path
) -> None:
    rate_file(music / FIRST, 8)  # 4★ in the file only; MediaMonkey has -1 (unrated)
    link_id = folder_link(container, mm_db, music)
    before = digest(mm_db)

    dry = wait(container, container.link_runs.run(link_id, dry_run=True))
    assert dry.status is JobStatus.SUCCEEDED, dry.error
    assert digest(mm_db) == before  # byte-identical, and nothing made beside it
    assert sorted(p.name for p in mm_db.parent.iterdir()) == [mm_db.name]
    assert file_stars(music / CA_VA) is None

    job = wait(container, container.link_runs.run(link_id))
    assert job.status is JobStatus.SUCCEEDED, job.error
    ratings = mm_ratings(mm_db)
    assert ratings["First"] == 80  # file → MediaMonkey
    assert (ratings["Café & Crema"], file_stars(music / CAFE)) == (0, None)  # 0 stays 0
    assert file_stars(music / ZWEITE) == 1  # ½★ → file
    assert file_stars(music / CA_VA) == 10  # 5★ → file
    assert file_stars(music / OOPS) == 7  # 3½★ on the UNC share → file
    assert ratings["Gone"] == 60  # a song without a file stays as it was
    assert len(backups_of(mm_db)) == 1 and integrity(mm_db) == "ok"

    written = digest(mm_db)
    again = wait(container, container.link_runs.run(link_id))
    assert again.status is JobStatus.SUCCEEDED, again.error
    assert digest(mm_db) == written and len(backups_of(mm_db)) == 1  # nothing to write

    undo = wait(container, container.link_runs.undo(job.id))
    assert undo.status is JobStatus.SUCCEEDED, undo.error
    assert mm_ratings(mm_db)["First"] == -1  # MediaMonkey's own "unrated" again
    assert file_stars(music / ZWEITE) is None and file_stars(music / FIRST) == 8
    assert len(backups_of(mm_db)) == 2 and integrity(mm_db) == "ok"


def test_half_stars_set_in_a_file_reach_mediamonkey(
    container: Container, mm_db: Path, music: Path
) -> None:
    link_id = folder_link(container, mm_db, music)
    assert wait(container, container.link_runs.run(link_id)).status is JobStatus.SUCCEEDED
    rate_file(music / OOPS, 5)  # 2½★ now, in the file
    job = wait(container, container.link_runs.run(link_id))
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert mm_ratings(mm_db)["Oops"] == 50


def test_crossfade_can_also_write_mediamonkeys_popm_frame(
    container: Container, mm_db: Path, music: Path
) -> None:
    rate_file(music / CAFE, 6)
    link_id = folder_link(container, mm_db, music, file_tags=FileTags.CROSSFADE)
    assert wait(container, container.link_runs.run(link_id)).status is JobStatus.SUCCEEDED
    assert mm_ratings(mm_db)["Café & Crema"] == 60
    frames = ID3(music / CAFE).getall("POPM")
    assert any(f.email == "no@email" and f.rating > 0 for f in frames)


def test_mediamonkey_and_plex_sync_both_ways(
    container: Container, mm_db: Path, music: Path
) -> None:
    with running_emulator(music=[Folder(str(music))]) as emulator:
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            section = next(s for s in owner.list_sections() if s.is_music)
            keys = {t.title: t.rating_key for t in owner.iter_tracks(section.section_id)}
            owner.rate(keys["First"], 3)  # 1½★ in Plex only
        catalog = container.domains.libraries
        plex = catalog.add_library(
            kind=LibraryKind.PLEX_MUSIC,
            name="Plex",
            config={"base_url": emulator.url, "section_ids": [section.section_id]},
            secret=OWNER_TOKEN,
        )
        mm = add_mediamonkey(container, mm_db, music)
        link = catalog.add_link(
            kind=LinkKind.RATINGS, library_a_id=plex.id, library_b_id=mm.id, policy="ask"
        )
        job = wait(container, container.link_runs.run(link.id))
        assert job.status is JobStatus.SUCCEEDED, job.error
        assert mm_ratings(mm_db)["First"] == 30
        with PlexServerClient(emulator.url, OWNER_TOKEN) as owner:
            assert owner.get_track(keys['Zweite "Seite"']).user_rating == 1
            assert owner.get_track(keys["Oops"]).user_rating == 7
        written = digest(mm_db)
        again = wait(container, container.link_runs.run(link.id))
        assert again.status is JobStatus.SUCCEEDED, again.error
        assert digest(mm_db) == written
        assert integrity(mm_db) == "ok" and len(backups_of(mm_db)) == 1


def test_a_locked_database_stops_the_run_before_any_write(
    container: Container, mm_db: Path, music: Path
) -> None:
    rate_file(music / FIRST, 8)
    link_id = folder_link(container, mm_db, music)
    before, file_before = digest(mm_db), digest(music / CA_VA)
    with hold_lock(mm_db):
        job = wait(container, container.link_runs.run(link_id))
    assert job.status is JobStatus.FAILED
    assert "locked by another program" in (job.error or "")
    assert "close MediaMonkey" in (job.error or "")
    assert digest(mm_db) == before and digest(music / CA_VA) == file_before
    assert backups_of(mm_db) == []


def test_an_unknown_trigger_stops_the_run_before_any_write(
    container: Container, mm_db: Path, music: Path
) -> None:
    con = connect_as_mediamonkey(mm_db)
    con.execute("CREATE TABLE Audit (x); CREATE TRIGGER AuditRating AFTER UPDATE ON Songs "
                "BEGIN INSERT INTO Audit VALUES (old.ID); END;")  # fmt: skip
    con.close()
    link_id = folder_link(container, mm_db, music)
    before, file_before = digest(mm_db), digest(music / CA_VA)
    job = wait(container, container.link_runs.run(link_id))
    assert job.status is JobStatus.FAILED
    assert "AuditRating" in (job.error or "") and "inspect" in (job.error or "")
    assert digest(mm_db) == before and digest(music / CA_VA) == file_before
