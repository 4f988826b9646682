"""Text normalisation for matching tracks by their tags (pure).

Three keys, each a plain lower-case ASCII-ish string of words separated by single spaces:

- :func:`title_key`: drops "feat." credits and remaster/bonus-track noise, keeps real version
  words ("live", "remix", "acoustic", "demo", "radio edit"): those name other recordings.
- :func:`artist_key`: drops "feat." credits and a leading (or trailing ", The") "The".
- :func:`album_key`: drops edition noise ("Deluxe Edition", "Remastered", "Disc 1", "CD2").

All three go through :func:`normalize_text`: Unicode compatibility forms, accents and case
folded away, "&" -> "and", apostrophes and dots dropped ("Don't" -> "dont", "R.E.M." -> "rem"),
other punctuation -> space, whitespace collapsed. A key is never empty when the input had a
word in it: when stripping noise would leave nothing, the plain normalised text is used.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
    }
)
_DROPPED = re.compile(r"['’‘`´.]")
_PUNCTUATION = re.compile(r"[\W_]+")

# "(feat. X)", "[ft. X]", "(featuring X)", "(with X)" anywhere; " feat. X", " ft. X",
# " featuring X" to the end. A bare "feat"/"ft" outside brackets is left alone ("Little Feat").
_FEAT_BRACKETED = re.compile(
    r"\s*[(\[]\s*(?:feat\b\.?|ft\b\.?|featuring\b|with\s)[^)\]]*[)\]]", re.IGNORECASE
)
_FEAT_TRAILING = re.compile(r"\s+(?:feat\.|ft\.|featuring\s)\s*.*$", re.IGNORECASE | re.DOTALL)

_TITLE_NOISE = r"remaster(?:ed)?|bonus(?:\s+track)?|album\s+version|explicit(?:\s+version)?"
_ALBUM_NOISE = (
    r"remaster(?:ed)?|deluxe|expanded|anniversary|special\s+edition|bonus\s+tracks?"
    r"|explicit|(?:disc|disk|cd)\s*\d+"
)


def _noise_patterns(words: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    bracketed = re.compile(rf"\s*[(\[][^)\]]*\b(?:{words})\b[^)\]]*[)\]]", re.IGNORECASE)
    # " - 2011 Remaster", " - Remastered Version": a dash suffix that mentions the noise.
    dash_suffix = re.compile(rf"\s+[-–—]\s+[^-–—]*\b(?:{words})\b[^-–—]*$", re.IGNORECASE)
    return bracketed, dash_suffix


_TITLE_BRACKETED, _TITLE_DASH = _noise_patterns(_TITLE_NOISE)
_ALBUM_BRACKETED, _ALBUM_DASH = _noise_patterns(_ALBUM_NOISE)
_ALBUM_TRAILING_DISC = re.compile(r"\s*[,:]?\s*(?:disc|disk|cd)\s*\d+\s*$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^the\s+(?=\S)")
_TRAILING_THE = re.compile(r"(?<=\S)\s+the$")


def normalize_text(text: str) -> str:
    """Fold case, accents and punctuation away: ``"Beyoncé & JAY-Z"`` -> ``"beyonce and jay z"``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_FOLD_LETTERS))
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = text.casefold().replace("&", " and ")
    text = _DROPPED.sub("", text)
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def strip_featuring(text: str) -> str:
    """Drop featured-artist credits: ``"Song (feat. X)"`` -> ``"Song"``."""
    return _FEAT_TRAILING.sub("", _FEAT_BRACKETED.sub("", text)).strip()


def title_key(title: str) -> str:
    """The matching key of a track title."""
    stripped = _TITLE_DASH.sub("", _TITLE_BRACKETED.sub("", strip_featuring(title)))
    return normalize_text(stripped) or normalize_text(title)


def artist_key(artist: str) -> str:
    """The matching key of an artist: ``"The Beatles"``, ``"Beatles, The"`` -> ``"beatles"``."""
    text = normalize_text(strip_featuring(artist)) or normalize_text(artist)
    return _TRAILING_THE.sub("", _LEADING_THE.sub("", text))


def album_key(album: str) -> str:
    """The matching key of an album title."""
    stripped = _ALBUM_DASH.sub("", _ALBUM_BRACKETED.sub("", album))
    stripped = _ALBUM_TRAILING_DISC.sub("", stripped)
    return normalize_text(stripped) or normalize_text(album)
