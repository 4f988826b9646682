"""Normalisation keys used by track matching."""

from __future__ import annotations

import pytest

from app.domain.normalize import (
    album_key,
    artist_key,
    normalize_text,
    strip_featuring,
    title_key,
)


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("Hello World", "hello world"),
        ("  HELLO   world ", "hello world"),
        ("Beyoncé", "beyonce"),
        ("Sigur Rós", "sigur ros"),
        ("Motörhead", "motorhead"),
        ("Mø", "mo"),
        ("Æon Flux", "aeon flux"),
        ("Straße", "strasse"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("Don't Stop", "dont stop"),
        ("Don’t Stop", "dont stop"),
        ("R.E.M.", "rem"),
        ("AC/DC", "ac dc"),
        ("Guns N' Roses", "guns n roses"),
        ("Hello, World!", "hello world"),
        ("snake_case-name", "snake case name"),
        ("ﬁre", "fire"),  # compatibility ligature
        ("Ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("東京事変", "東京事変"),  # other scripts keep their letters
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalize_text(text: str, normalised: str) -> None:
    assert normalize_text(text) == normalised


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("Song (feat. Jay-Z)", "Song"),
        ("Song [ft. Someone Else]", "Song"),
        ("Song (Featuring X & Y)", "Song"),
        ("Song (feat.X)", "Song"),
        ("Song (with Someone)", "Song"),
        ("Song feat. Jay-Z", "Song"),
        ("Song ft. X", "Song"),
        ("Song featuring X", "Song"),
        ("Artist feat. Other", "Artist"),
        # not credits
        ("Little Feat", "Little Feat"),
        ("Left Alone", "Left Alone"),
        ("Daft Punk", "Daft Punk"),
        ("Featuring", "Featuring"),
    ],
)
def test_strip_featuring(text: str, stripped: str) -> None:
    assert strip_featuring(text) == stripped


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Come Together", "come together"),
        ("Come Together - Remastered 2009", "come together"),
        ("Come Together - 2019 Remaster", "come together"),
        ("Hey Jude (Remastered 2015)", "hey jude"),
        ("Hey Jude [2009 Digital Remaster]", "hey jude"),
        ("Hey Jude (Remastered Version)", "hey jude"),
        ("Song (feat. Jay-Z) [Remastered]", "song"),
        ("Song (Bonus Track)", "song"),
        ("Song (Album Version)", "song"),
        ("Song (Explicit)", "song"),
        # other recordings keep what makes them other
        ("Song (Live)", "song live"),
        ("Song [Live]", "song live"),
        ("Song - Live", "song live"),
        ("Song (Acoustic)", "song acoustic"),
        ("Song (Radio Edit)", "song radio edit"),
        ("Song (2019 Mix)", "song 2019 mix"),
        ("Song - Remix", "song remix"),
        # never empty when there was a word
        ("(Untitled)", "untitled"),
        ("(Remastered)", "remastered"),
        ("Intro", "intro"),
    ],
)
def test_title_key(title: str, key: str) -> None:
    assert title_key(title) == key


@pytest.mark.parametrize(
    ("artist", "key"),
    [
        ("The Beatles", "beatles"),
        ("Beatles, The", "beatles"),
        ("beatles", "beatles"),
        ("THE BEATLES", "beatles"),
        ("The The", "the"),
        ("The", "the"),
        ("Theatre of Tragedy", "theatre of tragedy"),
        ("Beyoncé feat. Jay-Z", "beyonce"),
        ("Simon & Garfunkel", "simon and garfunkel"),
        ("Little Feat", "little feat"),
    ],
)
def test_artist_key(artist: str, key: str) -> None:
    assert artist_key(artist) == key


@pytest.mark.parametrize(
    ("album", "key"),
    [
        ("Abbey Road", "abbey road"),
        ("Abbey Road (Remastered)", "abbey road"),
        ("Abbey Road (Super Deluxe Edition)", "abbey road"),
        ("1999 - Remastered", "1999"),
        ("The Wall (Disc 2)", "the wall"),
        ("The Wall, Disc 1", "the wall"),
        ("Greatest Hits CD2", "greatest hits"),
        ("Greatest Hits [Bonus Tracks]", "greatest hits"),
        ("Live at Leeds", "live at leeds"),
        ("(Deluxe)", "deluxe"),
    ],
)
def test_album_key(album: str, key: str) -> None:
    assert album_key(album) == key
