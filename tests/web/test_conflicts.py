"""The conflict inbox: stars, baseline and evidence; resolve per row or in bulk, with HTMX
(the row swaps to its result) or without JavaScript (post and reload)."""

from __future__ import annotations

import re

import pytest

from app.domain.errors import InvalidInput
from app.web.conflicts import bulk_notice, parse_stars
from tests.web.conftest import FIRST, HTMX, SECOND, DashboardWorld


def open_ids(world: DashboardWorld) -> list[int]:
    items, _ = world.container.domains.review.conflicts(
        status="open", link_id=None, limit=10, offset=0
    )
    return [item.id for item in items]


@pytest.fixture
def conflicted(world: DashboardWorld) -> DashboardWorld:
    world.make_conflicts(world.linked())
    return world


def test_inbox_shows_stars_baseline_evidence_and_rows_resolve_in_place(
    conflicted: DashboardWorld,
) -> None:
    page = conflicted.client.get("/conflicts").text
    first, second = open_ids(conflicted)
    row = page.split(f'id="conflict-{first}"')[1].split("</tr>")[0]
    assert '<span class="rating">5★</span>' in row  # Plex, now
    assert '<span class="rating">1★</span>' in row  # the file, now
    assert '<td class="stars">4★</td>' in row  # what both agreed on before
    assert re.search(r"Plex 5★ <span class=\"muted\">vs</span> \S+ \S+ \(1★\)", row)
    other = page.split(f'id="conflict-{second}"')[1].split("</tr>")[0]
    assert '<span class="rating">1½★</span>' in other
    assert '<span class="rating">4½★</span>' in other
    assert "2 open" in page

    # HTMX sends the whole bulk form along; the row's own button decides.
    response = conflicted.client.post(
        f"/conflicts/{first}/resolve",
        data={"choice": "keep_b", f"stars_{second}": "2.5", "ids": str(second)},
        headers=HTMX,
    )
    assert response.status_code == 200
    swapped = response.text
    assert swapped.lstrip().startswith(f'<tr id="conflict-{first}"')
    assert "kept B" in swapped and "row-done" in swapped
    assert "it moved to" in swapped  # the row says it left the open ones
    # the inbox's open count follows at once (an out-of-band swap beside the row)
    assert re.search(r'<span id="conflicts-count"[^>]*hx-swap-oob="true">1 open</span>', swapped)
    # every star picker starts at the same value, the row's and the bulk one
    assert page.count('<option value="3.0" selected>') == 3
    assert conflicted.file_stars(FIRST) == 1.0
    assert conflicted.plex.get_track(conflicted.key(FIRST)).user_rating == 2
    assert open_ids(conflicted) == [second]

    custom = conflicted.client.post(
        f"/conflicts/{second}/resolve",
        data={"choice": "custom", f"stars_{second}": "2.5"},
        headers=HTMX,
    ).text
    assert '<span class="rating">2½★</span>' in custom
    assert conflicted.file_stars(SECOND) == 2.5
    assert conflicted.plex.get_track(conflicted.key(SECOND)).user_rating == 5

    closed = conflicted.client.post(
        f"/conflicts/{first}/resolve", data={"choice": "keep_a"}, headers=HTMX
    )
    assert closed.status_code == 200
    assert "already resolved" in closed.text
    assert "Inbox zero" in conflicted.client.get("/conflicts").text


def test_bulk_highest_resolves_every_ticked_row(conflicted: DashboardWorld) -> None:
    nothing = conflicted.client.post("/conflicts/resolve", data={"choice": "keep_a"}, headers=HTMX)
    assert "Tick the conflicts to resolve first." in nothing.text
    ids = open_ids(conflicted)
    response = conflicted.client.post(
        "/conflicts/resolve", data={"choice": "highest", "ids": ids}, headers=HTMX
    )
    assert response.status_code == 200
    fragment = response.text
    assert fragment.lstrip().startswith('<section id="conflicts"')
    assert "2 conflicts resolved." in fragment
    assert fragment.count("row-done") == 2
    assert conflicted.file_stars(FIRST) == 5.0
    assert conflicted.file_stars(SECOND) == 4.5
    assert open_ids(conflicted) == []


def test_without_javascript_forms_post_and_redirect(conflicted: DashboardWorld) -> None:
    first, second = open_ids(conflicted)
    wrong = conflicted.client.post(f"/conflicts/{first}/resolve", data={"choice": "nonsense"})
    assert wrong.status_code == 422
    assert "unknown choice" in wrong.text
    one = conflicted.client.post(
        f"/conflicts/{first}/resolve", data={"choice": "skip"}, follow_redirects=False
    )
    assert one.headers["location"] == "/conflicts?resolved=1"
    bulk = conflicted.client.post(
        "/conflicts/resolve", data={"choice": "keep_a", "ids": [second]}, follow_redirects=False
    )
    assert bulk.headers["location"] == "/conflicts?resolved=1&ticked=1"
    assert "1 conflict resolved." in conflicted.client.get(bulk.headers["location"]).text
    skipped = conflicted.client.get("/conflicts?status=skipped").text
    assert f'id="conflict-{first}"' in skipped


@pytest.mark.parametrize(
    ("text", "stars"), [("3.5", 3.5), ("0", 0.0), ("", None), (None, None), (" 5 ", 5.0)]
)
def test_parse_stars(text: str | None, stars: float | None) -> None:
    assert parse_stars(text) == stars


def test_parse_stars_refuses_words() -> None:
    with pytest.raises(InvalidInput):
        parse_stars("three")


@pytest.mark.parametrize(
    ("done", "failed", "ticked", "text"),
    [
        (1, 0, True, "1 conflict resolved."),
        (3, 1, True, "3 conflicts resolved; 1 could not be (their rows say why)."),
        (0, 0, False, "Tick the conflicts to resolve first."),
    ],
)
def test_bulk_notice(done: int, failed: int, ticked: bool, text: str) -> None:
    assert bulk_notice(done, failed, ticked=ticked) == text
