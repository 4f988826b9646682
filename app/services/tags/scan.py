"""A survey of the rating tags under a folder, for the dashboard and ``crossfade tags scan``.

Counts files per format, per dialect, and per detected text scale within each dialect, so a
person sees "vorbis:rating: 0–100 in 9,812 files, 1–5 in 3 files" and can pin the scale. An
ambiguous text value ("10": percent or tenths) is counted in the scale the folder's unambiguous
values of the same field use, and the summary says which scale it inferred. Files
that cannot be read are counted per error code (with the first few as examples); one bad file
never stops the scan.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.domain.errors import MediaFileError, NotFound
from app.domain.ratings.dialects import TagReading, decode
from app.domain.ratings.evidence import ScaleEvidence, TagSet, infer_scales
from app.domain.ratings.resolution import ReadPolicy, resolve
from app.domain.ratings.scales import SCALE_LABELS

EXAMPLE_FAILURES = 20
UNRATED_LABEL = "unrated"
INVALID_LABEL = "invalid"


class ScannedFile(Protocol):
    """What the survey looks at in one read file (``app.adapters.tags``' ``FileTags`` fits)."""

    @property
    def format(self) -> str: ...

    @property
    def tags(self) -> Sequence[TagReading]: ...


class ListFiles(Protocol):
    """The audio files under a folder, folders that cannot be listed reported to ``on_error``
    (``app.adapters.tags``' ``iter_audio_files`` fits)."""

    def __call__(
        self, root: str, *, on_error: Callable[[MediaFileError], None]
    ) -> Iterable[str]: ...


ReadFile = Callable[[str], ScannedFile]


@dataclass(frozen=True, slots=True)
class DialectCount:
    """Files holding one dialect; ``scales`` counts files per value kind (text scale label such
    as "0–100", "unrated" for 0, "invalid"), most common first. Byte and number dialects
    (POPM, WMA) have no scales."""

    dialect: str
    files: int
    scales: tuple[tuple[str, int], ...]
    inferred: str | None = None
    """The scale ambiguous values of this dialect were read in, and from how much evidence
    (``"0–100 (from 9,812 unambiguous value(s))"``); None: no evidence, per-value rule."""

    def line(self) -> str:
        if not self.scales:
            return f"{self.dialect}: {_count(self.files)}"
        parts = ", ".join(f"{label} in {_count(n)}" for label, n in self.scales)
        inferred = f"; inferred scale {self.inferred}" if self.inferred else ""
        return f"{self.dialect}: {parts}{inferred}"


@dataclass(frozen=True, slots=True)
class TagScanSummary:
    root: str
    files: int
    read: int
    rated: int
    disagreements: int
    formats: tuple[tuple[str, int], ...]
    dialects: tuple[DialectCount, ...]
    errors: tuple[tuple[str, int], ...]
    failures: tuple[tuple[str, str], ...]

    @property
    def failed(self) -> int:
        return sum(n for _code, n in self.errors)

    def lines(self) -> list[str]:
        """The summary as lines of text for people."""
        out = [
            f"{self.root}: {_count(self.files)}, {self.read:,} read, {self.failed:,} failed, "
            f"{self.rated:,} rated, {self.disagreements:,} with disagreeing tags"
        ]
        if self.formats:
            out.append("formats: " + ", ".join(f"{f} {n:,}" for f, n in self.formats))
        out.extend(d.line() for d in self.dialects)
        out.extend(f"error {code}: {_count(n)}" for code, n in self.errors)
        return out


def _count(files: int) -> str:
    return f"{files:,} file" + ("" if files == 1 else "s")


def _label(reading: TagReading) -> str | None:
    if not reading.valid:
        return INVALID_LABEL
    if reading.scale is not None:
        return SCALE_LABELS[reading.scale]
    if reading.rating is None:
        return UNRATED_LABEL
    return None


class _Tally:
    def __init__(self) -> None:
        self.files = 0
        self.read = 0
        self.rated = 0
        self.disagreements = 0
        self.formats: Counter[str] = Counter()
        self.dialect_files: Counter[str] = Counter()
        self.scale_files: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.errors: Counter[str] = Counter()
        self.failures: list[tuple[str, str]] = []
        self.policy = ReadPolicy()
        # distinct sets of rating tags and how many files hold each: decoded at the end, when
        # the whole folder's evidence for its text scales is known
        self.tag_sets: Counter[TagSet] = Counter()

    def add_tags(self, tags: ScannedFile) -> None:
        self.files += 1
        self.read += 1
        self.formats[tags.format] += 1
        self.tag_sets[tuple((r.dialect, r.raw) for r in tags.tags)] += 1

    def _count_tags(self, tags: TagSet, files: int, evidence: ScaleEvidence) -> None:
        """Count ``files`` files holding ``tags``, decoded with the folder's evidence."""
        readings = [decode(d, raw, evidence=evidence.order(d)) for d, raw in tags]
        resolution = resolve(readings, self.policy)
        self.rated += files * (resolution.rating is not None)
        self.disagreements += files * resolution.disagreement
        for dialect in {r.dialect for r in readings}:
            self.dialect_files[dialect] += files
        labels = {(r.dialect, _label(r)) for r in readings}
        for dialect, label in labels:
            if label is not None:
                self.scale_files[dialect][label] += files

    def add_error(self, error: MediaFileError, *, counts_as_file: bool) -> None:
        self.files += counts_as_file
        self.errors[error.code] += 1
        if len(self.failures) < EXAMPLE_FAILURES:
            self.failures.append((error.path, error.reason))

    def summary(self, root: str) -> TagScanSummary:
        evidence = infer_scales(self.tag_sets.items())
        for tags, files in self.tag_sets.items():
            self._count_tags(tags, files, evidence)
        dialects = tuple(
            DialectCount(
                dialect,
                files,
                tuple(sorted(self.scale_files[dialect].items(), key=lambda kv: (-kv[1], kv[0]))),
                evidence.describe(dialect),
            )
            for dialect, files in sorted(self.dialect_files.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        return TagScanSummary(
            root=root,
            files=self.files,
            read=self.read,
            rated=self.rated,
            disagreements=self.disagreements,
            formats=tuple(sorted(self.formats.items(), key=lambda kv: (-kv[1], kv[0]))),
            dialects=dialects,
            errors=tuple(sorted(self.errors.items(), key=lambda kv: (-kv[1], kv[0]))),
            failures=tuple(self.failures),
        )


def scan_tags(
    root: str | os.PathLike[str],
    *,
    read: ReadFile,
    list_files: ListFiles,
    progress: Callable[[int], None] | None = None,
) -> TagScanSummary:
    """Read every audio file under ``root`` (no pinned scale: the point is to see the scales)
    and summarise. ``progress`` gets the number of files done so far after each file.
    ``read`` and ``list_files`` are the tag adapter's (``read_file``, ``iter_audio_files``),
    handed in by the caller."""
    name = os.fspath(root)
    if not Path(name).is_dir():
        raise NotFound(f"no such folder: {name}")
    tally = _Tally()

    def folder_failed(error: MediaFileError) -> None:
        tally.add_error(error, counts_as_file=False)

    for path in list_files(name, on_error=folder_failed):
        try:
            tally.add_tags(read(path))
        except MediaFileError as error:
            tally.add_error(error, counts_as_file=True)
        if progress is not None:
            progress(tally.files)
    return tally.summary(name)
