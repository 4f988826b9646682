"""The dashboard's library forms read through the kind registry: a post of a kind's fields
becomes its config and secret."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.kinds import LibraryKind
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.web.library_forms import config_of, secret_of, section_ids_of, settings_fields

KINDS = builtin_kind_registry()


@pytest.mark.parametrize(("text", "ids"), [("1", [1]), ("1, 3", [1, 3]), (" 2 ,4 ", [2, 4])])
def test_section_ids_of(text: str, ids: list[int]) -> None:
    assert section_ids_of(text) == ids


@pytest.mark.parametrize("text", ["", "one", "-1", "0", "1;2"])
def test_section_ids_of_refuses(text: str) -> None:
    with pytest.raises(InvalidInput, match="positive numbers"):
        section_ids_of(text)


@pytest.mark.parametrize(
    ("kind", "posted", "config"),
    [
        # The add form: section ids are the checked boxes; the account keeps its default.
        (
            LibraryKind.PLEX_MUSIC,
            {"base_url": " http://plex:32400 ", "section_ids": [1, 3], "account": "owner"},
            {"base_url": "http://plex:32400", "section_ids": [1, 3], "account": "owner"},
        ),
        # The settings form: section ids typed; an empty account is the owner.
        (
            LibraryKind.PLEX_MUSIC,
            {"base_url": "http://plex", "section_ids": "2, 4", "account": "  "},
            {"base_url": "http://plex", "section_ids": [2, 4], "account": "owner"},
        ),
        # An empty playlist folder is none; choices are taken as posted.
        (
            LibraryKind.MUSIC_FOLDER,
            {"root": " /srv/music ", "write_profile": "picard", "read_policy": "ask",
             "playlist_dir": ""},
            {"root": "/srv/music", "write_profile": "picard", "read_policy": "ask",
             "write_mode": None, "popm_email": None, "read_priority": None,
             "pinned_scale": None, "playlist_dir": None},
        ),
        # The tag-writing choices: as posted, text stripped.
        (
            LibraryKind.MUSIC_FOLDER,
            {"root": "/m", "write_profile": "pmrs", "read_policy": "priority",
             "write_mode": "replace_all", "popm_email": " Plex ",
             "read_priority": "windows, vorbis:rating", "pinned_scale": "percent",
             "playlist_dir": ""},
            {"root": "/m", "write_profile": "pmrs", "read_policy": "priority",
             "write_mode": "replace_all", "popm_email": "Plex",
             "read_priority": "windows, vorbis:rating", "pinned_scale": "percent",
             "playlist_dir": None},
        ),
        # Fields not posted take the form's defaults.
        (
            LibraryKind.MOVIE_FOLDER,
            {"root": "/srv/movies"},
            {"root": "/srv/movies", "layout": "auto"},
        ),
    ],
)  # fmt: skip
def test_config_of_a_post(kind: str, posted: dict[str, object], config: dict[str, object]) -> None:
    assert config_of(KINDS.entry(kind), posted) == config


@pytest.mark.parametrize(
    ("kind", "posted", "secret"),
    [
        (LibraryKind.PLEX_MUSIC, {"token": " abc "}, "abc"),
        (LibraryKind.PLEX_MUSIC, {"token": ""}, None),  # an update keeps the stored one
        (LibraryKind.MUSIC_FOLDER, {"token": "abc"}, None),  # a folder has no secret
    ],
)
def test_secret_of_a_post(kind: str, posted: dict[str, object], secret: str | None) -> None:
    assert secret_of(KINDS.entry(kind), posted) == secret


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        (LibraryKind.PLEX_MUSIC, ("base_url", "section_ids", "account", "token")),
        (
            LibraryKind.MUSIC_FOLDER,
            (
                "root",
                "write_profile",
                "read_policy",
                "write_mode",
                "popm_email",
                "read_priority",
                "pinned_scale",
                "playlist_dir",
            ),
        ),
        (LibraryKind.MOVIE_FOLDER, ("root", "layout")),
        (LibraryKind.PLEX_MOVIES, ()),  # added through the API only
    ],
)
def test_the_settings_form_posts_the_kinds_fields(kind: str, fields: tuple[str, ...]) -> None:
    assert settings_fields(KINDS.entry(kind)) == fields
