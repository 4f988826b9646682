"""Every rating dialect's codec (pure): the POPM and ASF tables, the text dialects, and
:func:`decode`/:func:`encode` by dialect id. See ``docs/RATINGS.md`` for the conventions.

Dialect ids: stable strings naming one place a rating lives, used in events and the DB::

    ID3v2 (MP3, AIFF, WAV, DSF)
      popm:musicbee        POPM frame, email "MusicBee"                 byte 0..255
      popm:mediamonkey     POPM, "no@email"                             byte
      popm:plex            POPM, "Plex"                                 byte
      popm:windows         POPM, "Windows Media Player 9 Series"        byte
      popm:winamp          POPM, "rating@winamp.com"                    byte
      popm:picard          POPM, "users@musicbrainz.org"                byte (whole stars x 51)
      popm:quodlibet       POPM, "quodlibet@lists.sacredchao.net"       byte (int(r * 255))
      popm:<email>         POPM with any other email, lower-cased       byte
      txxx:fmps_rating     TXXX:FMPS_Rating                             text 0.0..1.0
      txxx:rating          TXXX:RATING                                  text, scale detected
    Vorbis comments (FLAC, Ogg Vorbis, Opus, Speex, Ogg FLAC)
      vorbis:rating        RATING                                       text, scale detected
      vorbis:fmps_rating   FMPS_RATING                                  text 0.0..1.0
      vorbis:rating:<email> RATING:<email> (Quod Libet, Picard)         text 0.0..1.0
    MP4 (M4A, M4B, ALAC)
      mp4:itunes_rate      ----:com.apple.iTunes:RATE                   text, scale detected
      mp4:itunes_rating    ----:com.apple.iTunes:RATING                 text, scale detected
      mp4:rate             the plain ``rate`` atom                      text, scale detected
                           (``rtng`` is the content advisory, never a rating)
    ASF (WMA)
      asf:shareduserrating WM/SharedUserRating                          0..99 (WMP 1/25/50/75/99)
    APEv2 (Monkey's Audio, WavPack, Musepack)
      ape:rating           Rating                                       text, scale detected

Text values parse as numbers (``" 80 "``, ``"4,5"``, ``"80.0"``); the library's pinned
:class:`TextScale` wins, otherwise the scale is detected per value (:func:`detect_scale`).
A "0" in any dialect means unrated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from app.domain.errors import InvalidInput
from app.domain.ratings.scales import INVALID, Decoded, TextScale, decode_text, encode_text
from app.domain.ratings.value import (
    MAX_HALF_STARS,
    Rating,
    clamp_half_stars,
    parse_number,
    round_half_up,
)

POPM_EMAILS: dict[str, str] = {
    "musicbee": "MusicBee",
    "mediamonkey": "no@email",
    "plex": "Plex",
    "windows": "Windows Media Player 9 Series",
    "winamp": "rating@winamp.com",
    "picard": "users@musicbrainz.org",
    "quodlibet": "quodlibet@lists.sacredchao.net",
}
_POPM_NAME_BY_EMAIL = {email.lower(): name for name, email in POPM_EMAILS.items()}

POPM_READ_EXACT: dict[int, int] = {
    1: 2, 13: 1, 51: 2, 54: 3, 64: 4, 102: 4, 118: 5,
    128: 6, 153: 6, 186: 7, 196: 8, 204: 8, 242: 9, 255: 10,
}  # fmt: skip
POPM_HALF_STAR_BYTES: tuple[int, ...] = (13, 1, 54, 64, 118, 128, 186, 196, 242, 255)


def decode_popm(byte: int) -> Rating | None:
    """A POPM rating byte from any writer: exact table first, then linear half stars."""
    if not 0 <= byte <= 255:
        raise ValueError(f"a POPM rating is a byte, not {byte}")
    if byte == 0:
        return None
    exact = POPM_READ_EXACT.get(byte)
    if exact is not None:
        return Rating(exact)
    return Rating(clamp_half_stars(round_half_up(Fraction(byte * 2, 51))))


def encode_popm(rating: Rating, email: str) -> int:
    """The byte this email's owner writes: Picard whole stars x 51 (halves round up), Quod Libet
    ``int(r * 255)``, everyone else (and unknown emails) the half-star map."""
    name = _POPM_NAME_BY_EMAIL.get(email.lower())
    if name == "picard":
        return _whole_stars_up(rating) * 51
    if name == "quodlibet":
        return rating.half_stars * 255 // 10
    return POPM_HALF_STAR_BYTES[rating.half_stars - 1]


def _whole_stars_up(rating: Rating) -> int:
    return (rating.half_stars + 1) // 2


# --- ASF WM/SharedUserRating ---------------------------------------------------------------

ASF_STAR_VALUES: tuple[int, ...] = (1, 25, 50, 75, 99)
_ASF_RANGES: tuple[tuple[int, int, int], ...] = (
    (1, 12, 2),
    (13, 37, 4),
    (38, 62, 6),
    (63, 86, 8),
    (87, 100, 10),
)


def decode_asf(value: int) -> Decoded:
    if value == 0:
        return Decoded(None)
    for low, high, half_stars in _ASF_RANGES:
        if low <= value <= high:
            return Decoded(Rating(half_stars))
    return INVALID


def encode_asf(rating: Rating) -> int:
    """Whole stars, half stars round up: 1, 25, 50, 75, 99."""
    return ASF_STAR_VALUES[_whole_stars_up(rating) - 1]


# --- dialects ------------------------------------------------------------------------------


class Family(StrEnum):
    """A tag container family: which dialects a file can carry."""

    ID3 = "id3"
    VORBIS = "vorbis"
    MP4 = "mp4"
    ASF = "asf"
    APE = "ape"


class Codec(StrEnum):
    POPM = "popm"  # byte 0..255
    ASF = "asf"  # WMP 0..99
    TEXT = "text"  # text, scale pinned or detected
    UNIT_TEXT = "unit_text"  # text, always 0.0..1.0


@dataclass(frozen=True, slots=True)
class Dialect:
    """One place a rating lives. ``email`` is the POPM email or the Vorbis ``RATING:`` suffix."""

    id: str
    family: Family
    codec: Codec
    email: str | None = None


_FIXED_DIALECTS: dict[str, Dialect] = {
    d.id: d
    for d in (
        Dialect("txxx:fmps_rating", Family.ID3, Codec.UNIT_TEXT),
        Dialect("txxx:rating", Family.ID3, Codec.TEXT),
        Dialect("vorbis:rating", Family.VORBIS, Codec.TEXT),
        Dialect("vorbis:fmps_rating", Family.VORBIS, Codec.UNIT_TEXT),
        Dialect("mp4:itunes_rate", Family.MP4, Codec.TEXT),
        Dialect("mp4:itunes_rating", Family.MP4, Codec.TEXT),
        Dialect("mp4:rate", Family.MP4, Codec.TEXT),
        Dialect("asf:shareduserrating", Family.ASF, Codec.ASF),
        Dialect("ape:rating", Family.APE, Codec.TEXT),
    )
}


def popm_dialect_id(email: str) -> str:
    """``"MusicBee"`` -> ``popm:musicbee``; unknown emails -> ``popm:<email lower-cased>``."""
    return f"popm:{_POPM_NAME_BY_EMAIL.get(email.lower(), email.lower())}"


def vorbis_email_dialect_id(email: str) -> str:
    return f"vorbis:rating:{email.lower()}"


def dialect(dialect_id: str) -> Dialect:
    """Parse a dialect id (case-insensitive); unknown ids are an InvalidInput."""
    key = dialect_id.strip()
    lowered = key.lower()
    fixed = _FIXED_DIALECTS.get(lowered)
    if fixed is not None:
        return fixed
    if lowered.startswith("popm:"):
        name = key[len("popm:") :]
        email = POPM_EMAILS.get(name.lower(), name)
        return Dialect(popm_dialect_id(email), Family.ID3, Codec.POPM, email)
    if lowered.startswith("vorbis:rating:") and len(key) > len("vorbis:rating:"):
        email = key[len("vorbis:rating:") :]
        return Dialect(vorbis_email_dialect_id(email), Family.VORBIS, Codec.UNIT_TEXT, email)
    raise InvalidInput(f"unknown rating dialect {dialect_id!r}")


@dataclass(frozen=True, slots=True)
class TagReading:
    """One rating tag found in a file: the evidence behind a file's rating."""

    dialect: str
    raw: str
    rating: Rating | None
    scale: TextScale | None = None
    valid: bool = True


def decode(
    dialect_id: str,
    raw: str,
    *,
    pinned_scale: TextScale | None = None,
    evidence: tuple[TextScale, ...] = (),
) -> TagReading:
    """Decode the raw value of one tag in its dialect. ``raw`` is text: the POPM byte and the
    ASF number as decimal digits. ``evidence``: the scales the library's unambiguous values of
    this dialect use, most used first (see :func:`~app.domain.ratings.scales.decode_text`)."""
    d = dialect(dialect_id)
    if d.codec is Codec.POPM or d.codec is Codec.ASF:
        number = parse_number(raw)
        if number is None or number != number.to_integral_value():
            return TagReading(d.id, raw, None, None, valid=False)
        if d.codec is Codec.ASF:
            asf = decode_asf(int(number))
            return TagReading(d.id, raw, asf.rating, None, valid=asf.valid)
        if number > 255:
            return TagReading(d.id, raw, None, None, valid=False)
        return TagReading(d.id, raw, decode_popm(int(number)))
    fixed = TextScale.UNIT if d.codec is Codec.UNIT_TEXT else None
    text = decode_text(raw, pinned_scale=pinned_scale, fixed_scale=fixed, evidence=evidence)
    return TagReading(d.id, raw, text.rating, text.scale, valid=text.valid)


def _encode_once(d: Dialect, rating: Rating, scale: TextScale) -> str:
    if d.codec is Codec.POPM:
        return str(encode_popm(rating, d.email or ""))
    if d.codec is Codec.ASF:
        return str(encode_asf(rating))
    if d.codec is Codec.UNIT_TEXT:
        return encode_text(rating, TextScale.UNIT)
    return encode_text(rating, scale)


def encode(
    dialect_id: str,
    rating: Rating,
    *,
    scale: TextScale = TextScale.PERCENT,
    pinned_scale: TextScale | None = None,
) -> TagReading:
    """Rating -> the raw value to store and what it will read back as.

    Text dialects write in the pinned scale when there is one, else in ``scale``. A value that
    would read back as something else (without a pinned scale, ½★ as percent "10" reads as
    tenths, 5★; as stars5 "0.5" reads as unit, 2½★) is written as the next half star up that
    reads back as itself, so a file never says more than was meant: ½★ becomes 1★, the same
    "half stars round up" the whole-star dialects (Picard POPM, WMA) apply.
    """
    d = dialect(dialect_id)
    write_scale = pinned_scale or scale
    for half_stars in range(rating.half_stars, MAX_HALF_STARS + 1):
        raw = _encode_once(d, Rating(half_stars), write_scale)
        reading = decode(d.id, raw, pinned_scale=pinned_scale)
        if reading.rating == Rating(half_stars):
            return reading
    raise InvalidInput(f"{rating} cannot be stored in {d.id} as {write_scale}")


def clear_value(dialect_id: str) -> str | None:
    """What clearing a dialect writes: POPM keeps its frame (and play counter) with byte 0, every
    other dialect is removed (None)."""
    return "0" if dialect(dialect_id).codec is Codec.POPM else None
