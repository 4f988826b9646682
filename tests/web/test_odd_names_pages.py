"""Names that are not valid UTF-8 in stored matches and conflicts: the dashboard and the API
show them in their display form (``Caf\\xe9``) instead of failing to encode the response."""

from __future__ import annotations

import os

from app.domain.ratings.records import NewConflict, NewTrackLink
from tests.web.conftest import DashboardWorld

ODD = os.fsdecode(b"Caf\xe9/09 Caf\xe9.flac")


def odd_match(world: DashboardWorld) -> tuple[int, int]:
    link_id = world.add_link(world.add_folder(name="A"), world.add_folder(name="B"))
    repository = world.container.domains.sync_repository
    (match_id,) = repository.add_track_links(
        link_id,
        [
            NewTrackLink(
                a_key=ODD,
                b_key="Cafe/09 Cafe.flac",
                method="fuzzy",
                score=75.0,
                status="review",
                a_label=f"Artist – Café [{ODD}]",
                b_label="Artist – Café [Cafe/09 Cafe.flac]",
                note=f"from {ODD}",
            )
        ],
    )
    repository.record_conflicts(
        link_id=link_id,
        job_id=None,
        conflicts=[
            NewConflict(
                track_link_id=match_id,
                value_a=4,
                value_b=8,
                baseline_known=False,
                baseline_rating=None,
                evidence={"a": ODD},
            )
        ],
    )
    return link_id, match_id


def test_pages_show_odd_names_in_display_form(world: DashboardWorld) -> None:
    odd_match(world)
    for page in ("/matches", "/conflicts"):
        response = world.client.get(page)
        assert response.status_code == 200, page
        assert "Caf\\xe9/09 Caf\\xe9.flac" in response.text, page


def test_the_api_shows_odd_names_in_display_form(world: DashboardWorld) -> None:
    odd_match(world)
    for path in ("/api/v1/matches?status=review", "/api/v1/conflicts"):
        response = world.client.get(path)
        assert response.status_code == 200, path
        response.content.decode("utf-8")
        assert "Caf\\\\xe9/09 Caf\\\\xe9.flac" in response.text, path


def test_a_library_named_after_an_odd_folder_is_listed(world: DashboardWorld) -> None:
    root = os.fsdecode(b"/srv/Caf\xe9 music")
    libraries = world.container.domains.libraries.repository
    library = libraries.add_library(
        kind="music_folder", name=f"Folder {root}", config={"root": root}, secret=None
    )
    response = world.client.get("/api/v1/libraries")
    assert response.status_code == 200
    (listed,) = [item for item in response.json()["items"] if item["id"] == library.id]
    assert listed["name"] == "Folder /srv/Caf\\xe9 music"
    assert listed["config"]["root"] == "/srv/Caf\\xe9 music"
    page = world.client.get("/libraries")
    assert page.status_code == 200
    assert "Folder /srv/Caf\\xe9 music" in page.text
