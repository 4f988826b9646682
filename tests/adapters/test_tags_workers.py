"""Tag reads and writes on worker processes: the same results as in-process, in order, errors as
values, drain-then-stop for writes, and an in-process fallback when a worker dies."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
from pathlib import Path

import pytest

from app.adapters.tags import WriteOptions, read_file, workers
from app.adapters.tags.model import FileTags
from app.adapters.tags.workers import (
    MIN_READ_PROCESSES,
    TagWorkers,
    WriteRequest,
    default_processes,
)
from app.domain.errors import CorruptFile, EmptyFile, FileVanished, MediaFileError
from app.domain.ratings.profiles import preset
from app.domain.ratings.resolution import ReadPolicy, ReadPolicyKind
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import ALL_FIXTURES

PROFILE = preset("everything")
POLICY = ReadPolicy.for_profile(PROFILE, ReadPolicyKind.PRIORITY)


@pytest.fixture
def library(tmp_path: Path) -> list[str]:
    """Every fixture three times, a corrupt file, a zero-byte file and a vanished one."""
    paths: list[str] = []
    for copy in range(3):
        for fixture in ALL_FIXTURES:
            target = tmp_path / f"{copy}-{fixture.name}"
            shutil.copyfile(fixture.path, target)
            paths.append(str(target))
    (tmp_path / "broken.mp3").write_bytes(b"ID3\x04\x00garbage" * 3)
    (tmp_path / "empty.flac").write_bytes(b"")
    paths[5:5] = [str(tmp_path / "broken.mp3"), str(tmp_path / "empty.flac")]
    paths.append(str(tmp_path / "gone.ogg"))
    return paths


def _summary(result: FileTags | MediaFileError) -> object:
    if isinstance(result, MediaFileError):
        return (type(result).__name__, result.path)  # mutagen's wording varies by process
    return result


def test_pool_reads_equal_in_process_reads_in_order(library: list[str]) -> None:
    with TagWorkers(1) as inline:
        expected = [_summary(r) for r in inline.read_many(library)]
    with TagWorkers(MIN_READ_PROCESSES, min_items=1) as pool:
        got = [_summary(r) for r in pool.read_many(library)]
        assert pool._pool is not None  # the reads really went through worker processes
    assert got == expected
    assert len(got) == len(library)
    errors = {r[0] for r in got if isinstance(r, tuple)}
    assert errors == {CorruptFile.__name__, EmptyFile.__name__, FileVanished.__name__}


def test_too_few_items_or_processes_stay_in_process(library: list[str]) -> None:
    with TagWorkers(4, min_items=len(library) + 1) as few:
        list(few.read_many(library))
        assert few._pool is None
    with TagWorkers(MIN_READ_PROCESSES - 1, min_items=1) as small:
        list(small.read_many(library))
        assert small._pool is None


def test_pool_writes_are_verified_and_in_order(library: list[str]) -> None:
    good = [p for p in library if os.path.exists(p) and os.path.getsize(p) > 100][:30]
    requests = [
        WriteRequest(path, Rating(2 * (1 + index % 5)), PROFILE, WriteOptions())
        for index, path in enumerate(good)
    ]
    requests.insert(3, WriteRequest(library[-1], Rating(6), PROFILE, WriteOptions()))
    with TagWorkers(2, min_items=1) as pool:
        outcomes = list(pool.write_many(requests))
        assert pool._pool is not None
    assert len(outcomes) == len(requests)
    assert isinstance(outcomes[3], FileVanished)
    for request, outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, MediaFileError):
            continue
        assert outcome.path == request.path
        assert read_file(request.path).resolve(POLICY).rating == request.rating


def test_a_stop_drains_the_writes_already_sent_and_sends_no_more(library: list[str]) -> None:
    good = [p for p in library if os.path.exists(p) and os.path.getsize(p) > 100]
    before = {path: Path(path).read_bytes() for path in good}
    requests = [WriteRequest(path, Rating(8), PROFILE, WriteOptions()) for path in good]
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(1)
        return len(asked) > 2  # two batches go out, then stop

    with TagWorkers(2, min_items=1) as pool:
        outcomes = list(pool.write_many(requests, should_stop=should_stop))
    assert 0 < len(outcomes) < len(requests)
    changed = [path for path in good if Path(path).read_bytes() != before[path]]
    written = [r.path for r, o in zip(requests, outcomes, strict=False) if o.method != "unchanged"]
    assert sorted(changed) == sorted(written)  # every write that happened was reported


def test_a_dead_worker_falls_back_to_reading_in_process(library: list[str]) -> None:
    with TagWorkers(MIN_READ_PROCESSES, min_items=1) as pool:
        assert len(list(pool.read_many(library[:40]))) == 40
        assert pool._pool is not None
        for process in list(pool._pool._processes.values()):  # what the OOM killer would do
            os.kill(process.pid, signal.SIGKILL)
        results = [_summary(r) for r in pool.read_many(library)]
    with TagWorkers(1) as inline:
        assert results == [_summary(r) for r in inline.read_many(library)]


def test_file_errors_cross_processes_intact() -> None:
    error = CorruptFile("not an MP3 frame", path="/music/ä.mp3")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is CorruptFile
    assert (copy.path, copy.reason, str(copy)) == (error.path, error.reason, str(error))


def test_default_processes_is_bounded() -> None:
    assert 1 <= default_processes() <= 4


def test_without_worker_processes_everything_runs_in_process(
    library: list[str], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("sem_open: function not implemented")  # a container without /dev/shm

    monkeypatch.setattr(workers, "ProcessPoolExecutor", no_processes)
    with TagWorkers(MIN_READ_PROCESSES, min_items=1) as pool:
        results = [_summary(r) for r in pool.read_many(library)]
    with TagWorkers(1) as inline:
        assert results == [_summary(r) for r in inline.read_many(library)]
    assert "working in-process" in caplog.text
