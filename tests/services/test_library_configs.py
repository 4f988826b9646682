"""A music folder's tag choices in its config: the write profile (preset, mode, POPM email)
and the read policy (kind, priority list), as the folder side gets them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.domain.ratings.dialects import Family
from app.domain.ratings.resolution import ReadPolicyKind
from app.services.libraries.configs import MusicFolderConfig


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (
            "musicbee, WINDOWSMEDIAPLAYER ,vorbis:rating",
            "popm:musicbee, popm:windows, vorbis:rating",
        ),
        (["popm:windows", "txxx:rating"], "popm:windows, txxx:rating"),  # the importers' lists
        ("", None),
        ([], None),
        (None, None),
    ],
)
def test_read_priority_is_stored_as_dialect_ids(given: Any, stored: str | None) -> None:
    assert MusicFolderConfig(root="/m", read_priority=given).read_priority == stored


@pytest.mark.parametrize("given", ["musicbee, bogus", 3, ["ok", 4]])
def test_a_bad_read_priority_is_refused(given: Any) -> None:
    with pytest.raises(ValidationError):
        MusicFolderConfig(root="/m", read_priority=given)


def test_profile_and_read_policy_from_the_config() -> None:
    config = MusicFolderConfig(
        root="/m",
        write_profile="foobar2000",
        write_mode="replace_all",
        popm_email=" Plex ",
        read_policy="ask",
        read_priority="winamp",
    )
    profile = config.profile()
    assert profile.defaults(Family.ID3) == ("popm:plex", "txxx:rating")
    assert profile.mode == "replace_all"
    policy = config.read()
    assert policy.kind is ReadPolicyKind.ASK
    assert policy.priority[:3] == ("popm:winamp", "popm:plex", "txxx:rating")


def test_a_bad_popm_email_is_refused() -> None:
    with pytest.raises(ValidationError, match="POPM email"):
        MusicFolderConfig(root="/m", popm_email="a\nb")
