"""Read policy ``ask``: a file whose own rating tags disagree opens a conflict in the inbox
(both tags' dialects and values as evidence), resolved like any other conflict; this is
plex-music-rating-sync's ``choice`` strategy, answered in the inbox instead of a prompt."""

from __future__ import annotations

import mutagen.id3
import pytest

from app.cli.job_runs import local_container
from app.domain.errors import InvalidInput
from tests.cli.ratings_cli_support import CAFE, World, emulator, env, music, world

__all__ = ["emulator", "env", "music", "world"]  # fixtures
pytestmark = pytest.mark.usefixtures("env")


def _disagreeing_frames(world: World) -> None:
    tags = mutagen.id3.ID3(world.music / CAFE)
    tags.add(mutagen.id3.POPM(email="MusicBee", rating=64, count=3))  # 2★
    tags.add(mutagen.id3.POPM(email="Windows Media Player 9 Series", rating=196, count=0))  # 4★
    tags.save()


@pytest.mark.parametrize(("choice", "half_stars"), [("highest", 8), ("lowest", 4)])
def test_an_in_file_disagreement_under_ask_is_a_conflict_resolved_in_the_inbox(
    world: World, choice: str, half_stars: int
) -> None:
    world.set({CAFE: (6, None)})
    _disagreeing_frames(world)

    preview = world.run("sync", "--read-policy", "ask", "--dry-run")
    assert preview["counters"]["conflicts"] == 1
    [event] = preview["events"]
    assert event["action"] == "conflict"
    assert event["after"] == "B popm:musicbee 64 (2★), popm:windows 196 (4★)"
    real = world.run("sync", "--read-policy", "ask")
    assert real["counters"]["conflicts"] == 1
    assert world.state()[CAFE][0] == 6, "nothing written for the conflicted pair"

    with local_container() as container:
        conflicts, total = container.domains.review.conflicts(
            status="open", link_id=None, limit=10, offset=0
        )
        assert total == 1, "only the real run opened one"
        conflict = conflicts[0]
        assert conflict.evidence["in_file"] == ["b"]
        assert conflict.evidence["b_choices"] == [4, 8]
        assert "popm:musicbee 64" in conflict.evidence["b"]
        assert "popm:windows 196" in conflict.evidence["b"]
        assert "disagree (read policy ask)" in conflict.evidence["reason"]

        # a second run refreshes the same open conflict instead of adding one
        world.run_raw("sync", "--read-policy", "ask")
        assert (
            container.domains.review.conflicts(status="open", link_id=None, limit=10, offset=0)[1]
            == 1
        )

        with pytest.raises(InvalidInput, match="no one value to keep"):
            container.domains.review.resolve(conflict.id, choice="keep_b")
        resolved = container.domains.review.resolve(conflict.id, choice=choice)
        assert resolved.status == "resolved"

    assert world.state()[CAFE] == (half_stars, half_stars)
    frames = {f.email: f for f in mutagen.id3.ID3(world.music / CAFE).getall("POPM")}
    assert {email: f.rating for email, f in frames.items()} == {
        "MusicBee": (64 if half_stars == 4 else 196),
        "Windows Media Player 9 Series": (64 if half_stars == 4 else 196),
    }
    assert frames["MusicBee"].count == 3, "the play counter is kept"

    # resolved: the next run is clean
    after = world.run("sync")
    assert after["counters"].get("conflicts", 0) == 0
    assert after["counters"].get("written_a", 0) == after["counters"].get("written_b", 0) == 0


def test_keeping_plex_resolves_an_in_file_conflict(world: World) -> None:
    world.set({CAFE: (10, None)})
    _disagreeing_frames(world)
    world.run_raw("sync", "--read-policy", "ask")
    with local_container() as container:
        conflict = container.domains.review.conflicts(
            status="open", link_id=None, limit=10, offset=0
        )[0][0]
        container.domains.review.resolve(conflict.id, choice="keep_a")
    assert world.state()[CAFE] == (10, 10)
