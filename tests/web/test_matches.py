"""Match review: weak matches listed, confirmed or rejected (HTMX swaps the row)."""

from __future__ import annotations

import re

from app.domain.ratings.records import NewTrackLink
from tests.web.conftest import HTMX, DashboardWorld


def weak_matches(world: DashboardWorld) -> tuple[int, list[int]]:
    link_id = world.add_link(world.add_folder(name="A"), world.add_folder(name="B"))
    ids = world.container.domains.sync_repository.add_track_links(
        link_id,
        [
            NewTrackLink(
                a_key=f"x/{n}.mp3",
                b_key=f"y/{n}.mp3",
                method="fuzzy",
                score=70.0 + n,
                status="review",
                a_label=f"Artist – Song {n} [x/{n}.mp3]",
                b_label=f"Artist – Song {n} (live) [y/{n}.mp3]",
                note="titles differ",
            )
            for n in range(2)
        ],
    )
    return link_id, ids


def test_weak_matches_are_listed_then_confirmed_or_rejected(world: DashboardWorld) -> None:
    link_id, ids = weak_matches(world)
    page = world.client.get("/matches").text
    for match_id in ids:
        assert f'id="match-{match_id}"' in page
    assert 'Artist – Song 1 (live) <span class="sub">y/1.mp3</span>' in page
    assert "titles differ" in page
    assert "2 to review" in page
    assert f'<a href="/links/{link_id}">{link_id}</a>' in page
    overview = world.client.get(f"/links/{link_id}").text
    assert "2 to review" in overview

    first, second = ids
    confirmed = world.client.post(f"/matches/{first}", data={"decision": "confirm"}, headers=HTMX)
    assert confirmed.text.lstrip().startswith(f'<tr id="match-{first}"')
    assert ">confirmed</span>" in confirmed.text
    # the count still to review follows at once (an out-of-band swap beside the row)
    assert re.search(
        r'<span id="matches-count"[^>]*hx-swap-oob="true">1 to review</span>', confirmed.text
    )
    rejected = world.client.post(
        f"/matches/{second}", data={"decision": "reject"}, follow_redirects=False
    )
    assert rejected.headers["location"] == "/matches?decided=rejected"
    repository = world.container.domains.sync_repository
    assert [repository.track_link(i).status for i in (first, second)] == ["confirmed", "rejected"]
    assert "Nothing to review" in world.client.get("/matches").text
    assert f'id="match-{first}"' in world.client.get("/matches?status=confirmed").text
    assert world.client.post(f"/matches/{first}", data={"decision": "maybe"}).status_code == 422
    assert world.client.post("/matches/999", data={"decision": "confirm"}).status_code == 404
