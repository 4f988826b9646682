"""Ratings: the canonical value, every dialect's codec, text scales, resolution and write plans.

The canonical value is :class:`Rating`: an integer 1..10 in half stars (2 = one star, 10 = five
stars), or ``None`` for unrated. Rounding from any finer scale is *round half up*, done only by
:func:`round_half_up`. See ``docs/RATINGS.md`` for the conventions and the decisions.

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

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from typing import Literal

from app.domain.errors import InvalidInput

MIN_HALF_STARS = 1
MAX_HALF_STARS = 10


def round_half_up(value: Fraction | Decimal | int | float) -> int:
    """The one rounding rule of Crossfade: to the nearest integer, halves up (7.5 -> 8).

    Floats are taken at their shortest decimal spelling (``0.35`` is 7/20, not the binary
    value just below it), so ``0.35 * 10`` style inputs round the way a person expects.
    """
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot round {value!r}")
        exact = Fraction(repr(value))
    else:
        exact = Fraction(value)
    return math.floor(exact + Fraction(1, 2))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _clamp_half_stars(half_stars: int) -> int:
    return max(MIN_HALF_STARS, min(MAX_HALF_STARS, half_stars))


@dataclass(frozen=True, order=True, slots=True)
class Rating:
    """A rating in half stars, 1..10 (2 = one star). Unrated is ``None``, never a Rating."""

    half_stars: int

    def __post_init__(self) -> None:
        if isinstance(self.half_stars, bool) or not isinstance(self.half_stars, int):
            raise TypeError(f"half_stars must be an int, not {type(self.half_stars).__name__}")
        if not MIN_HALF_STARS <= self.half_stars <= MAX_HALF_STARS:
            raise ValueError(f"half_stars must be 1..10, not {self.half_stars}")

    @property
    def stars(self) -> float:
        return self.half_stars / 2

    @classmethod
    def from_stars(cls, stars: float | str | Decimal) -> Rating | None:
        """``3.5`` -> 7 half stars; 0 -> unrated; finer values round half up, at least ½★."""
        value = _parse_number(stars) if isinstance(stars, str) else stars
        if value is None:
            raise InvalidInput(f"not a number of stars: {stars!r}")
        exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
        if not 0 <= exact <= 5:
            raise InvalidInput(f"stars must be between 0 and 5, not {stars}")
        if exact == 0:
            return None
        return cls(_clamp_half_stars(round_half_up(exact * 2)))

    @classmethod
    def from_plex(cls, user_rating: float | None) -> Rating | None:
        """Plex ``userRating`` (0..10, absent or 0 = unrated) -> Rating."""
        if user_rating is None:
            return None
        if not math.isfinite(user_rating) or not 0 <= user_rating <= 10:
            raise InvalidInput(f"a Plex rating is 0..10, not {user_rating}")
        if user_rating == 0:
            return None
        return cls(_clamp_half_stars(round_half_up(user_rating)))

    def to_plex(self) -> float:
        return float(self.half_stars)

    def __str__(self) -> str:
        whole, half = divmod(self.half_stars, 2)
        return f"{whole}{'½' if half else ''}★" if whole else "½★"


def half_stars_of(rating: Rating | None) -> int:
    """0 for unrated, else 1..10: handy for JSON and the DB."""
    return 0 if rating is None else rating.half_stars


# --- text scales ---------------------------------------------------------------------------


class TextScale(StrEnum):
    """How a text rating value is scaled."""

    UNIT = "unit"  # 0.0..1.0
    STARS5 = "stars5"  # 0..5, half steps allowed
    TENTHS = "tenths"  # 0..10
    PERCENT = "percent"  # 0..100


SCALE_MAXIMUM: dict[TextScale, Fraction] = {
    TextScale.UNIT: Fraction(1),
    TextScale.STARS5: Fraction(5),
    TextScale.TENTHS: Fraction(10),
    TextScale.PERCENT: Fraction(100),
}

# half stars per unit of the scale
_HALF_STARS_PER_UNIT: dict[TextScale, Fraction] = {
    TextScale.UNIT: Fraction(10),
    TextScale.STARS5: Fraction(2),
    TextScale.TENTHS: Fraction(1),
    TextScale.PERCENT: Fraction(1, 10),
}

SCALE_LABELS: dict[TextScale, str] = {
    TextScale.UNIT: "0–1",
    TextScale.STARS5: "1–5",
    TextScale.TENTHS: "0–10",
    TextScale.PERCENT: "0–100",
}

_NUMBER = re.compile(r"^\+?(?:\d+(?:\.\d*)?|\.\d+)$")


def _parse_number(text: str) -> Decimal | None:
    """``" 80 "``, ``"4,5"``, ``"80.0"`` -> Decimal; anything else (signs, words) -> None."""
    cleaned = text.strip().replace(",", ".")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def parse_scale(name: str | None) -> TextScale | None:
    """A scale name from a person or config; ``None``/``""``/``"auto"`` means detect."""
    if name is None or name.strip().lower() in {"", "auto", "detect"}:
        return None
    try:
        return TextScale(name.strip().lower())
    except ValueError:
        names = ", ".join(scale.value for scale in TextScale)
        raise InvalidInput(f"unknown text scale {name!r}; use one of: {names}, auto") from None


def detect_scale(value: Decimal, *, has_point: bool) -> TextScale | None:
    """Per-value detection (docs/RATINGS.md): None for 0 and for values no scale explains."""
    if 0 < value < 1 and has_point:
        return TextScale.UNIT
    if 1 <= value <= 5:
        return TextScale.STARS5
    if 5 < value <= 10:
        return TextScale.TENTHS
    if 10 < value <= 100:
        return TextScale.PERCENT
    return None


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded tag value: ``valid`` is False when the value means nothing we understand."""

    rating: Rating | None
    scale: TextScale | None = None
    valid: bool = True


_INVALID = Decoded(None, None, valid=False)


def decode_text(
    text: str, *, pinned_scale: TextScale | None = None, fixed_scale: TextScale | None = None
) -> Decoded:
    """A text rating -> Decoded. ``fixed_scale`` is the dialect's own (FMPS: unit) and beats the
    library's ``pinned_scale``, which beats per-value detection."""
    value = _parse_number(text)
    if value is None:
        return _INVALID
    scale = fixed_scale or pinned_scale
    if scale is None:
        if value == 0:
            return Decoded(None)
        scale = detect_scale(value, has_point="." in text.replace(",", "."))
        if scale is None:
            return _INVALID
    if value > SCALE_MAXIMUM[scale]:
        return Decoded(None, scale, valid=False)
    if value == 0:
        return Decoded(None, scale)
    half_stars = round_half_up(Fraction(value) * _HALF_STARS_PER_UNIT[scale])
    return Decoded(Rating(_clamp_half_stars(half_stars)), scale)


def encode_text(rating: Rating, scale: TextScale) -> str:
    """Rating -> text in ``scale``: percent "20".."100", stars5 "0.5".."5", tenths "1".."10",
    unit "0.1".."1.0" (``"%.1f"``)."""
    half = rating.half_stars
    if scale is TextScale.PERCENT:
        return str(half * 10)
    if scale is TextScale.TENTHS:
        return str(half)
    if scale is TextScale.STARS5:
        whole, odd = divmod(half, 2)
        return f"{whole}.5" if odd else str(whole)
    return f"{half / 10:.1f}"


# --- POPM ----------------------------------------------------------------------------------

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
    return Rating(_clamp_half_stars(round_half_up(Fraction(byte * 2, 51))))


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
    return _INVALID


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


def decode(dialect_id: str, raw: str, *, pinned_scale: TextScale | None = None) -> TagReading:
    """Decode the raw value of one tag in its dialect. ``raw`` is text: the POPM byte and the
    ASF number as decimal digits."""
    d = dialect(dialect_id)
    if d.codec is Codec.POPM or d.codec is Codec.ASF:
        number = _parse_number(raw)
        if number is None or number != number.to_integral_value():
            return TagReading(d.id, raw, None, None, valid=False)
        if d.codec is Codec.ASF:
            asf = decode_asf(int(number))
            return TagReading(d.id, raw, asf.rating, None, valid=asf.valid)
        if number > 255:
            return TagReading(d.id, raw, None, None, valid=False)
        return TagReading(d.id, raw, decode_popm(int(number)))
    fixed = TextScale.UNIT if d.codec is Codec.UNIT_TEXT else None
    text = decode_text(raw, pinned_scale=pinned_scale, fixed_scale=fixed)
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


# --- resolution of several tags in one file --------------------------------------------------


class ReadPolicyKind(StrEnum):
    PRIORITY = "priority"
    HIGHEST = "highest"
    LOWEST = "lowest"
    AVERAGE = "average"
    ASK = "ask"


DEFAULT_PRIORITY: tuple[str, ...] = (
    "popm:musicbee",
    "popm:mediamonkey",
    "popm:plex",
    "popm:windows",
    "popm:winamp",
    "txxx:fmps_rating",
    "txxx:rating",
    "popm:picard",
    "popm:quodlibet",
    "vorbis:rating",
    "vorbis:fmps_rating",
    "mp4:itunes_rate",
    "mp4:itunes_rating",
    "mp4:rate",
    "asf:shareduserrating",
    "ape:rating",
)


@dataclass(frozen=True, slots=True)
class ReadPolicy:
    """How to settle disagreeing tags. ``priority`` lists dialect ids, first present wins;
    tags it does not name come after it, in file order."""

    kind: ReadPolicyKind = ReadPolicyKind.PRIORITY
    priority: tuple[str, ...] = DEFAULT_PRIORITY

    @classmethod
    def parse(cls, kind: str, priority: Sequence[str] | None = None) -> ReadPolicy:
        try:
            parsed = ReadPolicyKind(kind.strip().lower())
        except ValueError:
            names = ", ".join(k.value for k in ReadPolicyKind)
            raise InvalidInput(f"unknown read policy {kind!r}; use one of: {names}") from None
        order = DEFAULT_PRIORITY if priority is None else tuple(priority)
        return cls(parsed, tuple(dialect(d).id for d in order))

    @classmethod
    def for_profile(
        cls, profile: WriteProfile, kind: ReadPolicyKind = ReadPolicyKind.PRIORITY
    ) -> ReadPolicy:
        """The default priority list: the profile's write dialects first, then the others."""
        return cls(kind, _unique((*profile.all_defaults(), *DEFAULT_PRIORITY)))


@dataclass(frozen=True, slots=True)
class Resolution:
    """A file's rating from its tags, and why.

    ``decided_by``: ``unrated`` (no tag holds a rating), ``agreement``, ``priority:<dialect>``,
    ``highest``, ``lowest``, ``average`` or ``ask`` (then ``needs_decision`` and no rating).
    Tags that hold no rating (unrated "0", invalid values) are evidence but have no vote.
    """

    rating: Rating | None
    disagreement: bool
    decided_by: str
    evidence: tuple[TagReading, ...]
    needs_decision: bool = False


def resolve(readings: Iterable[TagReading], policy: ReadPolicy) -> Resolution:
    evidence = tuple(readings)
    rated = [r for r in evidence if r.rating is not None]
    values = {r.rating for r in rated}
    if not rated:
        return Resolution(None, False, "unrated", evidence)
    if len(values) == 1:
        return Resolution(rated[0].rating, False, "agreement", evidence)
    ratings = [r.rating for r in rated if r.rating is not None]
    kind = policy.kind
    if kind is ReadPolicyKind.ASK:
        return Resolution(None, True, "ask", evidence, needs_decision=True)
    if kind is ReadPolicyKind.HIGHEST:
        return Resolution(max(ratings), True, "highest", evidence)
    if kind is ReadPolicyKind.LOWEST:
        return Resolution(min(ratings), True, "lowest", evidence)
    if kind is ReadPolicyKind.AVERAGE:
        mean = Fraction(sum(r.half_stars for r in ratings), len(ratings))
        return Resolution(Rating(round_half_up(mean)), True, "average", evidence)
    for dialect_id in policy.priority:
        for reading in rated:
            if reading.dialect == dialect_id:
                return Resolution(reading.rating, True, f"priority:{dialect_id}", evidence)
    first = rated[0]
    return Resolution(first.rating, True, f"priority:{first.dialect}", evidence)


# --- write profiles --------------------------------------------------------------------------

WriteMode = Literal["update_existing", "default_only", "replace_all"]
WRITE_MODES: tuple[WriteMode, ...] = ("update_existing", "default_only", "replace_all")


@dataclass(frozen=True, slots=True)
class WriteProfile:
    """Which tags a write touches: the mode and the default dialects per family.

    ``text_scale`` is how detected-scale text dialects are written when the library has not
    pinned a scale (percent, or stars5 for foobar2000-style setups).
    """

    name: str
    id3: tuple[str, ...]
    vorbis: tuple[str, ...] = ("vorbis:rating",)
    mp4: tuple[str, ...] = ("mp4:itunes_rate",)
    asf: tuple[str, ...] = ("asf:shareduserrating",)
    ape: tuple[str, ...] = ("ape:rating",)
    mode: WriteMode = "update_existing"
    text_scale: TextScale = TextScale.PERCENT

    def __post_init__(self) -> None:
        if self.mode not in WRITE_MODES:
            raise InvalidInput(f"unknown write mode {self.mode!r}; use one of: {WRITE_MODES}")
        if self.text_scale not in (TextScale.PERCENT, TextScale.STARS5):
            raise InvalidInput(
                "a profile writes text ratings as percent or stars5; other scales need the "
                "library to pin them"
            )
        for family in Family:
            ids = getattr(self, family.value)
            if not ids:
                raise InvalidInput(f"profile {self.name!r} has no default tag for {family}")
            normalised = tuple(dialect(i).id for i in ids)
            for i in normalised:
                if dialect(i).family is not family:
                    raise InvalidInput(f"{i} is not a {family} dialect")
            object.__setattr__(self, family.value, _unique(normalised))

    def defaults(self, family: Family) -> tuple[str, ...]:
        ids: tuple[str, ...] = getattr(self, family.value)
        return ids

    def all_defaults(self) -> tuple[str, ...]:
        return tuple(i for family in Family for i in self.defaults(family))

    def with_mode(self, mode: WriteMode) -> WriteProfile:
        return replace(self, mode=mode)


PRESETS: dict[str, WriteProfile] = {
    p.name: p
    for p in (
        WriteProfile("musicbee", id3=("popm:musicbee",)),
        WriteProfile("mediamonkey", id3=("popm:mediamonkey",)),
        WriteProfile("windows", id3=("popm:windows",)),
        WriteProfile(
            "foobar2000",
            id3=("txxx:rating",),
            mp4=("mp4:itunes_rating",),
            text_scale=TextScale.STARS5,
        ),
        WriteProfile(
            "picard",
            id3=("popm:picard",),
            vorbis=("vorbis:rating:users@musicbrainz.org",),
        ),
        WriteProfile(
            "quodlibet",
            id3=("popm:quodlibet",),
            vorbis=("vorbis:rating:quodlibet@lists.sacredchao.net",),
        ),
        WriteProfile("fmps", id3=("txxx:fmps_rating",), vorbis=("vorbis:fmps_rating",)),
        WriteProfile(
            "everything",
            id3=("popm:windows", "popm:musicbee", "txxx:fmps_rating"),
            vorbis=("vorbis:rating", "vorbis:fmps_rating"),
        ),
    )
}
PRESET_ALIASES: dict[str, str] = {
    "wmp": "windows",
    "foobar": "foobar2000",
    "strawberry": "fmps",
    "amarok": "fmps",
    "clementine": "fmps",
}


def preset(name: str, mode: WriteMode | None = None) -> WriteProfile:
    """A preset profile by name (case-insensitive, a few aliases such as ``wmp``)."""
    key = name.strip().lower()
    key = PRESET_ALIASES.get(key, key)
    profile = PRESETS.get(key)
    if profile is None:
        names = ", ".join(PRESETS)
        raise InvalidInput(f"unknown write profile {name!r}; presets: {names}")
    return profile if mode is None else profile.with_mode(mode)


def custom_profile(
    name: str,
    defaults: Iterable[str],
    *,
    mode: WriteMode = "update_existing",
    text_scale: TextScale = TextScale.PERCENT,
) -> WriteProfile:
    """A profile from a flat list of dialect ids; families it leaves out keep the usual default
    (``vorbis:rating``, ``mp4:itunes_rate``, ...; ID3: ``popm:windows``)."""
    by_family: dict[Family, list[str]] = {family: [] for family in Family}
    for dialect_id in defaults:
        d = dialect(dialect_id)
        by_family[d.family].append(d.id)
    fallback = WriteProfile("fallback", id3=("popm:windows",))
    chosen = {
        family.value: tuple(ids) or fallback.defaults(family) for family, ids in by_family.items()
    }
    return WriteProfile(
        name,
        id3=chosen["id3"],
        vorbis=chosen["vorbis"],
        mp4=chosen["mp4"],
        asf=chosen["asf"],
        ape=chosen["ape"],
        mode=mode,
        text_scale=text_scale,
    )


@dataclass(frozen=True, slots=True)
class TagWrite:
    """One tag to set: ``raw`` None removes it. ``expected`` is what it will read back as."""

    dialect: str
    raw: str | None
    expected: Rating | None


def plan_write(
    present: Sequence[TagReading],
    rating: Rating | None,
    profile: WriteProfile,
    family: Family,
    *,
    pinned_scale: TextScale | None = None,
) -> tuple[TagWrite, ...]:
    """The tags to change so a file with ``present`` tags says ``rating`` under ``profile``.

    Returns only real changes; an empty plan means the file already says it. Clearing
    (``rating`` None) touches the managed tags: every rating tag for update_existing and
    replace_all, the default tags for default_only. POPM frames are zeroed, never removed here.
    """
    present_ids = _unique(r.dialect for r in present)
    defaults = profile.defaults(family)
    if rating is None:
        managed = defaults if profile.mode == "default_only" else present_ids
        targets = [d for d in managed if d in present_ids]
        desired = {d: TagWrite(d, clear_value(d), None) for d in targets}
    else:
        if profile.mode == "update_existing":
            targets = list(present_ids) or list(defaults)
        else:
            targets = list(defaults)
        desired = {}
        for d in targets:
            reading = encode(d, rating, scale=profile.text_scale, pinned_scale=pinned_scale)
            desired[d] = TagWrite(d, reading.raw, reading.rating)
        if profile.mode == "replace_all":
            for d in present_ids:
                if d not in desired:
                    desired[d] = TagWrite(d, clear_value(d), None)
    return tuple(w for w in desired.values() if _changes_something(w, present))


def _changes_something(write: TagWrite, present: Sequence[TagReading]) -> bool:
    raws = [r.raw for r in present if r.dialect == write.dialect]
    if write.raw is None:
        return bool(raws)
    if dialect(write.dialect).codec is Codec.POPM:
        # every frame of the dialect is set (each keeps its counter); clearing a missing frame
        # is nothing to do
        if write.raw == "0":
            return any(raw != "0" for raw in raws)
        return not raws or any(raw != write.raw for raw in raws)
    return raws != [write.raw]
