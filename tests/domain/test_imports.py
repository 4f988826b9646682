"""Reading PMRS's config.yml and plex-music-rating-sync's config.ini into import plans."""

from __future__ import annotations

import pytest

from app.domain.errors import InvalidInput
from app.domain.imports.plan import SystemKind
from app.domain.imports.pmrs import overridden, parse_pmrs
from app.domain.imports.pmrs_s import parse_pmrs_s, read_ini, split_list
from app.domain.links import Direction, LinkKind, Mode

PMRS = {"plex": {"url": "http://plex:32400/", "token": "t0k", "libraries": ["Music"]}}


def test_pmrs_plan_is_plex_and_files_two_way_with_pmrs_popm() -> None:
    plan = parse_pmrs(PMRS, {}, music_dir="/music")
    assert plan.plex is not None and plan.folder is not None
    assert (plan.plex.base_url, plan.plex.token, plan.plex.section_titles) == (
        "http://plex:32400",
        "t0k",
        ("Music",),
    )
    assert (plan.folder.root, plan.folder.write_profile) == ("/music", "pmrs")
    assert (plan.side_a, plan.side_b, plan.direction, plan.mode) == (
        SystemKind.PLEX,
        SystemKind.FILESYSTEM,
        Direction.BOTH,
        Mode.SYNC,
    )
    assert plan.link_kinds == (LinkKind.RATINGS,)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, {"url": "http://plex:32400/", "token": "t0k", "libraries": ["Music"]}),
        (
            {"PMRS_PLEX_TOKEN": "  "},
            {"url": "http://plex:32400/", "token": "t0k", "libraries": ["Music"]},
        ),
        (
            {"PMRS_PLEX_URL": "https://other", "PMRS_PLEX_LIBRARIES": "A, B ,,"},
            {"url": "https://other", "token": "t0k", "libraries": ["A", "B"]},
        ),
    ],
)
def test_pmrs_environment_overrides_as_pmrs_does(
    environ: dict[str, str], expected: dict[str, object]
) -> None:
    assert overridden(PMRS, environ) == expected


def test_pmrs_environment_alone_is_enough() -> None:
    plan = parse_pmrs(
        None,
        {"PMRS_PLEX_URL": "http://h:1", "PMRS_PLEX_TOKEN": "x", "PMRS_PLEX_LIBRARIES": "Music"},
    )
    assert plan.plex is not None and plan.plex.base_url == "http://h:1"
    assert any("environment" in note for note in plan.kept)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "plex.url is missing"),
        ({"plex": {"url": "plex:32400", "token": "t", "libraries": ["M"]}}, "must start with http"),
        ({"plex": {"url": "http://h", "libraries": ["M"]}}, "plex.token is missing"),
        ({"plex": {"url": "http://h", "token": "t"}}, "plex.libraries must be a list"),
        ({"plex": {"url": "http://h", "token": "t", "libraries": "Music"}}, "must be a list"),
        ({"plex": {"url": "http://h", "token": "t", "libraries": [""]}}, "must be a list"),
        ({"plex": {"url": "http://h", "token": 5, "libraries": ["M"]}}, "plex.token"),
    ],
)
def test_pmrs_each_missing_or_invalid_key_is_named(document: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_pmrs(document, {})


INI = """
[main]
source = filesystem      #Source player
destination = plex       #Destination player
sync = [tracks, playlists]
log = INFO
cache-mode = metadata

[plex]
server = http://plex:32400
username = me
token = abc   # the token
passwd = hunter2

[filesystem]
path = /music
playlist-path = /music/playlists
tag-write-strategy = write_default
default-tag = WINAMP
conflict-resolution-strategy = choice
tag-priority-order = [MUSICBEE, WINDOWSMEDIAPLAYER, TEXT]
"""


def test_pmrs_s_ini_becomes_one_way_links_with_tag_choices() -> None:
    plan = parse_pmrs_s(INI)
    assert plan.plex is not None and plan.folder is not None
    assert plan.plex.base_url == "http://plex:32400" and plan.plex.token == "abc"
    assert plan.link_kinds == (LinkKind.RATINGS, LinkKind.PLAYLISTS)
    # files are the source: Plex is A, files B, only A is written, the next run imports
    assert (plan.side_a, plan.side_b) == (SystemKind.PLEX, SystemKind.FILESYSTEM)
    assert (plan.direction, plan.mode) == (Direction.B_TO_A, Mode.IMPORT)
    folder = plan.folder
    assert (folder.root, folder.playlist_dir) == ("/music", "/music/playlists")
    assert (folder.write_profile, folder.write_mode, folder.read_policy) == (
        "winamp",
        "default_only",
        "ask",
    )
    assert folder.read_priority == ("popm:musicbee", "popm:windows", "txxx:rating")
    assert any("passwd" in note for note in plan.dropped)
    assert any("cache-mode" in note for note in plan.dropped)


def test_pmrs_s_plex_to_files_exports() -> None:
    text = (
        "[main]\nsource = plex\ndestination = filesystem\n"
        "[plex]\ntoken = t\n[filesystem]\npath = /m\n"
    )
    plan = parse_pmrs_s(text, plex_url="http://h:32400")
    assert (plan.direction, plan.mode) == (Direction.A_TO_B, Mode.EXPORT)
    assert plan.link_kinds == (LinkKind.RATINGS,)


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("[main\n", {}, "not a valid INI"),
        ("[main]\nsource = itunes\n", {}, r"\[main\] source = 'itunes'; use one of"),
        ("[main]\nsource = plex\ndestination = plex\n", {}, "both plex"),
        ("[main]\nsource = plex\ndestination = filesystem\n[plex]\n", {}, "token is missing"),
        (
            "[main]\nsource = plex\ndestination = filesystem\n[plex]\ntoken = t\nserver = Den\n",
            {},
            "--plex-url",
        ),
        (
            "[main]\nsource = plex\ndestination = filesystem\n[plex]\ntoken = t\n",
            {"plex_url": "http://h"},
            r"\[filesystem\] path is missing",
        ),
        ("[main]\nsync = tracks albums\n[plex]\ntoken=t\n", {"plex_url": "http://h"}, "sync"),
        ("[main]\n[plex]\ntoken = t\n", {"plex_url": "http://h"}, "--mediamonkey-db"),
        (
            "[main]\nsource=filesystem\ndestination=plex\n[plex]\ntoken=t\n"
            "[filesystem]\npath=/m\ndefault-tag=itunes\n",
            {"plex_url": "http://h"},
            "default-tag",
        ),
    ],
)
def test_pmrs_s_each_missing_or_invalid_key_is_named(
    text: str, options: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_pmrs_s(text, **options)


def test_pmrs_s_defaults_are_mediamonkey_to_plex_tracks() -> None:
    plan = parse_pmrs_s("[plex]\ntoken = t\n", plex_url="http://h", mediamonkey_db="/x/MM.DB")
    assert (plan.side_a, plan.side_b, plan.direction) == (
        SystemKind.PLEX,
        SystemKind.MEDIAMONKEY,
        Direction.B_TO_A,
    )
    assert plan.mediamonkey_db == "/x/MM.DB" and plan.mode == Mode.SYNC


@pytest.mark.parametrize(
    ("value", "items"),
    [
        ("[tracks, playlists]", ["tracks", "playlists"]),
        ("tracks playlists", ["tracks", "playlists"]),
        ("tracks", ["tracks"]),
        ("[]", []),
    ],
)
def test_split_list(value: str, items: list[str]) -> None:
    assert split_list(value) == items


def test_read_ini_drops_comments_and_blank_values() -> None:
    assert read_ini("[main]\nsource =   # nothing\nlog = INFO ; note\n") == {
        "main": {"log": "INFO"}
    }
