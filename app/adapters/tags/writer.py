"""Writing a rating through a write profile, verified by re-reading."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from app.adapters.tags.files import open_media
from app.adapters.tags.formats import Kind, detect, format_of, parse
from app.adapters.tags.id3 import save_version
from app.adapters.tags.model import TagChange, WriteMethod, WriteOptions, WriteOutcome
from app.adapters.tags.reader import lean_parse
from app.adapters.tags.safe_write import Commit, PaddingFunction, Saver, commit
from app.adapters.tags.translate import from_os_error, from_parse_error
from app.domain.errors import HardlinkSkipped, MediaFileError, WriteNotVerified
from app.domain.ratings.dialects import Family, TagReading
from app.domain.ratings.profiles import TagWrite, WriteProfile, plan_write
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating

ID3V1_BYTES = 128
ID3V1_ENHANCED_BYTES = 227
LENGTH_TOLERANCE_S = 0.001


def write_rating(
    path: str | os.PathLike[str],
    rating: Rating | None,
    profile: WriteProfile,
    *,
    options: WriteOptions,
    pinned_scale: TextScale | None = None,
) -> WriteOutcome:
    """Make ``path`` say ``rating`` (None clears) through ``profile``; verified by a re-read.

    Raises only MediaFileError subclasses: HardlinkSkipped, WriteNotVerified (nothing was
    left half-written), ReadOnlyLocation, FileAccessDenied, CorruptFile, ...
    """
    name = os.fspath(path)
    with open_media(name, writable=not options.dry_run) as (handle, before):
        try:
            kind = detect(handle, name)
        except OSError as exc:
            raise from_os_error(exc, name, action="read") from exc
        audio = parse(kind, handle, name, for_write=True)
        file_format = format_of(kind, audio, handle, name)
        ops = kind.ops
        present = tuple(ops.readings(audio, pinned_scale))
        plan = plan_write(present, rating, profile, kind.family, pinned_scale=pinned_scale)
        changes = tuple(
            TagChange(
                w.dialect,
                tuple(r.raw for r in present if r.dialect == w.dialect),
                w.raw,
                w.expected,
            )
            for w in plan
        )

        def outcome(
            method: WriteMethod, tags: Sequence[TagReading], stat: os.stat_result
        ) -> WriteOutcome:
            return WriteOutcome(
                path=name,
                format=file_format,
                requested=rating,
                method=method,
                changes=changes if method != "unchanged" else (),
                tags=tuple(tags),
                size_bytes=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )

        if not plan:
            return outcome("unchanged", present, before)
        if options.dry_run:
            return outcome("dry_run", _planned(present, plan), before)
        if before.st_nlink > 1 and options.hardlinks == "skip":
            raise HardlinkSkipped(
                f"has {before.st_nlink} hardlinks (hardlinked_writes=skip)", path=name
            )
        length_s = getattr(audio.info, "length", None)
        save = _saver(kind, audio)  # before prepare(): a new ID3 tag is saved as v2.3
        try:
            ops.prepare(audio)
            ops.apply(audio, plan)
        except Exception as exc:  # mutagen refusing this file's tags (adding, upgrading)
            raise from_parse_error(exc, name, action="write") from exc
        verified: list[TagReading] = []

        def verify(fileobj: BinaryIO) -> None:
            verified[:] = _verify(kind, fileobj, name, plan, present, pinned_scale, length_s)

        fd = handle.fileno()
        tail = _id3v1_tail(fd, before.st_size) if kind.is_mp3 else b""
        method = commit(
            Commit(
                fd=fd,
                path=name,
                before=before,
                tail=tail,
                save=save,
                verify=verify,
                options=options,
            )
        )
        if method == "unchanged":
            return outcome("unchanged", present, before)
    try:
        after = Path(name).stat()
    except OSError as exc:
        raise from_os_error(exc, name, action="stat") from exc
    return outcome(method, verified, after)


def _saver(kind: Kind, audio: Any) -> Saver:
    """How to save this kind with mutagen (each file type takes different arguments)."""
    if kind.family is Family.ID3:
        version = save_version(audio)

        def save_id3(fileobj: Any, padding: PaddingFunction | None) -> None:
            extra = {"v1": 1} if kind.is_mp3 else {}
            audio.tags.save(fileobj, v2_version=version, padding=padding, **extra)

        return save_id3
    if kind.family is Family.APE:

        def save_ape(fileobj: Any, padding: PaddingFunction | None) -> None:
            audio.tags.save(fileobj)

        return save_ape

    def save(fileobj: Any, padding: PaddingFunction | None) -> None:
        audio.save(fileobj, padding=padding)

    return save


def _id3v1_tail(fd: int, size_bytes: int) -> bytes:
    """An MP3's trailing ID3v1 tag (and an enhanced "TAG+" block before it), kept verbatim."""
    if size_bytes < ID3V1_BYTES:
        return b""
    try:
        tail = os.pread(fd, ID3V1_BYTES, size_bytes - ID3V1_BYTES)
        if not tail.startswith(b"TAG"):
            return b""
        extended = ID3V1_BYTES + ID3V1_ENHANCED_BYTES
        if size_bytes >= extended:
            enhanced = os.pread(fd, ID3V1_ENHANCED_BYTES, size_bytes - extended)
            if enhanced.startswith(b"TAG+"):
                return enhanced + tail
    except OSError:
        return b""
    return tail


def _planned(present: Sequence[TagReading], plan: Sequence[TagWrite]) -> list[TagReading]:
    """What the tags will be after ``plan`` (for a dry run)."""
    planned = {w.dialect for w in plan}
    kept = [r for r in present if r.dialect not in planned]
    return kept + [TagReading(w.dialect, w.raw, w.expected) for w in plan if w.raw is not None]


def _verify(
    kind: Kind,
    fileobj: BinaryIO,
    path: str,
    plan: Sequence[TagWrite],
    present: Sequence[TagReading],
    pinned_scale: TextScale | None,
    length_s: float | None,
) -> list[TagReading]:
    """Re-read the written bytes: every planned tag says what was planned, every other rating
    tag is as it was, the audio length is unchanged. Raises WriteNotVerified otherwise."""
    audio = lean_parse(kind.format, fileobj, os.fstat(fileobj.fileno()).st_size, path)
    if audio is None:
        try:
            audio = parse(kind, fileobj, path, for_write=True)
        except MediaFileError as exc:
            raise WriteNotVerified(
                f"the written file does not parse: {exc.reason}", path=path
            ) from exc
    after = kind.ops.readings(audio, pinned_scale)
    problems: list[str] = []
    for write in plan:
        found = [r for r in after if r.dialect == write.dialect]
        if write.raw is None:
            if found:
                problems.append(f"{write.dialect} still present")
        elif write.raw == "0" and write.expected is None:
            if any(r.raw != "0" for r in found):
                problems.append(f"{write.dialect} not cleared")
        elif not found or any(r.raw != write.raw or r.rating != write.expected for r in found):
            shown = ", ".join(r.raw for r in found) or "nothing"
            problems.append(f"{write.dialect} reads {shown}, not {write.raw}")
    planned = {w.dialect for w in plan}
    others_before = Counter((r.dialect, r.raw) for r in present if r.dialect not in planned)
    others_after = Counter((r.dialect, r.raw) for r in after if r.dialect not in planned)
    if others_before != others_after:
        problems.append("other rating tags changed")
    new_length = getattr(audio.info, "length", None)
    if (
        isinstance(length_s, float)
        and isinstance(new_length, float)
        and abs(new_length - length_s) > LENGTH_TOLERANCE_S
    ):
        problems.append(f"audio length changed from {length_s:.3f} s to {new_length:.3f} s")
    if problems:
        raise WriteNotVerified("; ".join(problems), path=path)
    return after
