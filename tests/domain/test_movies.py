"""Plex and Jellyfin naming: every example and every Fix of docs/MIRROR.md, as tables."""

from __future__ import annotations

import hashlib

import pytest

from app.domain.mirror.grammar import (
    parse_folder,
    parse_jellyfin_folder,
    parse_jellyfin_video,
    parse_plex_folder,
    parse_plex_video,
    render_folder,
    render_jellyfin_folder,
    render_jellyfin_video,
    render_plex_folder,
    render_plex_video,
    render_video,
)
from app.domain.mirror.naming import (
    FormatGuess,
    Loss,
    MovieName,
    VideoName,
    has_undecodable,
    is_metadata_name,
    is_video_name,
    jellyfin_resolution,
    plex_resolution,
    printable,
    short_hash,
    sidecar_name,
    split_inline_extra,
    split_part,
    split_suffix,
)

NO_VERSION = "no equivalent in a Jellyfin version label"
MULTIPLE = "multiple resolution labels; first one wins"
ONE_ID = "only one provider id is emitted per Jellyfin folder"


def plex_to_jellyfin(folder: str, video: str) -> tuple[str, str, list[str]]:
    movie = parse_plex_folder(folder)
    assert movie is not None
    target_folder, folder_losses = render_jellyfin_folder(movie)
    target_video, video_losses = render_jellyfin_video(
        target_folder, parse_plex_video(video, folder)
    )
    return target_folder, target_video, [loss.value for loss in (*folder_losses, *video_losses)]


def jellyfin_to_plex(folder: str, video: str) -> tuple[str, str]:
    movie = parse_jellyfin_folder(folder)
    assert movie is not None
    target_folder = render_plex_folder(movie)
    return target_folder, render_plex_video(target_folder, parse_jellyfin_video(video, folder))


# --------------------------------------------------------------------------------------------
# folders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Das Boot (1981) {imdb-tt0082096}",
            MovieName("Das Boot", "1981", (("imdb", "tt0082096"),)),
        ),
        (
            "Movie A (2020) {imdb-tt0000001} {tmdb-101}",
            MovieName("Movie A", "2020", (("imdb", "tt0000001"), ("tmdb", "101"))),
        ),
        ("Movie (2020) {IMDB-tt1}", MovieName("Movie", "2020", (("imdb", "tt1"),))),
        ("Movie (2020) {tvdb- 77 }", MovieName("Movie", "2020", (("tvdb", "77"),))),
        ("Movie (2020) {edition-Cut}", MovieName("Movie", "2020")),
        ("Movie (2020) {foo-bar}", MovieName("Movie", "2020")),
        ("Alien (1979) [Remastered] {imdb-tt1}", MovieName("Alien", "1979", (("imdb", "tt1"),))),
        ("No Year {imdb-tt1}", MovieName("No Year", None, (("imdb", "tt1"),))),
        ("Title (2020) anything after", MovieName("Title", "2020")),
        ("Blade Runner 2049 (2017)", MovieName("Blade Runner 2049", "2017")),
        ("  spaced   out  (1999)", MovieName("spaced out", "1999")),
        ("{imdb-tt1}", None),
        ("[only brackets]", None),
    ],
)
def test_parse_plex_folder(name: str, expected: MovieName | None) -> None:
    assert parse_plex_folder(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "Das Boot (1981) [imdbid-tt0082096]",
            MovieName("Das Boot", "1981", (("imdb", "tt0082096"),)),
        ),
        (
            "Movie B (2020) [tmdbid-680] [imdbid-tt0110912]",
            MovieName("Movie B", "2020", (("tmdb", "680"), ("imdb", "tt0110912"))),
        ),
        ("Movie (2020) [IMDBid-tt5]", MovieName("Movie", "2020", (("imdb", "tt5"),))),
        ("Movie (2020) [fooid-7]", MovieName("Movie", "2020")),
        ("Title (2020) - Something else", MovieName("Title", "2020")),
        ("Title", MovieName("Title")),
        ("Title -", MovieName("Title")),
        (
            "Mission - Impossible (1996) [imdbid-tt0117060]",
            MovieName("Mission - Impossible", "1996", (("imdb", "tt0117060"),)),
        ),
        ("[imdbid-tt1]", None),
    ],
)
def test_parse_jellyfin_folder(name: str, expected: MovieName | None) -> None:
    assert parse_jellyfin_folder(name) == expected


@pytest.mark.parametrize(
    ("movie", "plex", "jellyfin", "lost"),
    [
        (
            MovieName("Das Boot", "1981", (("imdb", "tt0082096"),)),
            "Das Boot (1981) {imdb-tt0082096}",
            "Das Boot (1981) [imdbid-tt0082096]",
            [],
        ),
        (
            MovieName("Movie A", "2020", (("tmdb", "101"), ("imdb", "tt0000001"))),
            "Movie A (2020) {imdb-tt0000001} {tmdb-101}",
            "Movie A (2020) [imdbid-tt0000001]",
            [("tmdb", "101")],
        ),
        (
            MovieName("T", None, (("tvdb", "3"), ("tmdb", "2"))),
            "T {tmdb-2} {tvdb-3}",
            "T [tmdbid-2]",
            [("tvdb", "3")],
        ),
        (MovieName("Plain"), "Plain", "Plain", []),
    ],
)
def test_render_folders(
    movie: MovieName, plex: str, jellyfin: str, lost: list[tuple[str, str]]
) -> None:
    assert render_plex_folder(movie) == plex
    name, losses = render_jellyfin_folder(movie)
    assert name == jellyfin
    assert [(loss.key, loss.value) for loss in losses] == lost
    assert all(loss.reason == ONE_ID and loss.kind == "attribute" for loss in losses)


# --------------------------------------------------------------------------------------------
# the examples of docs/MIRROR.md (Plex -> Jellyfin), and what reads back
# --------------------------------------------------------------------------------------------

PLEX_TO_JELLYFIN = [
    # (plex folder, plex video, jellyfin folder, jellyfin video, lost values)
    (
        "Das Boot (1981) {imdb-tt0082096}",
        "Das Boot (1981) {imdb-tt0082096} {edition-Director's Cut}.mkv",
        "Das Boot (1981) [imdbid-tt0082096]",
        "Das Boot (1981) [imdbid-tt0082096] - Director's Cut.mkv",
        [],
    ),
    (
        "Das Boot (1981) {imdb-tt0082096}",
        "Das Boot (1981) {imdb-tt0082096} {edition-Theatrical Cut} [2160p].mkv",
        "Das Boot (1981) [imdbid-tt0082096]",
        "Das Boot (1981) [imdbid-tt0082096] - 4k Theatrical Cut.mkv",
        [],
    ),
    (
        "First movie (1984) {imdb-tt123456}",
        "First movie (1984) {imdb-tt123456}{edition-Director's Cut}[remux][1080p].mkv",
        "First movie (1984) [imdbid-tt123456]",
        "First movie (1984) [imdbid-tt123456] - BD Director's Cut.mkv",
        ["remux"],
    ),
    (
        "Queimada (1969) {imdb-tt0064866}",
        "Queimada (1969) {imdb-tt0064866} [570i].mkv",
        "Queimada (1969) [imdbid-tt0064866]",
        "Queimada (1969) [imdbid-tt0064866] - 570i.mkv",
        [],
    ),
    (
        "Movie A (2020) {imdb-tt0000001} {tmdb-101}",
        "Movie A (2020) {imdb-tt0000001} {tmdb-101}.mkv",
        "Movie A (2020) [imdbid-tt0000001]",
        "Movie A (2020) [imdbid-tt0000001].mkv",
        ["101"],
    ),
    (
        "Movie M (2020)",
        "Movie M (2020) [1080p] [2160p].mkv",
        "Movie M (2020)",
        "Movie M (2020) - BD.mkv",
        ["2160p"],
    ),
    (
        "A (2000)",
        "A (2000) [HDR] [HEVC] [remux] [DVD].m4v",
        "A (2000)",
        "A (2000) - DVD.m4v",
        ["HDR", "HEVC", "remux"],
    ),
]


@pytest.mark.parametrize(("folder", "video", "jf_folder", "jf_video", "lost"), PLEX_TO_JELLYFIN)
def test_plex_to_jellyfin_examples(
    folder: str, video: str, jf_folder: str, jf_video: str, lost: list[str]
) -> None:
    assert plex_to_jellyfin(folder, video) == (jf_folder, jf_video, lost)


@pytest.mark.parametrize(
    ("folder", "video", "plex_folder", "plex_video"),
    [
        (
            "Movie B (2020) [tmdbid-680] [imdbid-tt0110912]",
            "Movie B (2020) [tmdbid-680] [imdbid-tt0110912] - Theatrical Cut BD.mkv",
            "Movie B (2020) {imdb-tt0110912} {tmdb-680}",
            "Movie B (2020) {imdb-tt0110912} {tmdb-680} {edition-Theatrical Cut} [1080p].mkv",
        ),
        (
            "Das Boot (1981) [imdbid-tt0082096]",
            "Das Boot (1981) [imdbid-tt0082096] - 4k Theatrical Cut.mkv",
            "Das Boot (1981) {imdb-tt0082096}",
            "Das Boot (1981) {imdb-tt0082096} {edition-Theatrical Cut} [2160p].mkv",
        ),
        (
            "X (2001)",
            "X (2001) - DVD.mkv",
            "X (2001)",
            "X (2001) [DVD].mkv",
        ),
        ("X (2001)", "X (2001) - 720p.mkv", "X (2001)", "X (2001) [720p].mkv"),
        ("X (2001)", "X (2001) - 570i.mkv", "X (2001)", "X (2001) [570i].mkv"),
        ("X (2001)", "X (2001) - Extended.mkv", "X (2001)", "X (2001) {edition-Extended}.mkv"),
        ("X (2001)", "X (2001).mkv", "X (2001)", "X (2001).mkv"),
        ("X", "X - BD.mkv", "X", "X [1080p].mkv"),
    ],
)
def test_jellyfin_to_plex_examples(
    folder: str, video: str, plex_folder: str, plex_video: str
) -> None:
    assert jellyfin_to_plex(folder, video) == (plex_folder, plex_video)


# --------------------------------------------------------------------------------------------
# version labels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plex_label", "jellyfin_word", "read_back"),
    [
        ("DVD", "DVD", "DVD"),
        ("480i", "DVD", "DVD"),
        ("480p", "DVD", "DVD"),
        ("576i", "DVD", "DVD"),
        ("576p", "DVD", "DVD"),
        ("720i", "720p", "720p"),
        ("720p", "720p", "720p"),
        ("BD", "BD", "1080p"),
        ("1080i", "BD", "1080p"),
        ("1080p", "BD", "1080p"),
        ("4k", "4k", "2160p"),
        ("2160i", "4k", "2160p"),
        ("2160p", "4k", "2160p"),
        ("570i", "570i", "570i"),
        ("1440p", "1440p", "1440p"),
        # Fix: case-insensitive, and the UHD/FHD/SD aliases
        ("4K", "4k", "2160p"),
        ("2160P", "4k", "2160p"),
        ("Bd", "BD", "1080p"),
        ("dvd", "DVD", "DVD"),
        ("UHD", "4k", "2160p"),
        ("FHD", "BD", "1080p"),
        ("SD", "DVD", "DVD"),
        ("sd", "DVD", "DVD"),
    ],
)
def test_version_label_table(plex_label: str, jellyfin_word: str, read_back: str) -> None:
    assert jellyfin_resolution(plex_label) == jellyfin_word
    assert plex_resolution(jellyfin_word) == read_back


@pytest.mark.parametrize("label", ["remux", "HDR", "HEVC", "BluRay", "1080", "p1080", "12345p"])
def test_non_resolution_labels_are_dropped(label: str) -> None:
    assert jellyfin_resolution(label) is None
    _name, losses = render_jellyfin_video("M", VideoName(".mkv", labels=(label,)))
    assert losses == (Loss("label", None, label, NO_VERSION),)


def test_several_resolution_labels_first_wins() -> None:
    name, losses = render_jellyfin_video("M", VideoName(".mkv", labels=("720p", "4K", "remux")))
    assert name == "M - 720p.mkv"
    assert losses == (Loss("label", None, "4K", MULTIPLE), Loss("label", None, "remux", NO_VERSION))


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("BD", VideoName(".mkv", labels=("1080p",))),
        ("bd", VideoName(".mkv", labels=("1080p",))),
        ("Theatrical Cut BD", VideoName(".mkv", "Theatrical Cut", ("1080p",))),
        ("4k Theatrical Cut", VideoName(".mkv", "Theatrical Cut", ("2160p",))),
        ("1080P Cut", VideoName(".mkv", "Cut", ("1080P",))),
        ("Director's Cut", VideoName(".mkv", "Director's Cut")),
        ("Remastered", VideoName(".mkv", "Remastered")),
        ("UHD", VideoName(".mkv", "UHD")),
        ("[BD]", VideoName(".mkv", labels=("1080p",))),
    ],
)
def test_jellyfin_version_label_words(label: str, expected: VideoName) -> None:
    assert parse_jellyfin_video(f"M (2000) - {label}.mkv", "M (2000)") == expected


# --------------------------------------------------------------------------------------------
# Fixes
# --------------------------------------------------------------------------------------------


def test_fix_title_with_dash_is_no_version_separator() -> None:
    folder = "Mission - Impossible (1996) [imdbid-tt0117060]"
    video = "Mission - Impossible (1996) [imdbid-tt0117060].mkv"
    assert parse_jellyfin_video(video, folder) == VideoName(".mkv")
    assert jellyfin_to_plex(folder, video) == (
        "Mission - Impossible (1996) {imdb-tt0117060}",
        "Mission - Impossible (1996) {imdb-tt0117060}.mkv",
    )


def test_fix_dash_edition_survives_a_round_trip() -> None:
    jf_folder, jf_video, _ = plex_to_jellyfin(
        "M (2000)", "M (2000) {edition-Director's Cut - Remastered} [1080p].mkv"
    )
    assert jf_video == "M (2000) - BD Director's Cut - Remastered.mkv"
    assert jellyfin_to_plex(jf_folder, jf_video)[1] == (
        "M (2000) {edition-Director's Cut - Remastered} [1080p].mkv"
    )


@pytest.mark.parametrize(
    ("stem", "folder", "label"),
    [
        # Not prefixed with the folder name: only a separator after the year or id counts.
        (
            "Mission - Impossible (1996) - BD",
            "Mission Impossible (1996)",
            VideoName(".mkv", labels=("1080p",)),
        ),
        ("Mission - Impossible (1996)", "Other", VideoName(".mkv")),
        ("Film [imdbid-tt9] - DVD", "Film", VideoName(".mkv", labels=("DVD",))),
        ("Film - Cut", "Elsewhere", VideoName(".mkv", "Cut")),
        ("Film - [imdbid-tt9]", "Elsewhere", VideoName(".mkv")),
    ],
)
def test_jellyfin_video_not_prefixed_by_folder(stem: str, folder: str, label: VideoName) -> None:
    assert parse_jellyfin_video(f"{stem}.mkv", folder) == label


def test_fix_disambiguator_parses_back_both_ways() -> None:
    # jellyplex-sync writes `- BD [a3f7c819]` and reads it back as {edition-[a3f7c819}.
    parsed = parse_jellyfin_video("M (2020) - BD [a3f7c819].mkv", "M (2020)")
    assert parsed == VideoName(".mkv", labels=("1080p",), disambiguator="a3f7c819")
    plex = render_plex_video("M (2020)", parsed)
    assert plex == "M (2020) [1080p] [a3f7c819].mkv"
    assert parse_plex_video(plex, "M (2020)") == parsed
    assert render_jellyfin_video("M (2020)", parsed)[0] == "M (2020) - BD [a3f7c819].mkv"


@pytest.mark.parametrize(
    ("jellyfin", "plex"),
    [
        ("M - [0123abcd].mkv", "M [0123abcd].mkv"),
        ("M - Cut [0123abcd].mkv", "M {edition-Cut} [0123abcd].mkv"),
        ("M - 4k Cut [0123abcd].mkv", "M {edition-Cut} [2160p] [0123abcd].mkv"),
    ],
)
def test_disambiguated_names_round_trip(jellyfin: str, plex: str) -> None:
    parsed = parse_jellyfin_video(jellyfin, "M")
    assert render_plex_video("M", parsed) == plex
    assert render_jellyfin_video("M", parse_plex_video(plex, "M"))[0] == jellyfin


def test_short_hash_is_jellyplex_sync_disambiguator() -> None:
    name = "M (2020) [1080p] [remux].mkv"
    assert short_hash(name) == hashlib.sha256(name.encode()).hexdigest()[:8]
    assert short_hash("bad\udcff.mkv") == hashlib.sha256(b"bad\xff.mkv").hexdigest()[:8]


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Movie (2020) - pt1", ("Movie (2020)", "pt1")),
        ("Movie (2020) - cd2", ("Movie (2020)", "cd2")),
        ("Movie (2020)-disc2", ("Movie (2020)", "disc2")),
        ("Movie (2020)_part3", ("Movie (2020)", "part3")),
        ("Movie (2020).CD1", ("Movie (2020)", "CD1")),
        ("Movie (2020) disk4", ("Movie (2020)", "disk4")),
        ("Movie (2020) [1080p] - dvd1", ("Movie (2020) [1080p]", "dvd1")),
        ("Movie (2020)", ("Movie (2020)", None)),
        ("Movie (2020) - part", ("Movie (2020) - part", None)),
        ("Moviecd1", ("Moviecd1", None)),
        ("pt1", ("pt1", None)),
    ],
)
def test_split_part(stem: str, expected: tuple[str, str | None]) -> None:
    assert split_part(stem) == expected


def test_part_marker_inside_the_folder_name_is_no_part() -> None:
    assert split_part("Saga Part1", "Saga Part1") == ("Saga Part1", None)
    assert split_part("Saga Part1 - pt2", "Saga Part1") == ("Saga Part1", "pt2")


@pytest.mark.parametrize(
    ("folder", "video", "jf_video", "plex_back"),
    [
        ("M (2020)", "M (2020) - pt1.mkv", "M (2020) - pt1.mkv", "M (2020) - pt1.mkv"),
        ("M (2020)", "M (2020) pt2.mkv", "M (2020) - pt2.mkv", "M (2020) - pt2.mkv"),
        (
            "M (2020) {imdb-tt1}",
            "M (2020) {imdb-tt1} [1080p] - cd2.mkv",
            "M (2020) [imdbid-tt1] - BD - cd2.mkv",
            "M (2020) {imdb-tt1} [1080p] - cd2.mkv",
        ),
        (
            "M (2020)",
            "M (2020) {edition-Cut}.part1.avi",
            "M (2020) - Cut - part1.avi",
            "M (2020) {edition-Cut} - part1.avi",
        ),
    ],
)
def test_fix_stacked_parts_keep_their_marker(
    folder: str, video: str, jf_video: str, plex_back: str
) -> None:
    jf_folder, name, losses = plex_to_jellyfin(folder, video)
    assert (name, losses) == (jf_video, [])
    assert jellyfin_to_plex(jf_folder, name)[1] == plex_back


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("Making of-behindthescenes", ("Making of", "behindthescenes")),
        ("Movie (2020)-trailer", ("Movie (2020)", "trailer")),
        ("Cut-deleted", ("Cut", "deleted")),
        ("X-featurette", ("X", "featurette")),
        ("X-interview", ("X", "interview")),
        ("X-scene", ("X", "scene")),
        ("X-short", ("X", "short")),
        ("X-other", ("X", "other")),
        ("X-TRAILER", ("X", "trailer")),
        ("X-sample", ("X", "sample")),
        ("X-deletedscene", ("X", "deletedscene")),
        ("Movie - Other", None),
        ("-trailer", None),
        ("Movie (2020) - Trailer Cut", None),
    ],
)
def test_split_inline_extra(stem: str, expected: tuple[str, str] | None) -> None:
    assert split_inline_extra(stem) == expected


def test_inline_extra_is_not_a_version() -> None:
    assert parse_plex_video("M (2020)-trailer.mkv", "M (2020)") == VideoName(
        ".mkv", extra="trailer"
    )
    assert parse_jellyfin_video("M (2020)-trailer.mkv", "M (2020)").extra == "trailer"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Movie {imdb-tt1}.en.srt", "Movie [imdbid-tt1].en.srt"),
        ("Movie {imdb-tt1}.en.forced.srt", "Movie [imdbid-tt1].en.forced.srt"),
        ("Movie {imdb-tt1}.nfo", "Movie [imdbid-tt1].nfo"),
        ("Movie {imdb-tt1}-poster.jpg", "Movie [imdbid-tt1]-poster.jpg"),
        ("Movie {imdb-tt1} [1080p].en.srt", "Movie [imdbid-tt1] - BD.en.srt"),
        ("Movie {imdb-tt1} [1080p]-fanart.jpg", "Movie [imdbid-tt1] - BD-fanart.jpg"),
        ("Folder {imdb-tt1}.nfo", "Folder [imdbid-tt1].nfo"),
        ("Folder {imdb-tt1}-landscape.jpg", "Folder [imdbid-tt1]-landscape.jpg"),
        ("poster.jpg", "poster.jpg"),
        ("Movie {imdb-tt1} extra notes.txt", "Movie {imdb-tt1} extra notes.txt"),
        ("Folder {imdb-tt1}", "Folder {imdb-tt1}"),
    ],
)
def test_fix_sidecars_follow_their_video(name: str, expected: str) -> None:
    renamed = {
        "Movie {imdb-tt1}": "Movie [imdbid-tt1]",
        "Movie {imdb-tt1} [1080p]": "Movie [imdbid-tt1] - BD",
    }
    assert sidecar_name(name, renamed, "Folder {imdb-tt1}", "Folder [imdbid-tt1]") == expected


# --------------------------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------------------------

PLEX_LIBRARY = [
    (
        "Das Boot (1981) {imdb-tt0082096}",
        "Das Boot (1981) {imdb-tt0082096} {edition-Director's Cut} [1080p].mkv",
    ),
    ("Das Boot (1981) {imdb-tt0082096}", "Das Boot (1981) {imdb-tt0082096} [2160p].mkv"),
    ("Das Boot (1981) {imdb-tt0082096}", "Das Boot (1981) {imdb-tt0082096}.mkv"),
    ("Queimada (1969) {imdb-tt0064866}", "Queimada (1969) {imdb-tt0064866} [570i].m4v"),
    ("M (2020) {tmdb-5}", "M (2020) {tmdb-5} {edition-Extended} [DVD] [a3f7c819].mkv"),
    ("M (2020) {tmdb-5}", "M (2020) {tmdb-5} [720p] - pt1.mp4"),
    (
        "Mission - Impossible (1996) {imdb-tt0117060}",
        "Mission - Impossible (1996) {imdb-tt0117060} [1080p].mkv",
    ),
    ("No Year", "No Year {edition-Final Cut}.avi"),
]


@pytest.mark.parametrize(("folder", "video"), PLEX_LIBRARY)
def test_round_trip_plex_jellyfin_plex(folder: str, video: str) -> None:
    """Canonical Plex names (resolution labels in Plex form) come back unchanged."""
    jf_folder, jf_video, lost = plex_to_jellyfin(folder, video)
    assert lost == []
    assert jellyfin_to_plex(jf_folder, jf_video) == (folder, video)


JELLYFIN_LIBRARY = [
    (
        "Das Boot (1981) [imdbid-tt0082096]",
        "Das Boot (1981) [imdbid-tt0082096] - BD Director's Cut.mkv",
    ),
    ("Das Boot (1981) [imdbid-tt0082096]", "Das Boot (1981) [imdbid-tt0082096] - 4k.mkv"),
    ("Das Boot (1981) [imdbid-tt0082096]", "Das Boot (1981) [imdbid-tt0082096].mkv"),
    (
        "Das Boot (1981) [imdbid-tt0082096]",
        "Das Boot (1981) [imdbid-tt0082096] - DVD Extended [0badf00d].mkv",
    ),
    ("Das Boot (1981) [imdbid-tt0082096]", "Das Boot (1981) [imdbid-tt0082096] - [0badf00d].mkv"),
    ("M (2020) [tmdbid-5]", "M (2020) [tmdbid-5] - 720p - part2.mkv"),
    ("M (2020) [tmdbid-5]", "M (2020) [tmdbid-5] - Remastered.mkv"),
    (
        "Mission - Impossible (1996) [imdbid-tt0117060]",
        "Mission - Impossible (1996) [imdbid-tt0117060] - BD.mkv",
    ),
]


@pytest.mark.parametrize(("folder", "video"), JELLYFIN_LIBRARY)
def test_round_trip_jellyfin_plex_jellyfin(folder: str, video: str) -> None:
    plex_folder, plex_video = jellyfin_to_plex(folder, video)
    assert plex_to_jellyfin(plex_folder, plex_video) == (folder, video, [])


@pytest.mark.parametrize(("folder", "video"), [(f, v) for f, v, *_ in PLEX_TO_JELLYFIN])
def test_lossy_translation_reaches_a_fixpoint(folder: str, video: str) -> None:
    """Plex -> Jellyfin -> Plex -> Jellyfin gives the first Jellyfin name again."""
    jf_folder, jf_video, _ = plex_to_jellyfin(folder, video)
    plex_folder, plex_video = jellyfin_to_plex(jf_folder, jf_video)
    assert plex_to_jellyfin(plex_folder, plex_video)[:2] == (jf_folder, jf_video)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Movie (2020).mkv", ("Movie (2020)", ".mkv")),
        ("Mr. Nobody (2009).m4v", ("Mr. Nobody (2009)", ".m4v")),
        (".hidden", (".hidden", "")),
        ("name.", ("name.", "")),
        ("noext", ("noext", "")),
    ],
)
def test_split_suffix(name: str, expected: tuple[str, str]) -> None:
    assert split_suffix(name) == expected


@pytest.mark.parametrize(
    ("name", "video"),
    [
        ("a.mkv", True),
        ("a.M4V", True),
        ("a.mp4", True),
        ("a.AVI", True),
        ("a.mov", True),
        ("a.ts", True),
        ("a.m2ts", True),
        ("a.webm", True),
        ("a.wmv", True),
        ("a.mpg", True),
        ("a.mpeg", True),
        ("a.iso", True),
        ("a.srt", False),
        ("a.nfo", False),
        ("mkv", False),
    ],
)
def test_fix_video_suffixes(name: str, video: bool) -> None:
    assert is_video_name(name) is video


def test_video_extension_case_is_kept() -> None:
    jf = render_jellyfin_video("M", parse_plex_video("M [1080p].MP4", "M"))[0]
    assert jf == "M - BD.MP4"


@pytest.mark.parametrize(
    ("name", "metadata"),
    [("a.nfo", True), ("a.JPG", True), ("a.en.srt", True), ("a.mkv", False), ("a.txt", False)],
)
def test_metadata_names(name: str, metadata: bool) -> None:
    assert is_metadata_name(name) is metadata


def test_undecodable_names_are_printable() -> None:
    name = b"Caf\xe9 (1999)".decode("utf-8", "surrogateescape")
    assert has_undecodable(name)
    assert not has_undecodable("Café (1999)")
    assert printable(name) == "Caf\\xe9 (1999)"
    assert printable("Café") == "Café"
    assert parse_plex_folder(name) == MovieName(name[:-7], "1999")


@pytest.mark.parametrize(
    ("stems", "expected"),
    [
        (["Movie (2020) [imdbid-tt1]"], "jellyfin"),
        (["Movie (2020) {imdb-tt1}"], "plex"),
        (["M (2020) {edition-X}"], "plex"),
        (["M (2020) - BD", "N (2021) - DVD"], "jellyfin"),
        (["M (2020) [1080p]", "N (2021) [DVD]"], "plex"),
        (["M (2020)"], None),
        ([], None),
    ],
)
def test_format_guess(stems: list[str], expected: str | None) -> None:
    guess = FormatGuess()
    for stem in stems:
        guess.add(stem)
    assert guess.result() == expected


def test_format_neutral_entry_points() -> None:
    movie = parse_folder("plex", "M (2020) {imdb-tt1}")
    assert movie is not None
    assert render_folder("jellyfin", movie) == ("M (2020) [imdbid-tt1]", ())
    assert render_folder("plex", movie) == ("M (2020) {imdb-tt1}", ())
    assert render_video("plex", "F", VideoName(".mkv", "Cut")) == ("F {edition-Cut}.mkv", ())
