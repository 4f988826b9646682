"""Playlists pages: the links overview, a preview as a plan per playlist (added, removed, moved,
unmatched), a real run, and a conflict shown as a diff of entries and settled from the page."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import FIRST, HTMX, SECOND, DashboardWorld, location_id

OOPS = "Various Artists/Hits/03 Oops.opus"


def playlists_link(world: DashboardWorld, lists: Path) -> int:
    catalog = world.container.domains.libraries
    plex = catalog.add_library(
        kind="plex_music",
        name="Plex",
        config={"base_url": world.emulator.url, "section_ids": [world.section_id]},
        secret=world.emulator.owner_token,
        path_mappings=[f"/data/music={world.music}"],
    )
    folder = catalog.add_library(
        kind="music_folder",
        name="Files",
        config={"root": str(world.music), "playlist_dir": str(lists)},
    )
    return catalog.add_link(kind="playlists", library_a_id=plex.id, library_b_id=folder.id).id


def start(client: TestClient, link_id: int, **form: str) -> int:
    response = client.post(f"/playlists/links/{link_id}/run", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return location_id(response, r"/playlists/jobs/(\d+)")


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "lists"
    folder.mkdir()
    return folder


def test_preview_shows_the_plan_per_playlist_and_writes_nothing(
    world: DashboardWorld, lists: Path
) -> None:
    link_id = playlists_link(world, lists)
    world.plex.create_playlist("Road Trip", world.section_id, [world.key(FIRST), world.key(OOPS)])
    (lists / "Radio.m3u8").write_text("../music/Artist/Album/02 Café & Crema.mp3\nhttp://radio/x\n")
    before = (lists / "Radio.m3u8").read_bytes()

    overview = world.client.get("/playlists").text
    assert "Plex ⇄ Files" in overview and "Preview" in overview

    job_id = start(world.client, link_id, dry_run="true")
    job = world.wait_job(job_id)
    page = world.client.get(f"/playlists/jobs/{job_id}").text

    assert job.dry_run and job.status.value == "succeeded"
    assert "Nothing has been written" in page
    assert "<h2>Road Trip</h2>" in page and "<h2>Radio</h2>" in page
    assert "1. Artist – First" in page and "2. Track Artist – Oops" in page
    assert "Unmatched entries" in page and "http://radio/x" in page
    assert "as Road Trip.m3u8" in page
    assert sorted(p.name for p in lists.iterdir()) == ["Radio.m3u8"]
    assert (lists / "Radio.m3u8").read_bytes() == before

    partial = world.client.get(f"/playlists/jobs/{job_id}/partials/plan", headers=HTMX)
    assert partial.text.lstrip().startswith('<section id="playlists-plan"')

    # the preview leads on: its plan in a sentence, and the real run one click away
    assert "Planned: 1 playlist created in Plex, 1 playlist created in Files." in page
    real = world.client.post(
        f"/playlists/links/{link_id}/run", data={"dry_run": "false"}, follow_redirects=False
    )
    assert f'action="/playlists/links/{link_id}/run"' in page and "Run it for real" in page
    done = world.wait_job(location_id(real, r"/playlists/jobs/(\d+)"))
    assert not done.dry_run and done.counters["created_b"] == 1
    ran = world.client.get(f"/playlists/jobs/{done.id}").text
    assert "1 playlist created in Files" in ran and "Run it for real" not in ran


def test_a_run_then_a_conflict_settled_from_its_diff(world: DashboardWorld, lists: Path) -> None:
    link_id = playlists_link(world, lists)
    playlist = world.plex.create_playlist(
        "Road Trip", world.section_id, [world.key(FIRST), world.key(SECOND)]
    )
    job = world.wait_job(start(world.client, link_id, dry_run="false"))
    assert job.counters["created_b"] == 1, job.error
    overview = world.client.get("/playlists").text
    assert "Road Trip.m3u8" in overview

    world.plex.replace_playlist_items(playlist.playlist_id, [world.key(SECOND)])
    (lists / "Road Trip.m3u8").write_text("../music/Various Artists/Hits/03 Oops.opus\n")
    assert world.wait_job(start(world.client, link_id, dry_run="false")).counters["conflicts"] == 1

    listing = world.client.get("/playlists/conflicts").text
    assert "Road Trip" in listing
    [conflict], _ = world.container.domains.playlists.review.conflicts()
    page = world.client.get(f"/playlists/conflicts/{conflict.id}").text
    assert "only A" in page and "only B" in page
    assert "Artist – Café &amp; Crema" in page and "Track Artist – Oops" in page

    resolved = world.client.post(
        f"/playlists/conflicts/{conflict.id}/resolve",
        data={"choice": "keep_b"},
        follow_redirects=False,
    )
    assert resolved.status_code == 303
    job = world.wait_job(location_id(resolved, r"/playlists/jobs/(\d+)"))
    assert job.counters["updated_a"] == 1
    items = world.plex.playlist_items(playlist.playlist_id)
    assert [item.track.rating_key for item in items] == [world.key(OOPS)]
    assert "No open playlist conflicts" in world.client.get("/playlists/conflicts").text


def test_bad_requests_are_refused(world: DashboardWorld, lists: Path) -> None:
    link_id = playlists_link(world, lists)
    bad_mode = world.client.post(
        f"/playlists/links/{link_id}/run",
        data={"mode": "shuffle", "dry_run": "true"},
        follow_redirects=False,
    )
    assert bad_mode.status_code == 422
    jobs_before = world.container.jobs.counts()
    empty = world.client.post(f"/playlists/links/{link_id}/run", data={}, follow_redirects=False)
    assert empty.status_code == 422  # never a real run by default
    assert "dry_run" in empty.text
    assert world.container.jobs.counts() == jobs_before
    assert world.client.get("/playlists/conflicts/999").status_code == 404
    assert world.client.get("/playlists/jobs/999").status_code == 404
