"""A music folder as a rating side: a folder of audio files whose tags hold ratings, read under
the folder's read policy and written with its write profile, with a file-state cache so that a
file whose size and mtime did not change is not opened again."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from app.adapters.tags import FileTags, TrackMeta, WriteOptions, read_file
from app.adapters.tags.listing import iter_audio_stats
from app.adapters.tags.model import WriteOutcome
from app.adapters.tags.workers import TagWorkers, WriteRequest
from app.domain.errors import MediaFileError, SetupError, WriteNotVerified
from app.domain.match_keys import TrackInfo
from app.domain.ratings.dialects import TagReading, decode
from app.domain.ratings.evidence import ScaleEvidence, TagSet, infer_scales
from app.domain.ratings.profiles import WriteProfile
from app.domain.ratings.records import FileCache, FileStateRecord
from app.domain.ratings.resolution import ReadPolicy, Resolution, resolve
from app.domain.ratings.scales import TextScale
from app.domain.ratings.value import Rating
from app.services.ports import (
    FileStateRepositoryPort,
    RatingWrite,
    Reporter,
    SideItem,
    Written,
    never_stop,
)
from app.services.ratings.sides import only_outcome, stop_check


@dataclass(frozen=True, slots=True)
class FolderOptions:
    profile: WriteProfile
    read_policy: ReadPolicy
    pinned_scale: TextScale | None
    write_options: WriteOptions
    file_cache: FileCache = FileCache.USE


def describe_evidence(resolution: Resolution) -> str:
    """``"popm:musicbee 196 (4★)"``: every reading behind a file's rating, with its value."""
    if not resolution.evidence:
        return "no rating tag"
    shown = [
        f"{reading.dialect} {reading.raw} ({reading.rating or 'unrated'})"
        for reading in resolution.evidence
    ]
    return ", ".join(shown)


def _meta_dict(meta: TrackMeta) -> dict[str, object]:
    return {
        "title": meta.title,
        "artist": meta.artist,
        "album": meta.album,
        "album_artist": meta.album_artist,
        "track_number": meta.track_number,
        "disc_number": meta.disc_number,
        "duration_s": meta.duration_s,
        "mbid": meta.musicbrainz_recording_id,
    }


def _cached_track(key: str, path: str, meta: dict[str, object]) -> TrackInfo:
    """The match metadata a file state cached (written by :func:`_meta_dict`); a value of
    the wrong type (a damaged row) counts as missing."""
    get = meta.get
    title, artist, album = get("title"), get("artist"), get("album")
    album_artist, mbid = get("album_artist"), get("mbid")
    track_no, disc_no, duration = get("track_number"), get("disc_number"), get("duration_s")
    return TrackInfo(
        id=key,
        path=path,
        title=title if isinstance(title, str) else None,
        artist=artist if isinstance(artist, str) else None,
        album=album if isinstance(album, str) else None,
        album_artist=album_artist if isinstance(album_artist, str) else None,
        track_no=track_no if isinstance(track_no, int) else None,
        disc_no=disc_no if isinstance(disc_no, int) else None,
        duration_s=float(duration) if isinstance(duration, int | float) else None,
        mbid=mbid if isinstance(mbid, str) else None,
    )


def _lazy_track(key: str, path: str, state: FileStateRecord) -> Callable[[], TrackInfo]:
    return lambda: _cached_track(key, path, state.match_meta())


def _read_track(key: str, path: str, meta: TrackMeta) -> TrackInfo:
    return TrackInfo(
        id=key,
        path=path,
        title=meta.title,
        artist=meta.artist,
        album=meta.album,
        album_artist=meta.album_artist,
        track_no=meta.track_number,
        disc_no=meta.disc_number,
        duration_s=meta.duration_s,
        mbid=meta.musicbrainz_recording_id,
    )


@dataclass(frozen=True, slots=True)
class _Rated:
    """What a file's rating tags say under the folder's read policy."""

    rating: Rating | None
    evidence: str
    undecided: bool
    disagreement: bool
    choices: tuple[int, ...] = ()


class FolderRatingSide:
    """A folder of audio files whose tags hold ratings, with a file-state cache so a file whose
    size and mtime did not change is not opened again."""

    holds_files = True
    scans_in_child = False

    def __init__(
        self,
        root: str,
        library_id: int,
        options: FolderOptions,
        repository: FileStateRepositoryPort,
        *,
        label: str,
        workers: TagWorkers | None = None,
    ) -> None:
        self._root = os.path.abspath(root)
        self._workers = workers if workers is not None else TagWorkers(1)
        self._library_id = library_id
        self._options = options
        self._repository = repository
        self.label = label
        self._pending: dict[str, FileStateRecord] = {}
        # The file states the scan started from (None until loaded).
        self._known: dict[str, FileStateRecord] | None = None
        self._gone: list[str] = []
        self.files_read = 0
        self.files_cached = 0
        # decode() and resolve() are pure and a library holds few distinct sets of rating tags:
        # a scan of 100,000 cached files resolves each distinct set once.
        self._rated: dict[TagSet, _Rated] = {}
        # What the folder's unambiguous text values say about their scales (set by a scan).
        self.evidence = ScaleEvidence()

    def local_path(self, key: str) -> str:
        return os.path.join(self._root, key)

    def _key_and_path(self, path: str) -> tuple[str, str]:
        """A walked file's key and :meth:`local_path` (the walk joined it onto the root)."""
        prefix = self._root if self._root.endswith(os.sep) else self._root + os.sep
        if path.startswith(prefix):
            return path[len(prefix) :], path
        key = os.path.relpath(path, self._root)
        return key, self.local_path(key)

    def _cached_rated(self, tags: TagSet) -> _Rated:
        rated = self._rated.get(tags)
        if rated is None:
            pinned, evidence = self._options.pinned_scale, self.evidence
            readings = tuple(
                decode(dialect, raw, pinned_scale=pinned, evidence=evidence.order(dialect))
                for dialect, raw in tags
            )
            rated = self._rated[tags] = self._resolved(readings)
        return rated

    def _learn_scales(self, tag_sets: Counter[TagSet]) -> None:
        """Infer the text scales from the scanned values; a pinned scale needs no evidence."""
        if self._options.pinned_scale is None:
            self.evidence = infer_scales(tag_sets.items())
            self._rated.clear()

    def _resolved(self, readings: tuple[TagReading, ...]) -> _Rated:
        resolution = resolve(readings, self._options.read_policy)
        return _Rated(
            rating=resolution.rating,
            evidence=describe_evidence(resolution),
            undecided=resolution.needs_decision,
            disagreement=resolution.disagreement,
            choices=_choices(resolution) if resolution.needs_decision else (),
        )

    @staticmethod
    def _item(
        key: str, track: TrackInfo | Callable[[], TrackInfo], rated: _Rated, mtime_ns: int
    ) -> SideItem:
        return SideItem(
            key=key,
            track=track,
            rating=rated.rating,
            rated_at_s=mtime_ns / 1e9,
            evidence=rated.evidence,
            undecided=rated.undecided,
            disagreement=rated.disagreement,
            choices=rated.choices,
        )

    def _state(self, tags: FileTags, key: str) -> FileStateRecord:
        return FileStateRecord(
            rel_path=key,
            size_bytes=tags.size_bytes,
            mtime_ns=tags.mtime_ns,
            format=tags.format,
            tags=tuple((reading.dialect, reading.raw) for reading in tags.tags),
            meta=_meta_dict(tags.meta),
        )

    def scan(self, reporter: Reporter, phase: str) -> list[SideItem]:
        """Walk the folder (one stat per file); files whose size and mtime match their cached
        state are not opened; the others are read, on worker processes when they are many."""
        if not os.path.isdir(self._root):
            raise SetupError(f"music folder {self._root} is missing or not a folder")
        cached = self._known if self._known is not None else self._load()
        reporter.progress(phase, 0, len(cached) or None)
        # (key, track, rating tags, mtime): rated once the whole folder's scales are known
        slots: list[tuple[str, TrackInfo | Callable[[], TrackInfo], TagSet, int] | None] = []
        to_read: list[tuple[int, str, str]] = []  # (slot, key, path)

        def on_error(error: MediaFileError) -> None:
            reporter.event("unreadable", error.path, level="error", detail=error.reason)
            reporter.counter("errors")

        unseen = dict(cached)
        trust_cache = self._options.file_cache is FileCache.USE
        for path, size_bytes, mtime_ns in iter_audio_stats(self._root, on_error=on_error):
            key, local_path = self._key_and_path(path)
            state = unseen.pop(key, None)
            if (
                trust_cache
                and state is not None
                and state.size_bytes == size_bytes
                and state.mtime_ns == mtime_ns
            ):
                self.files_cached += 1
                slots.append((key, _lazy_track(key, local_path, state), state.tags, mtime_ns))
            else:
                to_read.append((len(slots), key, path))
                slots.append(None)
            if len(slots) % 1000 == 0:
                reporter.check_cancelled()
                reporter.progress(phase, self.files_cached, max(len(cached), len(slots)))
        self._gone = list(unseen)

        results = self._workers.read_many(
            [path for _, _, path in to_read],
            pinned_scale=self._options.pinned_scale,
            should_stop=stop_check(reporter),
        )
        for done, ((slot, key, _path), result) in enumerate(zip(to_read, results, strict=True)):
            if done % 500 == 0:
                reporter.check_cancelled()
                reporter.progress(phase, self.files_cached + done, len(slots))
            if isinstance(result, MediaFileError):
                on_error(result)
                continue
            self.files_read += 1
            state = self._pending[key] = self._state(result, key)
            track = _read_track(key, self.local_path(key), result.meta)
            slots[slot] = (key, track, state.tags, result.mtime_ns)
        if self._options.file_cache is FileCache.CLEAR:
            # forget the states of files that could not be read again, too
            self._gone.extend(key for _slot, key, _path in to_read if key not in self._pending)
        reporter.counter("files_read", self.files_read)
        reporter.counter("files_cached", self.files_cached)
        scanned = [slot for slot in slots if slot is not None]
        self._learn_scales(Counter(tags for _key, _track, tags, _mtime in scanned))
        return [
            self._item(key, track, self._cached_rated(tags), mtime_ns)
            for key, track, tags, mtime_ns in scanned
        ]

    def _request(self, key: str, rating: Rating | None) -> WriteRequest:
        return WriteRequest(
            self.local_path(key),
            rating,
            self._options.profile,
            self._options.write_options,
            self._options.pinned_scale,
        )

    def write(self, key: str, rating: Rating | None, *, rated_at_s: float | None) -> Rating | None:
        return only_outcome(self.write_many([RatingWrite(key, rating, rated_at_s)]))

    def write_many(
        self, writes: Sequence[RatingWrite], *, should_stop: Callable[[], bool] = never_stop
    ) -> Iterator[Written]:
        """Tags written on worker processes when there are many; settled here in order."""
        requests = [self._request(w.key, w.rating) for w in writes]
        outcomes = self._workers.write_many(requests, should_stop=should_stop)
        for write, outcome in zip(writes, outcomes, strict=False):
            if isinstance(outcome, MediaFileError):
                yield outcome
                continue
            try:
                yield self._settled(write.key, write.rating, outcome)
            except MediaFileError as error:
                yield error

    def _settled(self, key: str, rating: Rating | None, outcome: WriteOutcome) -> Rating | None:
        """What a write left in the file under the read policy; its new file state kept."""
        resolved = self._cached_rated(_tag_set(outcome.tags)).rating
        # "unchanged": the file already holds what the profile writes for this rating (a ½★
        # that a detected-scale text tag can only hold as 1★, say): a lossy no-op, not a lie.
        if not outcome.lossy and outcome.method != "unchanged" and resolved != rating:
            raise WriteNotVerified(
                f"wrote {rating or 'unrated'} but the file reads {resolved or 'unrated'}",
                path=self.local_path(key),
            )
        previous = self._pending.get(key)
        if previous is not None or key not in self._gone:
            self._pending[key] = FileStateRecord(
                rel_path=key,
                size_bytes=outcome.size_bytes,
                mtime_ns=outcome.mtime_ns,
                format=outcome.format,
                tags=tuple((reading.dialect, reading.raw) for reading in outcome.tags),
                meta=previous.match_meta() if previous is not None else self._cached_meta(key),
            )
        return resolved

    def _cached_meta(self, key: str) -> dict[str, object]:
        known = (self._known or {}).get(key)
        if known is not None:
            return known.match_meta()
        try:
            return _meta_dict(read_file(self.local_path(key)).meta)
        except MediaFileError:
            return {}

    def read(self, key: str) -> Rating | None:
        tags = read_file(self.local_path(key), pinned_scale=self._options.pinned_scale)
        return self._cached_rated(_tag_set(tags.tags)).rating

    def load_state(self) -> None:
        self._load()

    def _load(self) -> dict[str, FileStateRecord]:
        self._known = self._repository.file_states(self._library_id)
        return self._known

    def commit(self) -> None:
        self._repository.save_file_states(
            self._library_id, list(self._pending.values()), gone=self._gone, stored=self._known
        )
        self._pending.clear()
        self._gone = []

    def close(self) -> None:
        """Stop the tag workers (files are opened per read and write)."""
        self._workers.close()


def _tag_set(readings: Sequence[TagReading]) -> TagSet:
    return tuple((reading.dialect, reading.raw) for reading in readings)


def _choices(resolution: Resolution) -> tuple[int, ...]:
    """The distinct half-star values a file's disagreeing tags hold, lowest first."""
    return tuple(sorted({r.rating.half_stars for r in resolution.evidence if r.rating is not None}))
