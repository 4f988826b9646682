"""What a Jellyfin server is told after a mirror run: mapped paths, or a full refresh."""

from __future__ import annotations

import pytest

from app.domain.jellyfin import JellyfinRefresh, plan_refresh
from app.domain.paths import PathMapping

MAPPINGS = [PathMapping("/media/movies", "/srv/jf"), PathMapping("D:\\Movies", "/srv/win")]


@pytest.mark.parametrize(
    ("folders", "over", "expected"),
    [
        ([], 20, None),
        (["/srv/jf/Heat (1995)"], 20, JellyfinRefresh(False, ("/media/movies/Heat (1995)",))),
        (["/srv/win/Alien"], 20, JellyfinRefresh(False, ("D:\\Movies\\Alien",))),
        (["/elsewhere/Heat"], 20, JellyfinRefresh(False, ("/elsewhere/Heat",))),
        (["/srv/jf/A", "/srv/jf/A"], 20, JellyfinRefresh(False, ("/media/movies/A",))),
        (["/srv/jf/A", "/srv/jf/B"], 1, JellyfinRefresh(True)),
        (["/srv/jf/A"], 1, JellyfinRefresh(False, ("/media/movies/A",))),
    ],
)
def test_plan_refresh(folders: list[str], over: int, expected: JellyfinRefresh | None) -> None:
    assert plan_refresh(folders, MAPPINGS, full_refresh_over=over) == expected


def test_the_body_is_jellyfins_media_update_document() -> None:
    body = JellyfinRefresh(False, ("/m/A",)).media_updated_body()
    assert body == {"Updates": [{"Path": "/m/A", "UpdateType": "Modified"}]}
