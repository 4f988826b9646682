"""Crash safety: a process writing ratings is SIGKILLed at random moments, many times. After
every kill each file still opens with mutagen and our reader, and its audio bytes are the ones
it started with (the write landed whole or not at all)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import time
from pathlib import Path
from typing import NoReturn

import mutagen

from app.adapters.tags import WriteOptions, read_file, write_rating
from app.adapters.tags.safe_write import is_crossfade_temp
from app.domain.ratings.profiles import preset
from app.domain.ratings.value import Rating
from tests.adapters.tags_support import (
    ALL_FIXTURES,
    audio_fingerprint,
    copy_fixture,
    fork,
    without_padding,
)

ROUNDS = 40
MAX_WAIT_S = 0.06
PROFILES = [
    preset("everything", "replace_all"),
    preset("fmps", "replace_all"),
    preset("musicbee", "replace_all"),
    preset("foobar2000", "replace_all"),
]


def _hammer(paths: list[Path], seed: int, progress_fd: int) -> NoReturn:
    """The child: write ratings to every file, forever (until killed)."""
    try:
        rng = random.Random(seed)
        while True:
            for path in rng.sample(paths, len(paths)):
                rating = Rating(rng.randint(1, 10))
                write_rating(path, rating, rng.choice(PROFILES), options=WriteOptions())
                os.write(progress_fd, b".")
    finally:
        os._exit(1)


def test_sigkill_while_writing_never_corrupts(tmp_path: Path) -> None:
    pristine_dir = tmp_path / "pristine"
    work_dir = tmp_path / "work"
    pristine_dir.mkdir()
    work_dir.mkdir()
    pristine = [without_padding(copy_fixture(f, pristine_dir)) for f in ALL_FIXTURES]
    baseline = {p.name: audio_fingerprint(p) for p in pristine}
    work = [work_dir / p.name for p in pristine]
    rng = random.Random(20260101)
    writes = 0
    for round_number in range(ROUNDS):
        if round_number % 2 == 0:  # fresh files without padding: the next writes are rewrites
            for source, target in zip(pristine, work, strict=True):
                shutil.copyfile(source, target)
        read_fd, write_fd = os.pipe()
        pid = fork()
        if pid == 0:
            os.close(read_fd)
            _hammer(work, round_number, write_fd)
        os.close(write_fd)
        started = os.read(read_fd, 1)  # wait until the child has written once
        assert started == b".", "the writing child died before its first write"
        time.sleep(rng.uniform(0.0, MAX_WAIT_S))
        os.kill(pid, signal.SIGKILL)
        _pid, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        with os.fdopen(read_fd, "rb") as progress:
            writes += 1 + len(progress.read())
        for path in work:
            assert mutagen.File(path) is not None, path.name
            assert audio_fingerprint(path) == baseline[path.name], path.name
            assert read_file(path).meta.title == "Fixture Tone", path.name
    assert writes >= ROUNDS  # every child was writing when it was killed
    strays = [p.name for p in work_dir.iterdir() if p not in work]
    assert all(is_crossfade_temp(name) for name in strays), strays
