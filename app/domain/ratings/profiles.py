"""Write profiles and write plans (pure): which tags a rating write touches.

A :class:`WriteProfile` names the write mode and the default dialects per tag family;
:data:`PRESETS` are the players' setups (MusicBee, foobar2000, ...); :func:`plan_write` plans
the tags to set or remove in one file from the tags it holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from app.domain.errors import InvalidInput
from app.domain.ratings.dialects import Codec, Family, TagReading, clear_value, dialect, encode
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating


def unique_in_order(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


WriteMode = Literal["update_existing", "default_only", "replace_all"]
WRITE_MODES: tuple[WriteMode, ...] = ("update_existing", "default_only", "replace_all")


class WriteModeName(StrEnum):
    """The write modes as a choice (CLI, forms): ``update_existing`` rewrites every rating tag
    a file has (or adds the defaults), ``default_only`` writes only the defaults,
    ``replace_all`` writes the defaults and removes the other rating tags."""

    UPDATE_EXISTING = "update_existing"
    DEFAULT_ONLY = "default_only"
    REPLACE_ALL = "replace_all"


class PresetName(StrEnum):
    """The preset write profiles as a choice (the keys of :data:`PRESETS`)."""

    MUSICBEE = "musicbee"
    MEDIAMONKEY = "mediamonkey"
    WINDOWS = "windows"
    WINAMP = "winamp"
    PMRS = "pmrs"
    FOOBAR2000 = "foobar2000"
    PICARD = "picard"
    QUODLIBET = "quodlibet"
    FMPS = "fmps"
    EVERYTHING = "everything"


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
            object.__setattr__(self, family.value, unique_in_order(normalised))

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
        WriteProfile("winamp", id3=("popm:winamp",)),
        # PlexMusicRatingsSync: its own POPM frame ("Plex"), Vorbis RATING and MP4 RATE percent
        WriteProfile("pmrs", id3=("popm:plex",)),
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
    "plex": "pmrs",
    "plexmusicratingssync": "pmrs",
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


def with_popm_email(profile: WriteProfile, email: str) -> WriteProfile:
    """``profile`` writing its MP3 (ID3) ratings to the POPM frame of ``email`` (a player's
    name such as ``winamp`` or ``plex`` works too) instead of its POPM defaults; its text
    defaults (TXXX) stay."""
    cleaned = email.strip()
    if not cleaned or any(ch in cleaned for ch in "\x00\n\r"):
        raise InvalidInput(f"a POPM email is one line of text, not {email!r}")
    popm = dialect(f"popm:{cleaned}").id
    others = tuple(d for d in profile.id3 if dialect(d).codec is not Codec.POPM)
    return replace(profile, name=f"{profile.name}+{popm}", id3=(popm, *others))


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
    present_ids = unique_in_order(r.dialect for r in present)
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
