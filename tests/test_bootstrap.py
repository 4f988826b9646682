import logging
import socket
import stat
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.adapters.db import migrate
from app.adapters.db.jobs import JobRepository
from app.bootstrap import build_container, build_job_kinds, secure_data_dir
from app.domain.jobs import JobStatus, JobTrigger, RunnerId
from app.settings import KEY_FILE_NAME, Settings, load_settings

Waiter = Callable[..., None]


def dead_runner_id() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return str(RunnerId(socket.gethostname(), child.pid, "1"))


def test_job_kinds_include_selftest() -> None:
    assert "selftest" in build_job_kinds()


def test_restart_interrupts_jobs_of_the_dead_process_and_runs_queued_ones(
    settings: Settings, wait: Waiter
) -> None:
    first = build_container(settings)
    first.startup()
    repo = first.job_repository
    now = datetime.now(UTC)
    orphan = repo.insert(
        kind="selftest",
        params={"steps": 3, "step_s": 0.0, "fail_at": None},
        dry_run=False,
        trigger=JobTrigger.UI,
        lock_key="lib:1+lib:2",
        now=now,
    )
    repo.claim(orphan.id, runner_id=dead_runner_id(), now=now)
    waiting = repo.insert(
        kind="selftest",
        params={"steps": 2, "step_s": 0.0, "fail_at": None},
        dry_run=False,
        trigger=JobTrigger.UI,
        lock_key="selftest",
        now=now,
    )
    first.engine.dispose()

    second = build_container(settings)
    try:
        report = second.startup()
        assert report.schema_revision == migrate.head_revision()
        assert report.interrupted_job_ids == [orphan.id]
        assert report.resubmitted_job_ids == [waiting.id]
        jobs = second.jobs
        assert jobs.get(orphan.id).status is JobStatus.INTERRUPTED
        wait(lambda: jobs.get(waiting.id).status is JobStatus.SUCCEEDED, what="the queued job")
    finally:
        second.close()
        first.close()


def test_close_interrupts_a_running_inline_job(settings: Settings, wait: Waiter) -> None:
    container = build_container(settings)
    container.startup()
    job = container.jobs.start("selftest", {"steps": 1000, "step_s": 0.02})
    repo: JobRepository = container.job_repository
    wait(lambda: repo.get(job.id).done > 0, what="progress")
    container.close()
    ended = repo.get(job.id)
    assert ended.status is JobStatus.INTERRUPTED


def file_mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_directory_and_its_files_are_private(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A data dir left open (0755, a 0644 key file and database) is tightened, with a log
    line; the database's -wal and -shm files are born 0600."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    (data_dir / KEY_FILE_NAME).write_text("an-old-generated-key")
    (data_dir / KEY_FILE_NAME).chmod(0o644)
    (data_dir / "crossfade.db").touch(mode=0o644)
    (data_dir / "crossfade.db").chmod(0o644)
    settings = load_settings(data_dir=data_dir, database_url=None, redis_url=None)
    with caplog.at_level(logging.WARNING, logger="app.adapters.private_files"):
        container = build_container(settings)
    try:
        container.startup()
        container.domains.libraries.repository.add_library(
            kind="plex_music", name="P", config={}, secret="a-plex-token-xyz"
        )
    finally:
        container.close()
    assert f"data directory {data_dir} was mode 755" in caplog.text
    assert file_mode(data_dir) == 0o700
    names = [KEY_FILE_NAME, "crossfade.db", "crossfade.db-wal", "crossfade.db-shm"]
    assert {name: file_mode(data_dir / name) for name in names if (data_dir / name).exists()} == {
        name: 0o600 for name in names if (data_dir / name).exists()
    }
    assert (data_dir / "crossfade.db-wal").exists() or (data_dir / "crossfade.db").stat().st_size
    assert container.secret_box.open(container.secret_box.seal("x")) == "x"


def test_a_new_data_directory_is_private_from_the_start(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "new" / "data", database_url=None)
    secure_data_dir(settings)
    assert file_mode(settings.data_dir) == 0o700
    assert file_mode(settings.data_dir / KEY_FILE_NAME) == 0o600
