"""The Plex and Jellyfin naming grammars: parse and render movie folder and video names.

Pure functions over names, following docs/MIRROR.md (jellyplex-sync 0.5.0's grammar with its
known bugs fixed). The shared vocabulary and rules are :mod:`app.domain.mirror.naming`;
:func:`parse_folder`, :func:`parse_video`, :func:`render_folder` and :func:`render_video` are
the format-neutral entry points.
"""

from __future__ import annotations

import re

from app.domain.mirror.naming import (
    PROVIDERS,
    REASON_MULTIPLE_RESOLUTIONS,
    REASON_NO_VERSION_LABEL,
    REASON_ONE_PROVIDER,
    REASON_UNKNOWN_PROVIDER,
    Format,
    Loss,
    MovieName,
    VideoName,
    jellyfin_resolution,
    plex_resolution,
    split_inline_extra,
    split_part,
    split_suffix,
)

_WHITESPACE = re.compile(r"\s+")
_HASH = re.compile(r"[0-9a-f]{8}")


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _relative_rest(stem: str, folder_name: str) -> str | None:
    """The part of ``stem`` after its folder-name prefix, or None when it has no such prefix."""
    if folder_name and stem.startswith(folder_name):
        return stem[len(folder_name) :]
    return None


# --------------------------------------------------------------------------------------------
# Plex grammar
# --------------------------------------------------------------------------------------------

_PLEX_BRACE = re.compile(r"\{([A-Za-z]+)-([^}]+)\}")
_PLEX_BRACKET = re.compile(r"\[([^]]+)\]")
_PLEX_TITLE_YEAR = re.compile(r"^(?P<title>.+?)\s+\((?P<year>\d{4})\)")


def parse_plex_folder(name: str) -> MovieName | None:
    """``Title (Year) {imdb-tt…} {tmdb-…}`` -> identity; None when no title is left."""
    ids: dict[str, str] = {}
    for key, value in _PLEX_BRACE.findall(name):
        provider = key.lower()
        if provider in PROVIDERS:
            ids[provider] = value.strip()
    leftover = _PLEX_BRACE.sub("", name)
    leftover = _collapse(_PLEX_BRACKET.sub("", leftover))
    match = _PLEX_TITLE_YEAR.match(leftover)
    if match:
        title, year = match.group("title").strip(), match.group("year")
    else:
        title, year = leftover, None
    if not title:
        return None
    return MovieName(title=title, year=year, ids=tuple(ids.items()))


def parse_plex_video(name: str, folder_name: str) -> VideoName:
    """``<folder> {edition-X} [label] [label].ext`` -> edition, labels, part, extra."""
    stem, extension = split_suffix(name)
    extra = split_inline_extra(stem)
    if extra is not None:
        return VideoName(extension=extension, extra=extra[1])
    stem, part = split_part(stem, folder_name)
    rest = _relative_rest(stem, folder_name)
    text = stem if rest is None else rest
    edition: str | None = None
    for key, value in _PLEX_BRACE.findall(text):
        if key.lower() == "edition":
            edition = value
    leftover = _PLEX_BRACE.sub("", text)
    labels = [label.strip() for label in _PLEX_BRACKET.findall(leftover)]
    disambiguator: str | None = None
    for index in range(len(labels) - 1, -1, -1):
        if _HASH.fullmatch(labels[index]):
            disambiguator = labels.pop(index)
            break
    return VideoName(
        extension=extension,
        edition=edition,
        labels=tuple(labels),
        disambiguator=disambiguator,
        part=part,
    )


def render_plex_folder(movie: MovieName) -> str:
    parts = [movie.title]
    if movie.year:
        parts.append(f"({movie.year})")
    for provider in PROVIDERS:
        value = movie.id_of(provider)
        if value is not None:
            parts.append(f"{{{provider}-{value}}}")
    return " ".join(parts)


def render_plex_video(folder_name: str, video: VideoName) -> str:
    parts = [folder_name]
    if video.edition:
        parts.append(f"{{edition-{video.edition}}}")
    parts.extend(f"[{label}]" for label in video.labels)
    if video.disambiguator:
        parts.append(f"[{video.disambiguator}]")
    stem = " ".join(parts)
    if video.part:
        stem = f"{stem} - {video.part}"
    return f"{stem}{video.extension}"


# --------------------------------------------------------------------------------------------
# Jellyfin grammar
# --------------------------------------------------------------------------------------------

_JELLYFIN_ID = re.compile(r"\[([a-zA-Z]+id)-([^\]]+)\]")
_JELLYFIN_ID_ONLY = re.compile(r"^\[[a-zA-Z]+id-[^\]]+\]$")
_JELLYFIN_CUT_VARIANT = re.compile(r"^(?P<base>.+?\s+\(\d{4}\))\s+-\s+.+$")
_JELLYFIN_TITLE_YEAR = re.compile(r"^(?P<title>.+?)(?:\s+\((?P<year>\d{4})\))?(?:\s*-\s*)?$")
_JELLYFIN_ANCHOR = re.compile(r"\(\d{4}\)|\[[a-zA-Z]+id-[^\]]+\]")
_TRAILING_HASH = re.compile(r"(?:^|\s+)\[(?P<hash>[0-9a-f]{8})\]$")


def parse_jellyfin_folder(name: str) -> MovieName | None:
    """``Title (Year) [imdbid-tt…]`` -> identity; None when no title is left."""
    ids: dict[str, str] = {}
    for key, value in _JELLYFIN_ID.findall(name):
        provider = key.lower().removesuffix("id")
        if provider in PROVIDERS:
            ids[provider] = value
    leftover = _collapse(_JELLYFIN_ID.sub("", name))
    cut = _JELLYFIN_CUT_VARIANT.match(leftover)
    if cut:
        leftover = cut.group("base")
    match = _JELLYFIN_TITLE_YEAR.match(leftover)
    if not match:
        return None
    title = (match.group("title") or "").strip()
    if not title:
        return None
    return MovieName(title=title, year=match.group("year"), ids=tuple(ids.items()))


def _jellyfin_version_label(stem: str, folder_name: str) -> str | None:
    """The text after the `` - `` version separator, relative to the folder name (Fix), or
    None when the video has no version label."""
    rest = _relative_rest(stem, folder_name)
    if rest is not None:
        if rest.startswith(" - "):
            return rest[3:].strip() or None
        if not rest.strip():
            return None
    # Not prefixed with its folder's name: only a separator after the year or the provider id
    # counts, else jellyplex-sync's rule (the last `` - ``).
    anchors = list(_JELLYFIN_ANCHOR.finditer(stem))
    if anchors:
        index = stem.find(" - ", anchors[-1].end())
        if index < 0:
            return None
        return stem[index + 3 :].strip() or None
    pieces = stem.split(" - ")
    if len(pieces) <= 1:
        return None
    last = pieces[-1].strip()
    if _JELLYFIN_ID_ONLY.match(last):
        return None
    return last or None


def _split_version_label(label: str) -> tuple[str | None, str | None]:
    """(canonical Plex resolution, edition): the first, else the last, word may be a
    resolution; everything else is the edition."""
    words = label.split(" ")
    resolution = plex_resolution(words[0])
    if resolution:
        return resolution, " ".join(words[1:]).strip() or None
    if len(words) > 1:
        resolution = plex_resolution(words[-1])
        if resolution:
            return resolution, " ".join(words[:-1]).strip() or None
    return None, label


def parse_jellyfin_video(name: str, folder_name: str) -> VideoName:
    """``<folder> - <res> <edition> [hash] - pt1.ext`` -> resolution, edition, hash, part."""
    stem, extension = split_suffix(name)
    extra = split_inline_extra(stem)
    if extra is not None:
        return VideoName(extension=extension, extra=extra[1])
    stem, part = split_part(stem, folder_name)
    label = _jellyfin_version_label(stem, folder_name)
    if label is None:
        return VideoName(extension=extension, part=part)
    disambiguator: str | None = None
    trailing = _TRAILING_HASH.search(label)
    if trailing:
        disambiguator = trailing.group("hash")
        label = label[: trailing.start()]
    label = label.lstrip("[").rstrip("]")
    if not label:
        return VideoName(extension=extension, disambiguator=disambiguator, part=part)
    resolution, edition = _split_version_label(label)
    return VideoName(
        extension=extension,
        edition=edition,
        labels=(resolution,) if resolution else (),
        disambiguator=disambiguator,
        part=part,
    )


def render_jellyfin_folder(movie: MovieName) -> tuple[str, tuple[Loss, ...]]:
    """Folder name with one provider id (imdb > tmdb > tvdb); the others are losses."""
    parts = [movie.title]
    if movie.year:
        parts.append(f"({movie.year})")
    primary = next((p for p in PROVIDERS if movie.id_of(p) is not None), None)
    if primary is not None:
        parts.append(f"[{primary}id-{movie.id_of(primary)}]")
    losses = tuple(
        Loss(
            "attribute",
            key,
            value,
            REASON_ONE_PROVIDER if key in PROVIDERS else REASON_UNKNOWN_PROVIDER,
        )
        for key, value in movie.ids
        if key != primary
    )
    return " ".join(parts), losses


def jellyfin_version(video: VideoName) -> tuple[str, tuple[Loss, ...]]:
    """The Jellyfin version label (without hash) for a video, and what it cannot express."""
    resolution: str | None = None
    losses: list[Loss] = []
    for label in video.labels:
        word = jellyfin_resolution(label)
        if word is None:
            losses.append(Loss("label", None, label, REASON_NO_VERSION_LABEL))
        elif resolution is None:
            resolution = word
        else:
            losses.append(Loss("label", None, label, REASON_MULTIPLE_RESOLUTIONS))
    words = [w for w in (resolution, video.edition) if w]
    return " ".join(words), tuple(losses)


def render_jellyfin_video(folder_name: str, video: VideoName) -> tuple[str, tuple[Loss, ...]]:
    label, losses = jellyfin_version(video)
    if video.disambiguator:
        label = f"{label} [{video.disambiguator}]" if label else f"[{video.disambiguator}]"
    stem = f"{folder_name} - {label}" if label else folder_name
    if video.part:
        stem = f"{stem} - {video.part}"
    return f"{stem}{video.extension}", losses


# --------------------------------------------------------------------------------------------
# format-neutral entry points
# --------------------------------------------------------------------------------------------


def parse_folder(fmt: Format, name: str) -> MovieName | None:
    return parse_plex_folder(name) if fmt == "plex" else parse_jellyfin_folder(name)


def parse_video(fmt: Format, name: str, folder_name: str) -> VideoName:
    if fmt == "plex":
        return parse_plex_video(name, folder_name)
    return parse_jellyfin_video(name, folder_name)


def render_folder(fmt: Format, movie: MovieName) -> tuple[str, tuple[Loss, ...]]:
    if fmt == "plex":
        return render_plex_folder(movie), ()
    return render_jellyfin_folder(movie)


def render_video(fmt: Format, folder_name: str, video: VideoName) -> tuple[str, tuple[Loss, ...]]:
    if fmt == "plex":
        return render_plex_video(folder_name, video), ()
    return render_jellyfin_video(folder_name, video)
